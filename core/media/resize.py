"""``FrameSize``: how sampled pictures are scaled on the way out, and the rotation that makes them upright.

Scaling is done by libswscale inside PyAV's ``reformat`` (one pass: YUV -> RGB and bicubic resize), which is
several times faster than converting to RGB and resizing with PIL. The geometry of ``FrameSize.clip`` is exactly
CLIPImageProcessor's (same intermediate size, same crop offsets); pixel values differ from PIL's bicubic by
rounding only (checked in tests/core/media/test_resize.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import av
import numpy as np

from core.errors import UsageError


@dataclass(frozen=True)
class FrameSize:
    """Output size policy. Build with ``FrameSize.clip(336)`` or ``FrameSize.fit(w, h)``."""

    mode: str  # "clip": shortest side -> `side`, centre crop side x side; "fit": inside width x height
    width: int
    height: int

    def __post_init__(self) -> None:
        if self.mode not in ("clip", "fit"):
            raise UsageError(f"FrameSize mode {self.mode!r} is unknown; use FrameSize.clip(336) or FrameSize.fit(w, h).")
        if self.width < 1 or self.height < 1:
            raise UsageError(f"FrameSize {self.width}x{self.height}: both sides must be at least 1 pixel.")

    @classmethod
    def clip(cls, side: int = 336) -> FrameSize:
        return cls("clip", side, side)

    @classmethod
    def fit(cls, width: int, height: int) -> FrameSize:
        return cls("fit", width, height)

    def scaled_size(self, width: int, height: int) -> tuple[int, int]:
        """(width, height) of the resized picture before any crop, for a displayed ``width x height`` input.

        ``clip(336)`` on 1280x720: the short side 720 -> 336, the long side int(336 * 1280 / 720) = 597, so
        597x336, then the centre crop keeps columns (597 - 336) // 2 = 130 .. 465.
        """
        if self.mode == "clip":
            short, long = min(width, height), max(width, height)
            new_short, new_long = self.width, int(self.width * long / short)
            return (new_short, new_long) if width <= height else (new_long, new_short)
        scale = min(1.0, self.width / width, self.height / height)  # never enlarges
        return max(1, round(width * scale)), max(1, round(height * scale))


def to_rgb(frame: av.VideoFrame, rotation: int, size: FrameSize | None) -> np.ndarray:
    """The decoded ``frame`` as an upright ``(H, W, 3)`` uint8 RGB array, scaled (and cropped) as ``size`` says.

    ``rotation`` is clockwise degrees for display (VideoStreamInfo.rotation); scaling happens in the stored
    orientation (swapping the target sides for 90/270), then ``np.rot90`` turns the small picture upright.
    """
    quarter = (rotation // 90) % 4
    disp_w, disp_h = (frame.height, frame.width) if quarter % 2 else (frame.width, frame.height)
    if size is None:
        rgb = frame.to_ndarray(format="rgb24")  # (H, W, 3)
    else:
        out_w, out_h = size.scaled_size(disp_w, disp_h)
        stored_w, stored_h = (out_h, out_w) if quarter % 2 else (out_w, out_h)
        rgb = frame.to_ndarray(format="rgb24", width=stored_w, height=stored_h, interpolation="BICUBIC")
    if quarter:
        rgb = np.rot90(rgb, k=-quarter)  # k < 0 turns clockwise
    if size is not None and size.mode == "clip":
        rgb = centre_crop(rgb, size.height, size.width)
    return np.ascontiguousarray(rgb)


def centre_crop(img: np.ndarray, crop_h: int, crop_w: int) -> np.ndarray:
    """CLIPImageProcessor's centre crop: top = (H - h) // 2, left = (W - w) // 2 (inputs at least h x w)."""
    h, w = img.shape[:2]
    top, left = max(0, (h - crop_h) // 2), max(0, (w - crop_w) // 2)
    return img[top:top + crop_h, left:left + crop_w]
