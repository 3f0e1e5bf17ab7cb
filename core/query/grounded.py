"""Answers from whatever exists for a video: the video-LLM memory, the evidence layer, or both.

This is the entry point the CLI and the app use for ``find``, ``ask``, ``summary`` and the model's share of ``ads``:

* no video-LLM (``model is None``): answers come from the evidence (speech, subtitles, on-screen text, shots,
  frame statistics) through ``core.semantic``, and say plainly that no video model was used;
* a video-LLM memory and evidence: ``find`` fuses the model's per-window relevance with the evidence scores
  (``evidence_find(model_scores=...)``) and merges those moments with the model's own refined moments; ``ask``
  puts the question's evidence lines in the prompt (``core.query.asking``); ``summary`` comes from the model, and
  the evidence chapters are the fallback when the video has no memory for this model yet;
* a video-LLM memory only: the model paths as they are.

Every result is stored in ``queries`` (kind, question, result) for the history.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import sqlite_utils

from core.errors import LongwatchError
from core.model import VideoXL
from core.progress import CancelToken, ProgressCallback
from core.query.asking import AskOptions, ask
from core.query.finding import FindOptions, find
from core.query.history import record_query
from core.query.memory import LoadedMemory, NotIndexed, load_memory
from core.query.summary import SummaryOptions, summarize
from core.results import Answer, Moment, Summary

log = logging.getLogger(__name__)


class NoEvidence(LongwatchError):
    """Neither a video-LLM memory nor the evidence pass exists for the video."""


def has_evidence(db: sqlite_utils.Database, video: str) -> bool:
    """Whether an evidence pass has finished for ``video`` (a fingerprint)."""
    rows = db.execute(
        "SELECT 1 FROM index_runs WHERE video = ? AND kind = 'evidence' AND state = 'done' LIMIT 1", [video]
    ).fetchall()
    return bool(rows)


def _prepare_evidence(db: sqlite_utils.Database, video: str, progress: ProgressCallback | None,
                      cancel: CancelToken | None) -> bool:
    """Embed new evidence lines (returns at once when nothing is new); False when there is no evidence."""
    if not has_evidence(db, video):
        return False
    from core.semantic import embed_evidence

    embed_evidence(db, video, None, progress, cancel)
    return True


def _require_evidence(db: sqlite_utils.Database, video: str, progress: ProgressCallback | None,
                      cancel: CancelToken | None, *, prepared: bool | None = None) -> None:
    """Embed the evidence (unless ``prepared`` already says whether it exists), or say how to get some."""
    ready = _prepare_evidence(db, video, progress, cancel) if prepared is None else prepared
    if not ready:
        raise NoEvidence(
            "This video has no video-LLM index and no evidence pass yet; run: longwatch-cli ads VIDEO (evidence) "
            "or longwatch-cli index VIDEO --model DIR (video-LLM)."
        )


def window_spans(loaded: LoadedMemory, scores: np.ndarray) -> list[tuple[float, float, float]]:
    """``(start_s, end_s, p)`` per window, each lasting until the next one starts (the last until the end)."""
    windows = loaded.memory.windows
    starts = [w.start_s for w in windows]
    ends = [*starts[1:], max(windows[-1].end_s, loaded.duration_s)] if windows else []
    return [(a, b, float(p)) for a, b, p in zip(starts, ends, scores, strict=True)]


def merge_moments(first: list[Moment], second: list[Moment], *, overlap: float = 0.5) -> list[Moment]:
    """Union of two moment lists, best first; moments overlapping by ``overlap`` of the shorter become one
    (the higher score and its span, with both reasons)."""
    out: list[Moment] = []
    for m in sorted([*first, *second], key=lambda m: -m.score):
        for i, kept in enumerate(out):
            inter = min(kept.end, m.end) - max(kept.start, m.start)
            shorter = max(min(kept.duration, m.duration), 1e-6)
            if inter / shorter >= overlap:
                why = (*kept.why, *(w for w in m.why if w not in kept.why))
                out[i] = Moment(kept.start, kept.end, kept.score, kept.label, why)
                break
        else:
            out.append(m)
    return out


def grounded_find(db: sqlite_utils.Database, video: str, description: str, model: VideoXL | None, *,
                  options: FindOptions | None = None, progress: ProgressCallback | None = None,
                  cancel: CancelToken | None = None) -> list[Moment]:
    """Ranked moments for ``description`` from the model memory, the evidence, or both fused (scores 0..1)."""
    from core.semantic import evidence_find

    opts = options or FindOptions()
    evidence = _prepare_evidence(db, video, progress, cancel)
    if model is None:
        _require_evidence(db, video, progress, cancel, prepared=evidence)
        moments = evidence_find(db, video, description, limit=opts.top_k)
    else:
        loaded = load_memory(db, video, model)
        scores = np.asarray(model.score_windows(loaded.memory, description), dtype=np.float64)
        moments = find(db, video, description, model, options=opts, progress=progress, cancel=cancel,
                       loaded=loaded, window_scores=scores, record=False)
        if evidence:
            fused = evidence_find(db, video, description, limit=opts.top_k,
                                  model_scores=window_spans(loaded, scores))
            moments = merge_moments(moments, fused)[: opts.top_k]
    record_query(db, video, "find", description, {"moments": [m.to_json() for m in moments]})
    return moments


def grounded_ask(db: sqlite_utils.Database, video: str, question: str, model: VideoXL | None, *,
                 options: AskOptions | None = None, on_text: Callable[[str], None] | None = None,
                 cancel: CancelToken | None = None) -> Answer:
    """The answer from the model memory (with evidence lines in the prompt), or from the evidence alone."""
    from core.semantic import evidence_answer

    if model is not None:
        return ask(db, video, question, model, options=options or AskOptions(), on_text=on_text, cancel=cancel)
    _require_evidence(db, video, None, cancel)
    answer = evidence_answer(db, video, question)
    if on_text is not None:
        on_text(answer.text)
    record_query(db, video, "ask", question, {**answer.to_json(), "meta": answer.meta})
    return answer


def grounded_summary(db: sqlite_utils.Database, video: str, model: VideoXL | None, *,
                     options: SummaryOptions | None = None, progress: ProgressCallback | None = None,
                     cancel: CancelToken | None = None) -> Summary:
    """Chapters and overview from the model memory; the evidence chapters without a model or a memory."""
    from core.semantic import evidence_summary

    if model is not None:
        try:
            return summarize(db, video, model, options=options or SummaryOptions(), progress=progress,
                             cancel=cancel)
        except NotIndexed:
            if not has_evidence(db, video):
                raise
            log.warning("no video-LLM memory for this model yet: chapters come from the evidence")
    _require_evidence(db, video, progress, cancel)
    summary = evidence_summary(db, video)
    record_query(db, video, "summary", "", summary.to_json())
    return summary


def model_ad_scores_if_indexed(db: sqlite_utils.Database, video: str,
                               model: VideoXL | None) -> list[tuple[float, float, float]] | None:
    """The model's per-window advert probability when the video has a memory for ``model``, else None."""
    if model is None:
        return None
    from core.query.ads import model_ad_scores

    try:
        scores = model_ad_scores(db, video, model)
    except NotIndexed:
        return None
    return list(zip(scores.start_s, scores.end_s, scores.score, strict=True))
