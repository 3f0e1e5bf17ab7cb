"""What an index is keyed by: sampling, compression ratio, storage codec, model identity and quantisation.

A memory is keyed by (video fingerprint, model identity, sampling and compression settings) (ARCHITECTURE.md).
``settings_key`` is a stable hash of those settings; the device is not part of it (a memory made on a GPU serves
a CPU session). Worked example: 1 frame per second over a 2 h film, capped at 2048 frames, is one frame every
3.5 s; at 10 frames per window that is 205 windows, and at ratio 8 each window keeps 1440 / 8 = 180 VSTs.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import UsageError
from core.model.download import HUB_ID

if TYPE_CHECKING:
    from core.media import PerSecond, Uniform

STORAGE_CODECS = ("fp16", "int8")  # see core.index.codec
DEFAULT_FPS = 1.0
DEFAULT_MAX_FRAMES = 2048
DEFAULT_RATIO = 8  # the official demo's setting (model.config.beacon_ratio = [8])
MAX_RATIO = 144  # the model allows 2..144: one VST per frame at most compression
RATIOS = (2, 4, 8, 12, 16)  # the ratios Video-XL was trained with (any of 2..144 runs)


@dataclass(frozen=True)
class IndexOptions:
    """How to index: uniform ``frames`` or ``fps`` frames per second (at most ``max_frames``), ratio, storage."""

    frames: int | None = None
    fps: float | None = None
    max_frames: int = DEFAULT_MAX_FRAMES
    ratio: int = DEFAULT_RATIO
    storage: str = "fp16"

    def __post_init__(self) -> None:
        if self.frames is not None and self.fps is not None:
            raise UsageError("Give either --frames N or --fps F, not both.")
        if self.frames is not None and (not isinstance(self.frames, int) or self.frames < 1):
            raise UsageError(f"--frames must be a whole number of at least 1, got {self.frames!r}.")
        if self.fps is not None and not self.fps > 0:
            raise UsageError(f"--fps must be above 0, got {self.fps!r} (e.g. --fps 0.5 for one frame every 2 s).")
        if not isinstance(self.max_frames, int) or self.max_frames < 1:
            raise UsageError(f"max_frames must be at least 1, got {self.max_frames!r}.")
        if not isinstance(self.ratio, int) or not 2 <= self.ratio <= MAX_RATIO:
            raise UsageError(f"--ratio must be a whole number in 2..{MAX_RATIO} (Video-XL: 2, 4, 8, 12, 16), got {self.ratio!r}.")
        if self.storage not in STORAGE_CODECS:
            raise UsageError(f"--storage must be one of {', '.join(STORAGE_CODECS)}, got {self.storage!r}.")

    def policy(self) -> Uniform | PerSecond:
        """The frame sampling policy: ``Uniform(frames)`` or ``PerSecond(fps, max_frames)`` (default 1 fps)."""
        from core.media import PerSecond, Uniform

        if self.frames is not None:
            return Uniform(self.frames)
        return PerSecond(self.fps if self.fps is not None else DEFAULT_FPS, max_frames=self.max_frames)

    def sampling_json(self) -> dict[str, Any]:
        if self.frames is not None:
            return {"policy": "uniform", "frames": self.frames}
        return {"policy": "per_second", "fps": self.fps or DEFAULT_FPS, "max_frames": self.max_frames}

    def settings(self, *, model_identity: str) -> dict[str, Any]:
        """The settings that make a memory what it is (hashed into ``settings_key``).

        The model identity covers weights, config and quantisation (``core.model``).
        """
        return {
            "model": model_identity,
            "sampling": self.sampling_json(),
            "ratio": self.ratio,
            "storage": self.storage,
        }


def settings_key(settings: dict[str, Any]) -> str:
    """A stable hash of ``settings`` (sorted-key JSON), 32 hex digits."""
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:32]


ENV_MODEL = "LONGWATCH_MODEL"
NO_MODEL_MESSAGE = (
    "No video model configured: pass --model DIR (the official Video-XL weights folder) or set LONGWATCH_MODEL; "
    "for a quick test model run: longwatch-cli dev tiny-model DIR."
)


def resolve_model_dir(value: str | None) -> str:
    """The model folder from ``--model`` or ``$LONGWATCH_MODEL``; a ``UsageError`` saying how to set one."""
    chosen = value or os.environ.get(ENV_MODEL) or ""
    if not chosen.strip():
        raise UsageError(NO_MODEL_MESSAGE)
    path = Path(chosen).expanduser()
    if path.exists():
        return str(path)
    if HUB_ID.match(chosen):  # a hub id such as owner/name
        return chosen
    raise UsageError(f"The model folder {path} does not exist; {NO_MODEL_MESSAGE}")
