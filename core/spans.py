"""Span arithmetic written once: runs of values above a threshold, overlap, and merging moment lists.

Every detector and ranker in the engine (video-LLM window scores, relevance curves, visual signals, evidence
moments, ad candidates) turns a series into spans and merges lists of moments the same way, through these.

>>> runs_above([0.1, 0.7, 0.8, 0.2, 0.9], 0.5)
[(1, 2), (4, 4)]
>>> a, b = Moment(10, 20, 0.9, "x", ("a",)), Moment(12, 18, 0.4, "y", ("b",))
>>> shared_fraction(a, b)
1.0
>>> merge_moments([a], [b])
[Moment(start=10, end=20, score=0.9, label='x', why=('a', 'b'))]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from core.results import Moment


def runs_above(values: Sequence[float] | np.ndarray, threshold: float) -> list[tuple[int, int]]:
    """``[(first, last), ...]`` inclusive index ranges of consecutive values ``>= threshold``, in order."""
    on = np.asarray(values, dtype=np.float64) >= threshold
    if not on.any():
        return []
    edges = np.diff(np.concatenate([[0], on.astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]


def shared_fraction(a: Moment, b: Moment) -> float:
    """Time the two moments share, as a fraction of the shorter one (0 when apart; instants count as 1 ms)."""
    inter = min(a.end, b.end) - max(a.start, b.start)
    return max(0.0, inter) / max(min(a.duration, b.duration), 1e-3)


def merge_moments(*lists: Iterable[Moment], overlap: float = 0.5) -> list[Moment]:
    """The union of moment lists, best first. A moment sharing more than ``overlap`` of the shorter one's
    duration with a stronger one joins it: the stronger keeps its span, label and score and gains the reasons."""
    out: list[Moment] = []
    for m in sorted((m for ms in lists for m in ms), key=lambda m: (-m.score, m.start)):
        for i, kept in enumerate(out):
            if shared_fraction(kept, m) > overlap:
                why = (*kept.why, *(w for w in m.why if w not in kept.why))
                out[i] = Moment(kept.start, kept.end, kept.score, kept.label, why)
                break
        else:
            out.append(m)
    return out


def join_touching(moments: Iterable[Moment], gap_s: float = 0.0) -> list[Moment]:
    """Moments in time order, those less than ``gap_s`` apart (or overlapping) joined into one: the union of
    their spans, the highest score, the first one's label and every reason once."""
    out: list[Moment] = []
    for m in sorted(moments, key=lambda m: (m.start, m.end)):
        if out and m.start <= out[-1].end + gap_s:
            last = out[-1]
            why = tuple(dict.fromkeys((*last.why, *m.why)))
            out[-1] = Moment(last.start, max(last.end, m.end), max(last.score, m.score), last.label, why)
        else:
            out.append(m)
    return out
