"""Options shared by the commands, mapped onto ``core.usecases.Settings`` (where their defaults live).

Not a command itself. ``--model DIR`` (or ``$LONGWATCH_MODEL``), ``--quant``, ``--device``: the video-LLM;
``--fps``, ``--no-ocr``, ``--no-speech``, ...: the evidence pass. ``settings(args)`` builds the ``Settings`` the
service runs with, so the command line, the app and the service share one set of defaults.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from core.index.options import ENV_MODEL, RATIOS, STORAGE_CODECS
from core.model.options import DEFAULT_QUANT, DEVICES, QUANT_MODES
from core.usecases import Settings

DEFAULTS = Settings()


def add_model_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("video-LLM")
    g.add_argument("--model", metavar="DIR", default=None,
                   help="video model folder (official Video-XL layout) or hub id; default: the model the video "
                        "was indexed with, or $LONGWATCH_MODEL")
    g.add_argument("--quant", choices=QUANT_MODES, default=None,
                   help=f"weight quantization (default {DEFAULT_QUANT})")
    g.add_argument("--device", choices=DEVICES, default=None, help="where the model runs (default auto)")


def add_evidence_options(p: argparse.ArgumentParser, *, fps_flag: str = "--fps") -> None:
    """Options of the evidence pass, for the commands that may run it."""
    g = p.add_argument_group("evidence pass")
    g.add_argument(fps_flag, dest="evidence_fps", type=float, default=None,
                   help=f"frames per second analysed for shots, black frames, OCR (default {DEFAULTS.evidence_fps:g})")
    g.add_argument("--no-ocr", action="store_true", help="skip on-screen text")
    g.add_argument("--no-speech", action="store_true", help="skip speech recognition")
    g.add_argument("--speech-model", metavar="DIR_OR_NAME", default=None,
                   help="faster-whisper model folder or name (default: the bundled Whisper tiny.en)")
    g.add_argument("--vision-model", metavar="DIR_OR_ID", default=None,
                   help="image-text model (CLIP/SigLIP folder or cached hub id) that sees the frames "
                        "(default: $LONGWATCH_VISION_MODEL or the default model when installed)")
    g.add_argument("--no-vision", action="store_true", help="do not embed frames with an image-text model")


def add_index_options(p: argparse.ArgumentParser) -> None:
    how = p.add_mutually_exclusive_group()
    how.add_argument("--frames", type=int, metavar="N", help="sample N frames spread evenly over the video")
    how.add_argument("--fps", type=float, metavar="F",
                     help=f"sample F frames per second (default {DEFAULTS.fps:g}, at most {DEFAULTS.max_frames})")
    p.add_argument("--ratio", type=int, default=None, metavar="R",
                   help=f"compression ratio: {', '.join(map(str, RATIOS))} (default {DEFAULTS.ratio})")
    p.add_argument("--storage", choices=STORAGE_CODECS, default=None,
                   help="how the memory is stored: fp16 (default) or int8 (about half the bytes)")


def settings(args: argparse.Namespace) -> Settings:
    """The ``Settings`` the arguments ask for (``$LONGWATCH_MODEL`` is the configured model)."""
    changes: dict[str, Any] = {"model_dir": os.environ.get(ENV_MODEL, "").strip()}
    for name, field in (("quant", "quant"), ("device", "device"), ("ratio", "ratio"), ("storage", "storage"),
                        ("evidence_fps", "evidence_fps"), ("speech_model", "speech_model"),
                        ("vision_model", "vision_model")):
        value = getattr(args, name, None)
        if value is not None:
            changes[field] = value
    if getattr(args, "no_ocr", False):
        changes["ocr"] = False
    if getattr(args, "no_speech", False):
        changes["speech"] = False
    if getattr(args, "no_vision", False):
        changes["vision"] = "off"
    return DEFAULTS.replace(**changes)
