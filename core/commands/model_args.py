"""Model options shared by the commands that load the video model (index, ask, find, summary, ads).

Not a command itself: ``--model DIR`` (or ``$LONGWATCH_MODEL``), ``--quant``, ``--device``, and loading with a
progress line. Without a model configured the command fails with one line saying how to provide one.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from core.cli import CliContext
from core.index.options import QUANT_MODES, resolve_model_dir

if TYPE_CHECKING:
    from core.model import ModelOptions, VideoXL

DEVICES = ("auto", "cpu", "cuda", "mps")


def add_model_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", metavar="DIR", default=None,
                   help="video model folder (official Video-XL layout); default $LONGWATCH_MODEL")
    p.add_argument("--quant", choices=QUANT_MODES, default="none", help="weight quantisation (default none)")
    p.add_argument("--device", choices=DEVICES, default="auto", help="where the model runs (default auto)")


def model_options(args: argparse.Namespace) -> ModelOptions:
    """The ``ModelOptions`` the arguments ask for (a UsageError naming how to set a model when none is)."""
    folder = resolve_model_dir(args.model)
    from core.model import ModelOptions

    return ModelOptions(model=folder, quant=args.quant, device=args.device)


def optional_model_options(args: argparse.Namespace) -> ModelOptions | None:
    """Like ``model_options``, but None when no model is configured at all (the evidence answers instead)."""
    import os

    from core.index.options import ENV_MODEL

    if not (args.model or os.environ.get(ENV_MODEL, "").strip()):
        return None
    return model_options(args)


def load(options: ModelOptions, ctx: CliContext) -> VideoXL:
    from core.model import load_model

    with ctx.progress() as report:
        return load_model(options, progress=report)
