"""Chapter boundaries inside the story part of a video, from the picture and the text together.

Candidates are the shot starts (scene-change score from ``scenes.change_scores``, made ``relative`` to the
span's typical cut: robust z-scores, so a cartoon meadow and a city street are judged on their own scale) and
the gaps between text
lines (topic-shift depth from ``tiling.text_gap_scores``); a text gap within ``snap_s`` of a shot start is
moved onto it, so the two kinds of evidence add up where they agree. A candidate's score is

    visual / VISUAL_REF + TEXT_WEIGHT * min(depth / cutoff, 2) + BLACK_WEIGHT * (black frames end here)

so 1 is a clear boundary on either kind of evidence alone (``VISUAL_REF``: a scene-change score that counts as
a clear change; ``cutoff``: Hearst's depth cut-off, see ``tiling.depth_cutoff``), and a fade to black inside the
story weighs as much as the deepest topic shift: editors mark scene changes that way (the title sequences, where
black frames also occur, are cut out before this). Boundaries are taken best first while the score is at least ``min_score``, at least
``min_chapter_s`` from each other and from the span's ends, up to a count that grows with the square root of
the length (``chapters_per_sqrt_min``: a 10-minute film gets about 9 at most, two hours ``max_chapters``, like the chapter
lists of DVDs and streaming services; never fewer than ``MIN_TARGET``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

VISUAL_REF = 3.0  # robust standard deviations above the span's median cut
BLACK_WEIGHT = 2.0  # black frames ending at a shot start weigh as much as the deepest topic shift (the text term's cap)
TEXT_WEIGHT = 1.0
MIN_CUTS = 5
FEW_CUTS_WEIGHT = 2.0
MAX_Z = 3.0 * VISUAL_REF  # a cut can weigh at most as much as three clear changes
MIN_TARGET = 3  # a short video may still hold three clear parts


@dataclass(frozen=True)
class SegmentOptions:
    min_chapter_s: float = 20.0
    max_chapters: int = 24
    snap_s: float = 5.0
    min_score: float = 1.2  # fitted on benchmarks/summary_quality.py --fit
    chapters_per_sqrt_min: float = 3.0  # fitted likewise

    def __post_init__(self) -> None:
        if self.min_chapter_s <= 0 or self.snap_s < 0:
            raise ValueError(f"SegmentOptions needs min_chapter_s > 0 and snap_s >= 0, got {self.min_chapter_s}, "
                             f"{self.snap_s}")
        if not 1 <= self.max_chapters <= 500:
            raise ValueError(f"max_chapters must be in 1..500, got {self.max_chapters}")
        if self.min_score < 0 or self.chapters_per_sqrt_min <= 0:
            raise ValueError(f"SegmentOptions needs min_score >= 0 and chapters_per_sqrt_min > 0, got "
                             f"{self.min_score}, {self.chapters_per_sqrt_min}")


@dataclass(frozen=True)
class Candidate:
    t_s: float
    visual: float  # scene-change score at a shot start (0 when the candidate is a text gap alone)
    depth: float  # topic-shift depth of the text gap here (0 when none)
    black: bool = False  # black frames end at this shot start

    def score(self, cutoff: float) -> float:
        text = min(self.depth / cutoff, 2.0) if cutoff > 0 else 0.0
        return max(self.visual, 0.0) / VISUAL_REF + TEXT_WEIGHT * text + (BLACK_WEIGHT if self.black else 0.0)


def candidates(shot_starts: Sequence[float], visual: Sequence[float],
               text_gaps: Sequence[tuple[float, float]], snap_s: float,
               black: Sequence[bool] | None = None) -> list[Candidate]:
    """Shot starts with their scene-change scores (and ``black``: black frames end there), text gaps snapped
    onto the nearest shot start within ``snap_s`` (the deepest gap wins a shot) or kept at their own time."""
    depth_at: dict[int, float] = {}
    loose: list[Candidate] = []
    for t, d in text_gaps:
        near = min(range(len(shot_starts)), key=lambda k: abs(shot_starts[k] - t), default=None)
        if near is not None and abs(shot_starts[near] - t) <= snap_s:
            depth_at[near] = max(depth_at.get(near, 0.0), d)
        else:
            loose.append(Candidate(t, 0.0, d))
    faded = list(black) if black is not None else [False] * len(shot_starts)
    out = [Candidate(t, float(v), depth_at.get(k, 0.0), bool(faded[k]))
           for k, (t, v) in enumerate(zip(shot_starts, visual, strict=True))]
    return sorted(out + loose, key=lambda c: c.t_s)


def relative(scores: Sequence[float]) -> list[float]:
    """Robust z-scores of the cuts' scene-change scores: (x - median) / (1.4826 * MAD), at most ``MAX_Z``. When
    most cuts are alike (MAD near 0) the spread is taken as a thousandth of the range, so the few that differ
    still stand out. With fewer than ``MIN_CUTS`` cuts there is no typical cut to compare with, and a cut is a
    rare event the shot detector keeps for large picture changes: one as different as the video's typical
    neighbouring shots (score 1) then weighs ``FEW_CUTS_WEIGHT`` clear changes."""
    x = np.asarray(scores, dtype=np.float64)
    if len(x) < MIN_CUTS:
        return [float(v) for v in np.minimum(x * FEW_CUTS_WEIGHT * VISUAL_REF, MAX_Z)]
    if float(np.ptp(x)) <= 1e-9:
        return [0.0] * len(x)
    med = float(np.median(x))
    scale = max(1.4826 * float(np.median(np.abs(x - med))), 1e-3 * float(np.ptp(x)))
    return [float(v) for v in np.minimum((x - med) / scale, MAX_Z)]


def target_count(length_s: float, opts: SegmentOptions) -> int:
    """How many chapters a span of ``length_s`` should get at most."""
    wanted = max(MIN_TARGET, round(opts.chapters_per_sqrt_min * math.sqrt(length_s / 60.0)))
    return max(1, min(opts.max_chapters, wanted))


def choose(cands: Sequence[Candidate], start_s: float, end_s: float, cutoff: float,
           opts: SegmentOptions) -> list[float]:
    """Boundary times (sorted) inside (start_s, end_s) from the best-scoring candidates."""
    limit = target_count(end_s - start_s, opts) - 1
    chosen: list[float] = []
    for c in sorted(cands, key=lambda c: -c.score(cutoff)):
        if len(chosen) >= limit or c.score(cutoff) < opts.min_score:
            break
        if all(abs(c.t_s - e) >= opts.min_chapter_s for e in (start_s, end_s, *chosen)):
            chosen.append(c.t_s)
    return sorted(chosen)
