"""Channel-logo presence: corner edge maps in the frame pass, then the static corner region and its presence.

Broadcasters overlay a small, often semi-transparent logo in a corner during the programme and drop it during
adverts; Comskip calls this its strongest cue. The frame pass stores, for every ``LOGO_STRIDE``-th sample, a
bit map of strong edges in the four corners of the picture scaled to ``LOGO_WIDTH`` px (``corner_edges``;
zlib-compressed bits, about 1 kB per sample). After the pass (or at detection time) ``find_logo`` looks for
the pixels whose edges persist over most of the recording (moving content rarely keeps an edge on one pixel;
an overlay keeps it for every programme frame), and ``presence`` gives, per sample, the share of that mask
that shows an edge: about 1 while the logo is on screen, near 0 while it is not.

Written here rather than taken from a library: no maintained Python library detects broadcast logos, and the
method (edge persistence, as Comskip does it) is a few numpy operations on the stored bits.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

LOGO_WIDTH = 320  # px, the picture is scaled to this width before the corners are taken
LOGO_STRIDE = 2  # every 2nd sample of the frame pass (2 per second at the default 4 fps)
CORNER_W, CORNER_H = 0.25, 0.25  # a corner region is this share of the width and of the height
EDGE_MIN = 48.0  # |Sobel| (on 0..255 grey) of an edge pixel: a 50% white overlay on a mid-grey scene passes
MIN_MASK_PX = 12  # fewer persistent pixels than this in every corner: no logo
PERSIST_MIN = 0.4  # a mask pixel shows an edge in at least this share of the samples ...
PERSIST_REL = 0.6  # ... and in at least this share of the most persistent pixel's samples


@dataclass(frozen=True)
class CornerEdges:
    """Edge bits of the four corners of one sample: top-left, top-right, bottom-left, bottom-right."""

    t_s: float
    shape: tuple[int, int]  # (corner_h, corner_w) px at LOGO_WIDTH
    bits: bytes  # zlib(packbits((4, corner_h, corner_w) bool))

    def unpack(self) -> np.ndarray:
        """(4, corner_h, corner_w) bool."""
        h, w = self.shape
        flat = np.unpackbits(np.frombuffer(zlib.decompress(self.bits), np.uint8), count=4 * h * w)
        return flat.reshape(4, h, w).astype(bool)


@dataclass(frozen=True)
class Logo:
    """The static region found over a recording: its corner, mask and the per-sample presence (0..1)."""

    corner: int  # 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right; -1 when no logo was found
    mask_px: int  # pixels in the mask
    t_s: np.ndarray  # (n,) sample times
    presence: np.ndarray  # (n,) share of mask pixels with an edge in that sample; zeros when no logo

    @property
    def found(self) -> bool:
        return self.corner >= 0


def corner_edges(t_s: float, rgb: np.ndarray) -> CornerEdges:
    """Edge bits of the corners of one (H, W, 3) uint8 RGB frame of any size."""
    h, w = rgb.shape[:2]
    height = max(8, round(h * LOGO_WIDTH / w))
    small = cv2.resize(rgb, (LOGO_WIDTH, height), interpolation=cv2.INTER_AREA) if w != LOGO_WIDTH else rgb
    grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32)
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)
    edges = np.hypot(gx, gy) >= EDGE_MIN * 4.0  # a 3x3 Sobel spans 4x the grey step
    ch, cw = max(4, round(height * CORNER_H)), max(4, round(LOGO_WIDTH * CORNER_W))
    corners = np.stack([edges[:ch, :cw], edges[:ch, -cw:], edges[-ch:, :cw], edges[-ch:, -cw:]])
    return CornerEdges(t_s, (ch, cw), zlib.compress(np.packbits(corners).tobytes(), 6))


def find_logo(samples: Sequence[CornerEdges]) -> Logo:
    """The most persistent corner region over ``samples`` and its presence per sample."""
    times = np.array([s.t_s for s in samples], np.float64)
    shapes = {s.shape for s in samples}
    if len(samples) < 8 or len(shapes) != 1:
        return Logo(-1, 0, times, np.zeros(len(samples)))
    stack = np.stack([s.unpack() for s in samples])  # (n, 4, h, w) bool
    freq = stack.mean(axis=0)  # (4, h, w) share of samples with an edge at each pixel
    best, best_mask = -1, np.zeros(freq.shape[1:], bool)
    for corner in range(4):
        f = freq[corner]
        top = float(f.max())
        if top < PERSIST_MIN:
            continue
        mask = f >= max(PERSIST_MIN, PERSIST_REL * top)
        if mask.sum() >= MIN_MASK_PX and mask.sum() > best_mask.sum():
            best, best_mask = corner, mask
    if best < 0:
        return Logo(-1, 0, times, np.zeros(len(samples)))
    presence = stack[:, best][:, best_mask].mean(axis=1)  # (n,)
    return Logo(best, int(best_mask.sum()), times, presence.astype(np.float64))
