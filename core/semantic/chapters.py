"""``evidence_summary``: chapters and an overall summary from evidence alone (no video-LLM).

Chapter boundaries are topic shifts in the transcript and subtitles, found TextTiling-style (Hearst 1997) with
sentence embeddings instead of word counts: at every gap between consecutive lines, the cosine similarity between
the mean vector of the ``window`` lines before and the ``window`` lines after; a gap's depth score is how far that
similarity dips below the nearest peaks on both sides. Deep gaps become boundaries (deepest first, at least
``min_chapter_s`` apart), each snapped to a shot boundary within ``snap_s`` when there is one. Without text, the
shot boundaries nearest to even splits are used.

Each chapter gets its one or two most central lines as text and a title (``titles.make_titles``); the overview
is the most central line of each chapter (up to ``overview_lines``), with times like [12:34].
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sqlite_utils

from core.results import Chapter, Summary
from core.semantic import store
from core.semantic.embedder import get_embedder
from core.semantic.sources import read_shot_starts
from core.semantic.titles import make_titles
from core.semantic.types import EmbedOptions, EvidenceLine
from core.timefmt import stamp


@dataclass(frozen=True)
class ChapterOptions:
    """``window``: lines on each side of a gap; ``min_chapter_s``: shortest chapter; ``snap_s``: how far a
    boundary may move to meet a shot boundary; ``titles``: "auto" (SmolLM2 when installed) or "extractive"."""

    window: int = 4
    min_chapter_s: float = 20.0
    max_chapters: int = 24
    snap_s: float = 5.0
    titles: str = "auto"
    overview_lines: int = 5

    def __post_init__(self) -> None:
        if self.window < 1:
            raise ValueError(f"ChapterOptions.window must be >= 1, got {self.window}")
        if self.min_chapter_s <= 0 or self.snap_s < 0:
            raise ValueError(f"ChapterOptions needs min_chapter_s > 0 and snap_s >= 0, got {self.min_chapter_s}, "
                             f"{self.snap_s}")
        if self.titles not in ("auto", "extractive"):
            raise ValueError(f"ChapterOptions.titles must be 'auto' or 'extractive', got {self.titles!r}")
        if not 1 <= self.max_chapters <= 500:
            raise ValueError(f"ChapterOptions.max_chapters must be in 1..500, got {self.max_chapters}")


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


def _snap(t: float, lo: float, hi: float, shots: Sequence[float], snap_s: float) -> float:
    near = [s for s in shots if lo - snap_s <= s <= hi + snap_s]
    return min(near, key=lambda s: abs(s - t)) if near else t


def text_boundaries(lines: Sequence[EvidenceLine], vecs: np.ndarray, shots: Sequence[float], duration_s: float,
                    opts: ChapterOptions) -> list[float]:
    """Boundary times (seconds, sorted) from topic shifts in ``lines`` (time order, vecs row-aligned)."""
    if len(lines) < 2 * opts.window:
        return []
    depth = depth_scores(vecs, opts.window)
    cutoff = max(0.05, float(depth.mean() + 0.5 * depth.std()))
    chosen: list[float] = []
    for i in np.argsort(-depth):
        if depth[i] < cutoff or len(chosen) >= opts.max_chapters - 1:
            break
        t = _snap(lines[i + 1].start_s, lines[i].end_s, lines[i + 1].start_s, shots, opts.snap_s)
        edges = [0.0, duration_s, *chosen]
        if all(abs(t - e) >= opts.min_chapter_s for e in edges):
            chosen.append(t)
    return sorted(chosen)


def shot_boundaries(shots: Sequence[float], duration_s: float, opts: ChapterOptions) -> list[float]:
    """Without text: the shot starts nearest to even splits of about five minutes each."""
    n = int(min(opts.max_chapters, max(1, round(duration_s / 300.0))))
    out: list[float] = []
    for k in range(1, n):
        target = duration_s * k / n
        cands = [s for s in shots if all(abs(s - e) >= opts.min_chapter_s for e in [0.0, duration_s, *out])]
        if cands:
            out.append(min(cands, key=lambda s: abs(s - target)))
    return sorted(out)


def _central(idx: Sequence[int], vecs: np.ndarray, k: int) -> list[int]:
    """The ``k`` rows of ``idx`` closest to their mean, in time order."""
    if not idx:
        return []
    sub = vecs[list(idx)]
    centre = sub.mean(axis=0)
    order = np.argsort(-(sub @ centre))[:k]
    return sorted(idx[int(i)] for i in order)


def _duration(db: sqlite_utils.Database, video: str, lines: Sequence[EvidenceLine]) -> float:
    row = db.execute("SELECT duration_s FROM videos WHERE fingerprint = ?", [video]).fetchone()
    last = max((ln.end_s for ln in lines), default=0.0)
    return max(float(row[0]) if row else 0.0, last)


def evidence_summary(db: sqlite_utils.Database, fingerprint: str, *, options: ChapterOptions | None = None,
                     embed_options: EmbedOptions | None = None, shots: Sequence[float] | None = None,
                     duration_s: float | None = None) -> Summary:
    """Chapters (start, end, short title, one or two sentences) and an extractive overview with times.

    Needs ``embed_evidence`` to have run for the video; ``shots`` (shot start times) default to the evidence
    pass's shots, ``duration_s`` to the library's duration of the video.
    """
    opts = options or ChapterOptions()
    stored, vecs = store.vectors(db, fingerprint, get_embedder(embed_options).identity)  # vecs (n, dim)
    lines = [s.line for s in stored]
    shots = sorted(read_shot_starts(db, fingerprint) if shots is None else shots)
    total = duration_s if duration_s is not None else _duration(db, fingerprint, lines)
    bounds = text_boundaries(lines, vecs, shots, total, opts) if lines else []
    if not bounds and not lines:
        bounds = shot_boundaries(shots, total, opts)
    edges = [0.0, *bounds, total]
    spans = [(a, b) for a, b in itertools.pairwise(edges) if b > a]
    members = [[i for i, ln in enumerate(lines) if a <= (ln.start_s + ln.end_s) / 2 < b or (b == total and
                (ln.start_s + ln.end_s) / 2 >= b)] for a, b in spans]
    texts = [" ".join(lines[i].text for i in m) for m in members]
    titles, made_by = make_titles(texts, use_model=opts.titles == "auto")
    chapters = []
    for (a, b), m, title in zip(spans, members, titles, strict=True):
        body = " ".join(lines[i].text for i in _central(m, vecs, 2)) if m else "No speech or text here."
        chapters.append(Chapter(a, b, title if m else f"Part {stamp(a)}", body))
    best = [(_central(m, vecs, 1), len(m)) for m in members if m]
    picked = sorted(i for c, _ in sorted(best, key=lambda x: -x[1])[:opts.overview_lines] for i in c)
    overview = " ".join(f"{stamp(lines[i].start_s)} {lines[i].text}" for i in picked)
    sources = tuple(sorted({ln.source for ln in lines})) + (("shots",) if shots else ()) + (f"titles: {made_by}",)
    return Summary(tuple(chapters), overview or "No transcript, subtitles or on-screen text to summarise.", sources)
