"""Topic shifts in text, TextTiling-style (Hearst 1997) with sentence embeddings instead of word counts.

At every gap between consecutive lines, the cosine similarity between the mean vector of the ``window`` lines
before and the ``window`` lines after; a gap's depth score is how far that similarity dips below the nearest
peaks on both sides. ``text_gap_scores`` gives each gap a time (the start of the line after it) and its depth.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.semantic.types import EvidenceLine


def depth_scores(vecs: np.ndarray, window: int) -> np.ndarray:
    """Depth score of each gap between consecutive lines; vecs (n_lines, dim) unit rows -> (n_lines - 1,)."""
    n = len(vecs)
    sims = np.empty(max(n - 1, 0))
    for i in range(n - 1):
        left = vecs[max(0, i - window + 1):i + 1].mean(axis=0)
        right = vecs[i + 1:i + 1 + window].mean(axis=0)
        sims[i] = float(left @ right / (np.linalg.norm(left) * np.linalg.norm(right) + 1e-9))
    depth = np.zeros_like(sims)
    for i, s in enumerate(sims):
        lp = s
        for j in range(i - 1, -1, -1):
            if sims[j] < lp:
                break
            lp = sims[j]
        rp = s
        for j in range(i + 1, len(sims)):
            if sims[j] < rp:
                break
            rp = sims[j]
        depth[i] = (lp - s) + (rp - s)
    return depth


def text_gap_scores(lines: Sequence[EvidenceLine], vecs: np.ndarray, window: int) -> list[tuple[float, float]]:
    """(time_s, depth) of each gap between consecutive lines (time order, vecs row-aligned), or [] when there
    are fewer than ``2 * window`` lines (too few to tell topics apart)."""
    if len(lines) < 2 * window:
        return []
    depth = depth_scores(vecs, window)
    return [(lines[i + 1].start_s, float(d)) for i, d in enumerate(depth)]


def depth_cutoff(depths: Sequence[float]) -> float:
    """Hearst's cut-off: gaps deeper than mean + std/2 (at least 0.05) are topic shifts."""
    d = np.asarray(depths, dtype=np.float64)
    return max(0.05, float(d.mean() + 0.5 * d.std())) if len(d) else 0.05
