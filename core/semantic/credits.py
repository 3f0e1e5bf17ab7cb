"""Opening titles and end credits: runs of on-screen text at the start and at the end of a video.

End credits are dense text (rolling names, role words such as "Director" or "Music") in the last part of a
film, usually over dark frames; opening titles are title cards and names in its first minutes ("The Peach Open
Movie Project presents", the film's title). They are chapters of their own ("Opening titles", "End credits"),
never story chapters, and their text stays out of titles and the overview.

How a run is found, from the de-duplicated OCR lines (``EvidenceLine`` with source "ocr") that read as writing
(``gates.text_like``: OCR also "reads" single glyphs in foliage and fur):

- end credits: starting from the last text line that lies in the final ``END_ZONE`` of the video, walk back
  while consecutive lines are at most ``END_GAP_S`` apart; the run counts when it lasts at least ``MIN_CREDITS_S``,
  has at least ``MIN_LINES`` lines, and is credit-like: many of its lines are names or role words, or its frames
  are dark (median luma below ``DARK_LUMA``) and text covers most of it;
- opening titles: the text lines in the first ``START_ZONE`` of the video chained while at most
  ``START_GAP_S`` apart from the first one on, kept when at least one line is credit-like (names, role words,
  "presents") and the run does not look like a programme's running captions (``MAX_OPENING_LINES_PER_MIN``).

Boundaries move to a shot cut within ``SNAP_S`` (credits start at a cut, the story resumes at a cut).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.semantic.gates import credit_words, looks_like_names, text_like, tokens
from core.semantic.types import EvidenceLine, FrameFeatures

END_ZONE = 0.25  # fraction of the duration in which end credits may start ...
END_ZONE_MAX_S = 900.0  # ... but no earlier than this many seconds before the end
END_TAIL_S = 90.0  # the credits' last text lies at most this long before the end (logos, black after them)
END_GAP_S = 10.0  # seconds without text that still belong to rolling credits
MIN_CREDITS_S = 8.0
MIN_LINES = 4
START_ZONE = 0.15
START_ZONE_MAX_S = 300.0
START_GAP_S = 25.0  # title cards of an opening sequence come at most this far apart
MAX_OPENING_LINES_PER_MIN = 40.0
DARK_LUMA = 0.25  # 0..1
SNAP_S = 5.0
CREDIT_SHARE = 0.3  # share of credit-like lines that makes a run credits whatever the background


@dataclass(frozen=True)
class TitleSequence:
    """An opening-titles or end-credits run: ``kind`` is "opening" or "credits"."""

    start_s: float
    end_s: float
    kind: str
    lines: int  # on-screen text lines inside
    why: str

    @property
    def label(self) -> str:
        return "Opening titles" if self.kind == "opening" else "End credits"


def credit_like(text: str) -> bool:
    """Names, a short line with a credit role ("Music and sound design"), "... presents", "a film by"."""
    low = text.lower()
    short_role = bool(credit_words(text)) and len(tokens(text)) <= 5
    return looks_like_names(text) or short_role or low.endswith("presents") or low.startswith("a film by")


def _median_luma(frames: FrameFeatures, a: float, b: float) -> float | None:
    rows = frames.between(a, b)
    return float(np.median(frames.luma[rows])) if len(rows) else None


def _coverage(lines: Sequence[EvidenceLine], a: float, b: float) -> float:
    """Fraction of [a, b] covered by the union of the lines' spans."""
    covered, end = 0.0, a
    for ln in sorted(lines, key=lambda x: x.start_s):
        s, e = max(ln.start_s, end), min(ln.end_s, b)
        if e > s:
            covered += e - s
            end = e
    return covered / (b - a) if b > a else 0.0


def _snap(t: float, cuts: Sequence[float], prefer: str) -> float:
    """The cut within SNAP_S of ``t``, preferring one before ("before") or after ("after") it."""
    near = [c for c in cuts if abs(c - t) <= SNAP_S]
    side = [c for c in near if (c <= t if prefer == "before" else c >= t)]
    pool = side or near
    return min(pool, key=lambda c: abs(c - t)) if pool else t


def end_credits(ocr: Sequence[EvidenceLine], frames: FrameFeatures, cuts: Sequence[float],
                duration_s: float) -> TitleSequence | None:
    lines = sorted(ocr, key=lambda x: x.start_s)
    zone = max(duration_s * (1 - END_ZONE), duration_s - END_ZONE_MAX_S)
    tail = [ln for ln in lines if ln.end_s >= duration_s - END_TAIL_S and ln.start_s >= zone]
    if not tail:
        return None
    i = lines.index(tail[-1])
    run = [lines[i]]
    reach = lines[i].start_s
    for ln in reversed(lines[:i]):
        if ln.start_s < zone or reach - ln.end_s > END_GAP_S:
            break
        run.append(ln)
        reach = min(reach, ln.start_s)
    run.reverse()
    a, b = run[0].start_s, max(ln.end_s for ln in run)
    if b - a < MIN_CREDITS_S or len(run) < MIN_LINES:
        return None
    share = sum(credit_like(ln.text) for ln in run) / len(run)
    luma = _median_luma(frames, a, b)
    dark = luma is not None and luma < DARK_LUMA and _coverage(run, a, b) >= 0.5
    if share < CREDIT_SHARE and not dark:
        return None
    start, end = _snap(a, cuts, "before"), min(_snap(b, cuts, "after"), duration_s)
    why = (f"{len(run)} lines of on-screen text from {a:.0f} s to {b:.0f} s, {share:.0%} of them names or credit "
           f"roles" + (f", over dark frames (median brightness {luma:.2f})" if dark else ""))
    return TitleSequence(start, end, "credits", len(run), why)


def opening_titles(ocr: Sequence[EvidenceLine], cuts: Sequence[float], duration_s: float) -> TitleSequence | None:
    zone = min(duration_s * START_ZONE, START_ZONE_MAX_S)
    lines = sorted((ln for ln in ocr if ln.start_s < zone), key=lambda x: x.start_s)
    if not lines or lines[0].start_s > START_GAP_S:
        return None
    run = [lines[0]]
    for ln in lines[1:]:
        if ln.start_s - max(x.end_s for x in run) > START_GAP_S:
            break
        run.append(ln)
    if not any(credit_like(ln.text) for ln in run):
        return None
    end = max(ln.end_s for ln in run)
    if len(run) / max(end / 60.0, 1.0) > MAX_OPENING_LINES_PER_MIN:
        return None
    cut = _next_cut(cuts, end)
    stop = cut if cut is not None and cut - end <= SNAP_S else end
    why = f"{len(run)} title cards of on-screen text in the first {stop:.0f} s"
    return TitleSequence(0.0, min(stop, duration_s), "opening", len(run), why)


def _next_cut(cuts: Sequence[float], t: float) -> float | None:
    ordered = sorted(cuts)
    i = bisect.bisect_left(ordered, t)
    return ordered[i] if i < len(ordered) else None


def title_sequences(ocr: Sequence[EvidenceLine], frames: FrameFeatures, cuts: Sequence[float],
                    duration_s: float) -> list[TitleSequence]:
    """The opening titles and end credits found (0, 1 or 2 runs, in time order, never overlapping)."""
    ocr = [ln for ln in ocr if ln.source == "ocr" and text_like(ln.text)]
    credits = end_credits(ocr, frames, cuts, duration_s)
    opening = opening_titles(ocr, cuts, duration_s)
    if opening is not None and credits is not None and opening.end_s >= credits.start_s:
        opening = None  # a short video that is all text: call it credits, once
    return [s for s in (opening, credits) if s is not None]
