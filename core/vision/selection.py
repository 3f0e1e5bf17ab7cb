"""Which decoded frames the vision stages look at: the first frame of every shot and one every few seconds.

``FrameSelector.wants(t_s, image)`` keeps a frame when it is the first one, when the picture changed by more
than ``change`` (mean |grey difference| of 32x18 thumbnails, 0..255) since the last kept frame and ``min_gap_s``
has passed (a cut: the first frame of each shot), or when ``every_s`` has passed (inside a long shot). The rule
only depends on the frames offered, so the image-text stage and the object stage, fed by the same decode, keep
the same frames.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

THUMB = (32, 18)  # (width, height) of the change thumbnails


def thumbnail(image: np.ndarray) -> np.ndarray:
    """(18, 32) int16 grey thumbnail of an (H, W, 3) uint8 RGB picture."""
    return np.asarray(Image.fromarray(image).convert("L").resize(THUMB, Image.Resampling.BOX), np.int16)


class FrameSelector:
    """The selection state of one pass over one video (see the module docstring)."""

    def __init__(self, every_s: float, min_gap_s: float, change: float) -> None:
        if not (every_s > 0 and 0 <= min_gap_s <= every_s and 0 < change < 255):
            raise ValueError(f"FrameSelector needs every_s > 0, 0 <= min_gap_s <= every_s and change in 1..254, "
                             f"got {every_s}, {min_gap_s}, {change}")
        self.every_s, self.min_gap_s, self.change = every_s, min_gap_s, change
        self._last_t: float | None = None
        self._last_thumb: np.ndarray | None = None

    def resume_from(self, t_s: float | None) -> None:
        """Continue a pass whose last kept frame was at ``t_s`` (None: nothing was kept). Its picture is not
        stored, so a cut on the first frame after the resume point waits for ``every_s``; otherwise the frames
        kept are those an uninterrupted pass keeps."""
        self._last_t, self._last_thumb = t_s, None

    def wants(self, t_s: float, image: np.ndarray) -> bool:
        """Whether the frame at ``t_s`` is kept (updates the state when it is)."""
        thumb = thumbnail(image)
        gap = None if self._last_t is None else t_s - self._last_t
        changed = self._last_thumb is not None and self._last_thumb.shape == thumb.shape and \
            float(np.abs(thumb - self._last_thumb).mean()) > self.change
        keep = gap is None or gap >= self.every_s - 1e-6 or (changed and gap >= self.min_gap_s)
        if keep:
            self._last_t, self._last_thumb = t_s, thumb
        return keep
