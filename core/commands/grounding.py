"""What ``ask``, ``find`` and ``summary`` answer from: the video-LLM when one is configured, else the evidence.

Not a command itself. Without ``--model`` / ``$LONGWATCH_MODEL`` the evidence pass is run or resumed first (with
progress), and the answer comes from speech, subtitles, on-screen text, shots and frame statistics.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from core.cli import CliContext
from core.commands.ads import add_evidence_options, ensure_evidence
from core.commands.model_args import add_model_options, load, optional_model_options

if TYPE_CHECKING:
    from core.model import VideoXL

NO_MODEL_NOTE = ("No video-LLM configured: answering from speech, subtitles and on-screen text "
                 "(set --model DIR or LONGWATCH_MODEL for answers about what is seen).")


def add_source_options(p: argparse.ArgumentParser) -> None:
    add_model_options(p)
    add_evidence_options(p)


def prepare(args: argparse.Namespace, ctx: CliContext) -> tuple[str, VideoXL | None]:
    """The video's fingerprint and the loaded model (None: answer from the evidence, which now exists)."""
    from core.query import resolve_video

    options = optional_model_options(args)  # a bad --model is still one clear line
    if options is not None:
        return resolve_video(ctx.db(), args.video), load(options, ctx)
    ctx.log(NO_MODEL_NOTE)
    path = Path(args.video).expanduser()
    if path.is_file():
        fingerprint, _, _ = ensure_evidence(argparse.Namespace(**{**vars(args), "video": path}), ctx)
        return fingerprint, None
    return resolve_video(ctx.db(), args.video), None
