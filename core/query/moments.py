"""From model scores to moments: a relevance curve over the sampled frames, then ranked spans in seconds.

Two signals meet here. ``score_windows`` gives a calibrated P("yes") per window (10 frames); ``vst_relevance``
gives the question's attention mass on every VST, and each VST belongs to one sampled frame. The curve value of
a frame is ``p_window * (ALPHA + (1 - ALPHA) * a_frame)`` where ``a_frame`` is the frame's largest VST attention
divided by the window's largest, so the window score sets the level and attention picks the frames.

Index arithmetic, worked example: 1 fps sampling, ratio 8 -> 180 VSTs per window, 18 per frame. VST 40 of
window 3 has ``vst_frame`` 32 and ``vst_time_s`` 32.0; frame 32 spans [32.0, 33.0), the time until the next
sampled frame. A moment over frames 31..33 is [31.0, 34.0).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.model.memory import WindowMemory
from core.results import Moment
from core.spans import runs_above
from core.timefmt import clock

ALPHA = 0.5  # share of a frame's value set by its window's score alone
LEVEL = 0.5  # a moment is where the curve rises above median + LEVEL * (peak - median)


@dataclass(frozen=True)
class RelevanceCurve:
    """Relevance per sampled frame, in time order."""

    frame: np.ndarray  # (n,) int, frame index in the sampling plan
    start_s: np.ndarray  # (n,) float, frame time
    end_s: np.ndarray  # (n,) float, time of the next sampled frame (or end of its window)
    value: np.ndarray  # (n,) float in 0..1
    window: np.ndarray  # (n,) int, window index (WindowMemory.index)
    window_score: np.ndarray  # (n,) float, P(yes) of the frame's window

    def to_json(self) -> dict[str, list[float]]:
        return {"t": [round(float(t), 3) for t in self.start_s], "v": [round(float(v), 4) for v in self.value]}


def relevance_curve(windows: Sequence[WindowMemory], window_scores: np.ndarray,
                    vst_relevance: np.ndarray | None = None) -> RelevanceCurve:
    """The per-frame curve of ``windows`` from per-window P(yes) ``(n_windows,)`` and VST relevance ``(n_vst,)``.

    ``vst_relevance`` may be None (window scores only) and may hold NaN for VSTs that were not scored.
    """
    if len(window_scores) != len(windows):
        raise ValueError(f"{len(windows)} windows but {len(window_scores)} window scores")
    frames: list[int] = []
    starts: list[float] = []
    values: list[float] = []
    wins: list[int] = []
    wscores: list[float] = []
    offset = 0
    for w, p in zip(windows, np.asarray(window_scores, dtype=np.float64), strict=True):
        n = len(w.vst_frame)
        rel = None if vst_relevance is None else np.asarray(vst_relevance[offset:offset + n], dtype=np.float64)
        offset += n
        per_frame: dict[int, float] = {}
        time_of: dict[int, float] = {}
        for j, (f, t) in enumerate(zip(w.vst_frame, w.vst_time_s, strict=True)):
            a = 0.0 if rel is None or not np.isfinite(rel[j]) else float(rel[j])
            per_frame[f] = max(per_frame.get(f, 0.0), a)
            time_of.setdefault(f, float(t))
        top = max(per_frame.values(), default=0.0)
        for f in sorted(per_frame):
            a = per_frame[f] / top if top > 0 else 1.0
            frames.append(f)
            starts.append(time_of[f])
            values.append(float(p) * (ALPHA + (1.0 - ALPHA) * a))
            wins.append(w.index)
            wscores.append(float(p))
    ends = _frame_ends(np.asarray(starts), windows, np.asarray(wins))
    return RelevanceCurve(np.asarray(frames, dtype=np.int64), np.asarray(starts), ends,
                          np.clip(np.asarray(values), 0.0, 1.0), np.asarray(wins, dtype=np.int64),
                          np.asarray(wscores))


def _frame_ends(starts: np.ndarray, windows: Sequence[WindowMemory], wins: np.ndarray) -> np.ndarray:
    """Each frame lasts until the next sampled frame; the last one until its window's end (or one step)."""
    ends = np.empty_like(starts)
    if len(starts) == 0:
        return ends
    ends[:-1] = starts[1:]
    steps = np.diff(starts)
    step = float(np.median(steps)) if len(steps) else 1.0
    last_window = next(w for w in windows if w.index == wins[-1])
    end_s = float(last_window.end_s)
    ends[-1] = end_s if end_s > starts[-1] else starts[-1] + step
    return np.maximum(ends, starts)


def extract_moments(curve: RelevanceCurve, *, label: str, top_k: int = 5, min_score: float = 0.0,
                    level: float = LEVEL) -> list[Moment]:
    """Ranked moments: runs of consecutive frames above the threshold, scored by their peak.

    The threshold is ``max(min_score, median + level * (peak - median))``; a flat curve gives one moment over it.
    """
    v = curve.value
    if len(v) == 0:
        return []
    peak, median = float(v.max()), float(np.median(v))
    threshold = max(min_score, median + level * (peak - median))
    spans = runs_above(v, threshold - 1e-12)
    moments = [_moment(curve, a, b, label) for a, b in spans]
    moments.sort(key=lambda m: (-m.score, m.start))
    return moments[:top_k]


def _moment(curve: RelevanceCurve, a: int, b: int, label: str) -> Moment:
    seg = curve.value[a:b + 1]
    k = a + int(np.argmax(seg))
    win = int(curve.window[k])
    why = (
        f"the model answers yes with p={curve.window_score[k]:.2f} for window {win} "
        f"({clock(curve.start_s[k])})",
        f"attention peaks on frame {int(curve.frame[k])} at {clock(curve.start_s[k])}",
    )
    return Moment(start=float(curve.start_s[a]), end=float(curve.end_s[b]), score=float(seg.max()),
                  label=label, why=why)

