"""Frames -> moments, shared by the image-text and the object searches: how long a looked-at frame stands for,
runs of frames that score high, and the fusion of two moment lists about the same picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.results import Moment
from core.spans import shared_fraction

AGREE = 0.5  # how much a second, agreeing voice adds (fuse)


def fmt_time(seconds: float) -> str:
    """m:ss, or h:mm:ss from one hour."""
    s = int(max(0.0, seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def frame_spans(times_s: np.ndarray, every_s: float) -> np.ndarray:
    """End time of each embedded frame's span: the next frame's time, at most ``2 x every_s`` later; (n,)."""
    if times_s.size == 0:
        return times_s
    nxt = np.append(times_s[1:], times_s[-1] + every_s)
    return np.minimum(nxt, times_s + 2 * every_s)


@dataclass(frozen=True)
class FrameHit:
    """One run of frames that look like the description."""

    start_s: float
    end_s: float
    score: float  # 0..1, the best frame's
    peak_s: float  # time of the best frame


def runs(times_s: np.ndarray, ends_s: np.ndarray, scores: np.ndarray, min_score: float) -> list[FrameHit]:
    """Runs of consecutive frames with score >= min_score, best first."""
    out: list[FrameHit] = []
    i, n = 0, len(scores)
    while i < n:
        if scores[i] < min_score:
            i += 1
            continue
        j = i
        while j + 1 < n and scores[j + 1] >= min_score and times_s[j + 1] <= ends_s[j] + 1e-6:
            j += 1
        k = i + int(np.argmax(scores[i:j + 1]))
        out.append(FrameHit(float(times_s[i]), float(ends_s[j]), float(scores[k]), float(times_s[k])))
        i = j + 1
    return sorted(out, key=lambda h: -h.score)


def fuse(a: Sequence[Moment], b: Sequence[Moment]) -> list[Moment]:
    """Two lists of moments about the same picture (e.g. image-text and object detections), best first: where
    one of ``b`` shares most of its time with one of ``a`` the stronger keeps its span and label and the score
    becomes 1 - (1 - strong)(1 - AGREE weak); the rest keep their own scores."""
    out = list(a)
    for m in b:
        for i, o in enumerate(out):
            if shared_fraction(o, m) > 0.5:
                strong, weak = (o, m) if o.score >= m.score else (m, o)
                why = (*strong.why, *(w for w in weak.why if w not in strong.why))
                out[i] = Moment(strong.start, strong.end, min(1.0, 1 - (1 - strong.score) * (1 - AGREE * weak.score)),
                                strong.label, why)
                break
        else:
            out.append(m)
    return sorted(out, key=lambda m: -m.score)
