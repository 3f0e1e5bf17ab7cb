"""Search by meaning across the whole library (``find --all``): every video's evidence lines ranked together.

The same hybrid ranking as one video's ``rank_lines`` (full-text BM25 and embedding cosine, fused by reciprocal
rank, calibrated to 0..1 by ``fuse_rankings``), so a score means the same in a one-video and a library answer.
The vectors of the whole library are one matrix, (lines, dim) float32, that ``LibraryVectors`` keeps between
questions and reloads only when lines were added or removed (a 200-hour library holds ~10^5-10^6 lines: seconds
to read, tens of milliseconds to multiply). Visual descriptions (colours, fades) are matched per video only.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import sqlite_utils

from core.results import Moment
from core.semantic import store
from core.semantic.embedder import get_embedder
from core.semantic.find import CANDIDATES, LineHit, fuse_rankings
from core.semantic.types import EmbedOptions
from core.spans import merge_moments


@dataclass(frozen=True)
class _Loaded:
    signature: tuple[int, int]
    ids: np.ndarray  # (n,) int64 line ids
    videos: tuple[str, ...]
    mat: np.ndarray  # (n, dim) float32


class LibraryVectors:
    """The library's line vectors for one embedding model, kept warm; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: dict[str, _Loaded] = {}

    def get(self, db: sqlite_utils.Database, model: str) -> _Loaded:
        signature = store.library_signature(db, model)
        with self._lock:
            have = self._loaded.get(model)
            if have is None or have.signature != signature:
                ids, videos, mat = store.library_vectors(db, model)
                have = _Loaded(signature, np.asarray(ids, dtype=np.int64), tuple(videos), mat)
                self._loaded = {model: have}  # one model at a time: the matrix can be large
            return have


def rank_library(db: sqlite_utils.Database, query: str, *, vectors: LibraryVectors | None = None,
                 options: EmbedOptions | None = None, limit: int = 20) -> list[tuple[str, LineHit]]:
    """``(fingerprint, hit)`` for the library's lines that best match ``query``, best first."""
    fts = store.fts_search_library(db, query, CANDIDATES)
    embedder = get_embedder(options)
    loaded = (vectors or LibraryVectors()).get(db, embedder.identity)
    cos: dict[int, float] = {}
    vec_rank: list[int] = []
    if loaded.ids.size:
        qv = embedder.encode([query])[0]  # (dim,)
        sims = loaded.mat @ qv  # (n,)
        top = np.argpartition(-sims, min(CANDIDATES, sims.size - 1))[:CANDIDATES]
        top = top[np.argsort(-sims[top])]
        vec_rank = [int(loaded.ids[i]) for i in top]
        cos = {int(loaded.ids[i]): float(sims[i]) for i in top}
    found = store.lines_with_videos(db, [*vec_rank, *(s.id for _, s, _ in fts)])
    for _, s, _ in fts:  # lines found by words alone still get their cosine when they have a vector
        if s.id not in cos and loaded.ids.size:
            at = np.searchsorted(loaded.ids, s.id)
            if at < loaded.ids.size and loaded.ids[at] == s.id:
                cos[s.id] = float(loaded.mat[at] @ qv)
    by_id = {i: line.line for i, (_, line) in found.items()}
    hits = fuse_rankings(query, [s.id for _, s, _ in fts], vec_rank, by_id, cos)
    return [(found[h.line_id][0], h) for h in hits[:limit]]


def library_find(db: sqlite_utils.Database, description: str, *, vectors: LibraryVectors | None = None,
                 options: EmbedOptions | None = None, limit: int = 10,
                 min_score: float = 0.05) -> list[tuple[str, Moment]]:
    """Moments matching ``description`` across the library: ``(fingerprint, moment)``, best first, scores 0..1
    (a subtitle and the speech it transcribes become one moment, as for one video)."""
    hits = rank_library(db, description, vectors=vectors, options=options, limit=max(limit * 3, 30))
    per_video: dict[str, list[Moment]] = {}
    for video, h in hits:
        if h.score >= min_score:
            per_video.setdefault(video, []).append(
                Moment(h.line.start_s, h.line.end_s, h.score, h.line.source, (h.why(),)))
    out = [(video, m) for video, moments in per_video.items() for m in merge_moments(moments)]
    out.sort(key=lambda vm: (-vm[1].score, vm[0], vm[1].start))
    return out[:limit]
