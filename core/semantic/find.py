"""``evidence_find``: ranked moments for a description from text evidence, the frames themselves (core.vision's
image-text embeddings, when the vision stage ran), visual statistics and (optionally) the video-LLM's per-window
relevance.

Ranking: FTS5 BM25 over normalised text and cosine similarity of sentence embeddings, fused with reciprocal rank
fusion (RRF, k=60: score = sum over lists of 1/(k + rank)). Scores shown to people are calibrated to 0..1:

- ``p_meaning`` = logistic((cos - 0.25) / 0.05): all-MiniLM-L6-v2 puts paraphrases at cos 0.35-0.8 and unrelated
  lines below 0.15, so a paraphrase reads ~0.85+, an unrelated line < 0.15;
- ``p_words`` = the share of the query's content words (normalised: numbers as digits) found in the line;
- confidence = 1 - (1 - p_meaning)(1 - 0.9 p_words); score = confidence x (0.6 + 0.4 rrf / rrf_max), so among
  equally confident lines the one both lists agree on goes first, and nothing scores high on rank alone.

With ``model_scores`` (per-window P("yes") from the video-LLM, see ``ModelScores``) each candidate's score becomes
the mean of its evidence score and the best overlapping window's p; windows the model likes (p >= 0.5) that no
evidence covers become moments of their own with score p/2 (one voice of two).

Frames (``core.vision.visual_find``, calibrated 0..1 per video) join before that: where a frame moment and a
text / statistics moment cover the same time they become one with score 1 - (1 - strong)(1 - 0.5 weak).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sqlite_utils

from core.evidence import FrameStat
from core.results import Moment
from core.semantic import store
from core.semantic.embedder import get_embedder
from core.semantic.normalize import normalize_text, query_terms
from core.semantic.sources import read_frame_stats
from core.semantic.types import EmbedOptions, EvidenceLine, ModelScores
from core.semantic.visual import parse_visual, visual_moments
from core.spans import merge_moments, shared_fraction
from core.timefmt import stamp
from core.vision import VisionModelMissing, VisionOptions, visual_find

log = logging.getLogger(__name__)

RRF_K = 60
CANDIDATES = 50  # per list
MODEL_WEIGHT = 0.5
AGREE = 0.5  # how much a second, agreeing source adds (fuse_seen)


@dataclass(frozen=True)
class LineHit:
    """One evidence line found for a query, with its calibrated score and the parts of it."""

    line: EvidenceLine
    score: float  # 0..1
    cosine: float
    words: float  # share of query content words present
    rrf: float
    line_id: int = 0  # the row of semantic_lines

    def why(self) -> str:
        return (f'{self.line.source} {stamp(self.line.start_s)}: "{self.line.text}" '
                f"(meaning {self.cosine:.2f}, words {self.words:.0%})")


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def rank_lines(db: sqlite_utils.Database, fingerprint: str, query: str, *, options: EmbedOptions | None = None,
               limit: int = 20) -> list[LineHit]:
    """Hybrid ranking of the video's evidence lines for ``query``, best first."""
    fts = store.fts_search(db, fingerprint, query, CANDIDATES)
    embedder = get_embedder(options)
    lines, mat = store.vectors(db, fingerprint, embedder.identity)  # mat: (n_lines, dim)
    by_id = {s.id: s.line for s, _ in fts}
    cos: dict[int, float] = {}
    vec_rank: list[int] = []
    if lines:
        qv = embedder.encode([query])[0]  # (dim,)
        sims = mat @ qv  # (n_lines,)
        order = np.argsort(-sims)[:CANDIDATES]
        cos = {lines[i].id: float(sims[i]) for i in range(len(lines))}
        vec_rank = [lines[i].id for i in order]
        by_id.update({lines[i].id: lines[i].line for i in order})
    return fuse_rankings(query, [s.id for s, _ in fts], vec_rank, by_id, cos)[:limit]


def fuse_rankings(query: str, fts_rank: Sequence[int], vec_rank: Sequence[int], by_id: dict[int, EvidenceLine],
                  cos: dict[int, float]) -> list[LineHit]:
    """Reciprocal rank fusion of a full-text and a vector ranking of line ids, with the calibrated score of the
    module docstring; ``cos`` holds the cosine of every line that has a vector. Best first."""
    rrf: dict[int, float] = {}
    for ranking in (fts_rank, vec_rank):
        for r, i in enumerate(ranking):
            rrf[i] = rrf.get(i, 0.0) + 1.0 / (RRF_K + r + 1)
    terms = query_terms(query)
    rrf_max = 2.0 / (RRF_K + 1)
    hits = []
    for i, fused in rrf.items():
        line = by_id[i]
        c = cos.get(i, 0.0)
        toks = set(normalize_text(line.text).split())
        words = sum(t in toks for t in terms) / len(terms) if terms else 0.0
        conf = 1 - (1 - _sigmoid((c - 0.25) / 0.05)) * (1 - 0.9 * words)
        hits.append(LineHit(line, conf * (0.6 + 0.4 * fused / rrf_max), c, words, fused, i))
    hits.sort(key=lambda h: (-h.score, -h.rrf))
    return hits



def fuse_model(moments: Sequence[Moment], model_scores: ModelScores) -> list[Moment]:
    """Fuse evidence moments with the video-LLM's per-window relevance (see the module docstring)."""
    wins = [(float(a), float(b), float(p)) for a, b, p in model_scores]
    for a, b, p in wins:
        if not (b >= a >= 0 and 0.0 <= p <= 1.0):
            raise ValueError(f"model_scores rows are (start_s, end_s, p) with 0 <= start <= end and p in 0..1, "
                             f"got {(a, b, p)}")
    out = []
    for m in moments:
        p = max((w[2] for w in wins if w[0] < m.end and w[1] > m.start), default=0.0)
        out.append(Moment(m.start, m.end, (1 - MODEL_WEIGHT) * m.score + MODEL_WEIGHT * p, m.label,
                          (*m.why, f"video model relevance {p:.2f}")))
    for a, b, p in wins:
        if p >= 0.5 and not any(m.start < b and m.end > a for m in moments):
            out.append(Moment(a, b, MODEL_WEIGHT * p, "video-llm", (f"video model relevance {p:.2f}",)))
    return sorted(out, key=lambda m: -m.score)


def fuse_seen(moments: Sequence[Moment], seen: Sequence[Moment]) -> list[Moment]:
    """Fuse text / statistics moments with the frames' own (``core.vision.visual_find``): where both cover the
    same time the stronger keeps its span and the score becomes 1 - (1 - strong)(1 - AGREE weak) (agreement
    raises it; AGREE < 1 because the two are not independent); elsewhere each keeps its own score."""
    out = list(moments)
    for m in seen:
        for i, o in enumerate(out):
            if shared_fraction(o, m) > 0.5 or (o.start < m.end and m.start < o.end and
                                               min(o.duration, m.duration) < 1.0):
                strong, weak = (o, m) if o.score >= m.score else (m, o)
                score = 1 - (1 - strong.score) * (1 - AGREE * weak.score)
                why = (*strong.why, *(w for w in weak.why if w not in strong.why))
                out[i] = Moment(strong.start, strong.end, min(1.0, score), strong.label, why)
                break
        else:
            out.append(m)
    return out


def _seen(db: sqlite_utils.Database, fingerprint: str, description: str, limit: int,
          vision: VisionOptions | None) -> list[Moment]:
    """``visual_find``'s moments, or none when no image-text model is installed (text search still works)."""
    try:
        return visual_find(db, fingerprint, description, limit=limit, options=vision)
    except VisionModelMissing as e:
        log.debug("visual_find skipped: %s", e)
        return []


def evidence_find(db: sqlite_utils.Database, fingerprint: str, description: str, *,
                  model_scores: ModelScores | None = None, limit: int = 10,
                  frame_stats: Sequence[FrameStat] | None = None, options: EmbedOptions | None = None,
                  min_score: float = 0.05, vision: VisionOptions | None = None,
                  use_frames: bool = True) -> list[Moment]:
    """Moments matching ``description``, best first, scores calibrated 0..1.

    Text moments carry label = the evidence source ("speech", "subtitle", "ocr", "visual" for a shot's
    description) and ``why`` quoting the line; moments from the frames themselves (``core.vision.visual_find``,
    when the vision stage ran: "frames look like 'a taxi' (0.71) at 1:15–1:23") and from picture statistics
    (colour, brightness, fades, flashes, still pictures, fast cutting) carry label "visual" and a ``why`` naming
    the signal. All are fused (``fuse_seen``), then with the video-LLM's window relevance when given.
    ``frame_stats`` defaults to what the evidence pass stored; ``vision`` names the image-text model (the one
    the video's frames were embedded with is used when that is another); ``use_frames=False`` leaves the frames'
    vectors out (text and statistics only, as before the vision stage existed).
    """
    hits = rank_lines(db, fingerprint, description, options=options, limit=max(limit * 3, 20))
    moments = [Moment(h.line.start_s, h.line.end_s, h.score, h.line.source, (h.why(),))
               for h in hits if h.score >= min_score]
    moments = merge_moments(moments)  # a subtitle and the speech it transcribes become one
    query = parse_visual(description)
    if query:
        stats = read_frame_stats(db, fingerprint) if frame_stats is None else frame_stats
        moments += visual_moments(query, stats)
    if use_frames:
        moments = fuse_seen(moments, _seen(db, fingerprint, description, max(limit * 2, 10), vision))
    if model_scores is not None:
        moments = fuse_model(moments, model_scores)
    return sorted(moments, key=lambda m: -m.score)[:limit]
