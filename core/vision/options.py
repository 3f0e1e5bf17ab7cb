"""``VisionOptions``: which image-text model embeds the frames, which frames it sees, checked once.

Frames come from the evidence pass's one decode (``core.evidence`` samples at its ``fps``); of those, a frame is
embedded when the picture changed since the last embedded one (a cut or a new view: the first frame of every
shot) or when ``every_s`` seconds have passed inside a long shot. So a 2-hour film with 5-second shots gets
about one vector per shot, and a 40-second static interview still gets one every ``every_s``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from core.errors import UsageError

QUANTIZATIONS = ("int8", "none")
DEVICES = ("cpu", "cuda", "mps")


@dataclass(frozen=True)
class VisionOptions:
    """Options of the vision stage (frame embeddings) and of text -> frame search.

    ``model``: a local folder holding a transformers CLIP or SigLIP checkpoint (config.json + safetensors), or
    a Hugging Face repo id already in the local cache; None = the default (``core.vision.DEFAULT_REPO``) if it
    is installed, else ``$LONGWATCH_VISION_MODEL``. ``quantization``: "int8" = torch dynamic int8 on the
    Linear layers (CPU only; about 1.6x faster, cosine to fp32 > 0.999), "none" = fp32.
    """

    model: str | None = None
    every_s: float = 3.0  # at most this many seconds between embedded frames inside one shot
    min_gap_s: float = 0.5  # at least this many seconds between embedded frames (a flicker is not a new shot)
    change: float = 18.0  # mean |grey difference| (0..255, 32x18 thumbnails) that makes a frame a new view
    batch_size: int = 16  # frames per model call
    quantization: str = "int8"
    device: str = "cpu"
    threads: int | None = None  # torch intra-op threads for the image tower; None = torch's default

    def __post_init__(self) -> None:
        _check(0.25 <= self.every_s <= 60, "every_s", self.every_s, "use 0.25 to 60 seconds (3 is a good default)")
        _check(0 <= self.min_gap_s <= self.every_s, "min_gap_s", self.min_gap_s,
               f"use 0 to every_s ({self.every_s:g} s)")
        _check(0 < self.change < 255, "change", self.change, "use 1..254 (18 finds cuts, 8 also camera moves)")
        _check(1 <= self.batch_size <= 256, "batch_size", self.batch_size, "use 1 to 256 frames (16 is typical)")
        _check(self.quantization in QUANTIZATIONS, "quantization", self.quantization, f"use one of {QUANTIZATIONS}")
        _check(self.device in DEVICES, "device", self.device, f"use one of {DEVICES}")
        _check(self.quantization == "none" or self.device == "cpu", "quantization", self.quantization,
               "int8 dynamic quantization runs on the CPU only; use quantization='none' on a GPU")
        _check(self.threads is None or 1 <= self.threads <= 256, "threads", self.threads, "use 1..256 or None")
        if self.model is not None and not self.model.strip():
            raise UsageError("VisionOptions.model is empty; give a CLIP/SigLIP folder or hub id, or leave it unset.")

    def stage_settings(self) -> dict[str, Any]:
        """What the stored vectors depend on (the model identity is added by the caller once it is resolved)."""
        return {"every_s": self.every_s, "min_gap_s": self.min_gap_s, "change": self.change,
                "quantization": self.quantization}


def _check(ok: bool, name: str, value: object, what_to_do: str) -> None:
    if isinstance(value, float) and math.isnan(value):
        ok = False
    if not ok:
        raise UsageError(f"VisionOptions.{name}={value!r} is out of range; {what_to_do}.")


@dataclass(frozen=True)
class ObjectOptions:
    """Options of the object stage (COCO object detection on the frames the vision stages pick).

    ``model``: an ONNX NanoDet file; None = ``$LONGWATCH_OBJECT_MODEL``, else the one shipped in
    resources/models. Frames are picked as for the image-text stage (``every_s``, ``min_gap_s``, ``change``);
    detections with a raw score below ``min_score`` are not stored (queries use a higher bar, see
    ``core.vision.objects``).
    """

    model: str | None = None
    every_s: float = 3.0
    min_gap_s: float = 0.5
    change: float = 18.0
    min_score: float = 0.15
    threads: int | None = None  # onnxruntime intra-op threads; None = its default (all cores)

    def __post_init__(self) -> None:
        _check_object(0.25 <= self.every_s <= 60, "every_s", self.every_s, "use 0.25 to 60 seconds")
        _check_object(0 <= self.min_gap_s <= self.every_s, "min_gap_s", self.min_gap_s,
                      f"use 0 to every_s ({self.every_s:g} s)")
        _check_object(0 < self.change < 255, "change", self.change, "use 1..254 (18 finds cuts)")
        _check_object(0.05 <= self.min_score < 1, "min_score", self.min_score, "use 0.05..0.95 (0.15 is typical)")
        _check_object(self.threads is None or 1 <= self.threads <= 256, "threads", self.threads,
                      "use 1..256 or None")
        if self.model is not None and not self.model.strip():
            raise UsageError("ObjectOptions.model is empty; give an ONNX detector file or leave it unset.")

    def stage_settings(self) -> dict[str, Any]:
        """What the stored detections depend on (the detector identity is added by the caller)."""
        return {"every_s": self.every_s, "min_gap_s": self.min_gap_s, "change": self.change,
                "min_score": self.min_score}


def _check_object(ok: bool, name: str, value: object, what_to_do: str) -> None:
    if isinstance(value, float) and math.isnan(value):
        ok = False
    if not ok:
        raise UsageError(f"ObjectOptions.{name}={value!r} is out of range; {what_to_do}.")
