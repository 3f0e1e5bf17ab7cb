"""The four answers (ask, find, ads, summary) from whatever a video has: its video-LLM memory, its evidence, or
both fused. The service (``core.usecases.service``) prepares the ``Grounds`` (runs the evidence pass when it is
missing, chooses the memory, loads model and memory) and stores what these return.

- **ask**: the video-LLM answers from the memory with the question's evidence lines in its prompt; without a
  memory the evidence answers by quoting the lines that match, and says so.
- **find**: the model's refined moments merged with the evidence moments fused with the model's per-window
  relevance; without a memory, the evidence moments alone (speech, subtitles, on-screen text, visual signals).
- **ads**: the evidence ad detector, fed the model's per-window advert scores when there is a memory; with a
  memory but no evidence, runs of windows the model calls adverts.
- **summary**: chapters and overview from the memory; without one, from the evidence.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sqlite_utils

from core.progress import CancelToken, ProgressCallback
from core.query import (
    AskOptions,
    FindOptions,
    LoadedMemory,
    SummaryOptions,
    WindowScores,
    ad_moments,
    evidence_context,
    model_ad_scores,
    summarize,
)
from core.query import ask as model_ask
from core.query import find as model_find
from core.results import AdBreak, Answer, chapter_moments, moments_text, summary_text
from core.spans import merge_moments
from core.usecases.grounds import AD_QUESTION, SUMMARY_QUESTION, Grounds
from core.vision import VisionOptions


def ask(db: sqlite_utils.Database, g: Grounds, question: str, *, options: AskOptions,
        on_text: Callable[[str], None] | None = None, cancel: CancelToken | None = None) -> Answer:
    from dataclasses import replace

    from core.semantic import evidence_answer

    if g.model is not None and g.memory is not None:
        ev = evidence_context(db, g.video.fingerprint, question) if g.evidence else None
        answer = model_ask(g.model, g.memory, question, evidence=ev, options=options, on_text=on_text,
                           cancel=cancel)
    else:
        answer = evidence_answer(db, g.video.fingerprint, question)
        if on_text is not None:
            on_text(answer.text)
    notes = tuple(dict.fromkeys((*answer.notes, *g.all_notes)))
    return replace(answer, kind="ask", notes=notes)


def window_spans(loaded: LoadedMemory, scores: np.ndarray) -> list[tuple[float, float, float]]:
    """``(start_s, end_s, p)`` per window, each lasting until the next one starts (the last until the end)."""
    windows = loaded.memory.windows
    starts = [w.start_s for w in windows]
    ends = [*starts[1:], max(windows[-1].end_s, loaded.duration_s)] if windows else []
    return [(a, b, float(p)) for a, b, p in zip(starts, ends, scores, strict=True)]


def find(db: sqlite_utils.Database, g: Grounds, description: str, *, options: FindOptions,
         vision: VisionOptions | None = None, progress: ProgressCallback | None = None,
         cancel: CancelToken | None = None) -> Answer:
    from core.semantic import evidence_find

    fp = g.video.fingerprint
    sources: tuple[str, ...]
    if g.model is not None and g.memory is not None:
        scores = np.asarray(g.model.score_windows(g.memory.memory, description), dtype=np.float64)  # (n_windows,)
        ev = evidence_context(db, fp, description) if g.evidence else None
        moments = model_find(g.model, g.memory, description, evidence=ev, options=options, progress=progress,
                             cancel=cancel, window_scores=scores)
        sources = ("video-llm",)
        if g.evidence:
            fused = evidence_find(db, fp, description, limit=options.top_k, vision=vision,
                                  model_scores=window_spans(g.memory, scores))
            moments = merge_moments(moments, fused)[: options.top_k]
            sources = ("video-llm", "evidence")
    else:
        moments = evidence_find(db, fp, description, limit=options.top_k, vision=vision)
        sources = ("evidence",)
    return Answer(description, moments_text(moments, "moment"), tuple(moments), sources, "find", notes=g.all_notes)


def ads(db: sqlite_utils.Database, g: Grounds, *, min_score: float = 0.5) -> Answer:
    scores: WindowScores | None = None
    if g.model is not None and g.memory is not None:
        scores = model_ad_scores(g.model, g.memory)
    if g.evidence:
        breaks = detect_breaks(db, g.video.fingerprint, scores, min_score)
        sources = ("evidence", "video-llm") if scores is not None else ("evidence",)
    else:
        assert scores is not None  # Grounds has a memory when it has no evidence
        breaks = [AdBreak(m.start, m.end, m.score, m.why) for m in ad_moments(scores, max(min_score, 0.5))]
        sources = ("video-llm",)
    moments = tuple(b.moment() for b in breaks)
    return Answer(AD_QUESTION, moments_text(moments, "ad break"), moments, sources, "ads", breaks=tuple(breaks),
                  notes=g.all_notes)


def detect_breaks(db: sqlite_utils.Database, fingerprint: str, scores: WindowScores | None,
                  min_score: float) -> list[AdBreak]:
    """The evidence detector's breaks, each with its adverts."""
    from core.evidence import detect_ad_breaks

    windows = None if scores is None else list(zip(scores.start_s, scores.end_s, scores.score, strict=True))
    return list(detect_ad_breaks(db, fingerprint, model_scores=windows, min_score=min_score))


def summary(db: sqlite_utils.Database, g: Grounds, *, options: SummaryOptions,
            progress: ProgressCallback | None = None, cancel: CancelToken | None = None) -> Answer:
    from core.semantic import evidence_summary

    if g.model is not None and g.memory is not None:
        made = summarize(g.model, g.memory, options=options, progress=progress, cancel=cancel)
    else:
        made = evidence_summary(db, g.video.fingerprint)
    return Answer(SUMMARY_QUESTION, summary_text(made), chapter_moments(made), made.sources, "summary",
                  summary=made, notes=g.all_notes)
