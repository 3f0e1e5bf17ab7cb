"""``search_text``: full-text hits in the transcript, subtitles, on-screen text and shot descriptions.

The one full-text index of the engine: SQLite FTS5 (porter stemming, unicode61) over the evidence lines'
normalised text (``semantic_lines.norm``: numbers as digits, no case or punctuation), which search by meaning
(``rank_lines``) uses too. The lines are synced from what the evidence pass stored before every search (a cheap
diff: nothing is written when nothing changed), so the index is never behind the evidence. All query terms must
match; when nothing does, any term may (ranked by BM25).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlite_utils

from core.errors import UsageError
from core.evidence import TextHit
from core.evidence.store import require_run
from core.semantic import store
from core.semantic.normalize import normalize_text, query_terms
from core.semantic.sources import read_lines

_WORD = re.compile(r"\w+", re.UNICODE)


def sync_evidence_lines(db: sqlite_utils.Database, fingerprint: str) -> int:
    """Bring the video's searchable lines up to date with its evidence; returns how many were added."""
    return store.sync_lines(db, fingerprint, read_lines(db, fingerprint))


def search_text(db: sqlite_utils.Database, fingerprint: str, text: str, limit: int = 20) -> list[TextHit]:
    """Ranked hits (best first) for ``text`` in the video's evidence lines (an EvidenceMissing error before the
    evidence pass ran)."""
    if limit < 1:
        raise UsageError(f"The limit {limit} must be at least 1.")
    terms = query_terms(text) or [t for t in normalize_text(text).split() if t]
    if not terms:
        raise UsageError(f"Nothing to search for in {text!r}; give one or more words.")
    require_run(db, fingerprint)
    sync_evidence_lines(db, fingerprint)
    hits = _query(db, fingerprint, " ".join(_quoted(terms)), limit, terms)
    if not hits and len(terms) > 1:
        hits = _query(db, fingerprint, " OR ".join(_quoted(terms)), limit, terms)
    return hits


def search_library(db: sqlite_utils.Database, text: str, limit: int = 20) -> list[tuple[str, TextHit]]:
    """Ranked hits for ``text`` across every video's evidence lines: ``(fingerprint, hit)``, best first.

    The same query as ``search_text`` over the same index, which holds every video's lines, so BM25 ranks a hit
    in a long film and one in a short clip together. Lines are synced when a video's evidence is made or embedded
    (``embed_evidence``) and by every single-video search; here only videos with evidence and no lines yet are
    synced, so a query over a 200-hour library does not re-read every video's evidence.
    """
    if limit < 1:
        raise UsageError(f"The limit {limit} must be at least 1.")
    terms = query_terms(text) or [t for t in normalize_text(text).split() if t]
    if not terms:
        raise UsageError(f"Nothing to search for in {text!r}; give one or more words.")
    for fingerprint in _videos_without_lines(db):
        sync_evidence_lines(db, fingerprint)
    hits = _query_all(db, " ".join(_quoted(terms)), limit, terms)
    if not hits and len(terms) > 1:
        hits = _query_all(db, " OR ".join(_quoted(terms)), limit, terms)
    return hits


def _videos_without_lines(db: sqlite_utils.Database) -> list[str]:
    return [str(r[0]) for r in db.execute(
        "SELECT DISTINCT r.video FROM index_runs r WHERE r.kind = 'evidence' "
        "AND NOT EXISTS (SELECT 1 FROM semantic_lines l WHERE l.video = r.video) ORDER BY r.video").fetchall()]


def _query_all(db: sqlite_utils.Database, match: str, limit: int,
               terms: Sequence[str]) -> list[tuple[str, TextHit]]:
    rows = db.execute(
        "SELECT l.video, l.start_s, l.end_s, l.text, l.source, bm25(semantic_fts) AS rank FROM semantic_fts "
        "JOIN semantic_lines l ON l.id = semantic_fts.rowid WHERE semantic_fts MATCH ? "
        "ORDER BY rank, l.video, l.start_s LIMIT ?",
        [match, limit],
    ).fetchall()
    return [(str(r[0]), TextHit(float(r[1]), float(r[2]), str(r[3]), str(r[4]), -float(r[5]),
                                highlight(str(r[3]), terms)))
            for r in rows]


def _quoted(terms: Sequence[str]) -> list[str]:
    return ['"' + t.replace('"', '""') + '"' for t in terms]


def _query(db: sqlite_utils.Database, fingerprint: str, match: str, limit: int,
           terms: Sequence[str]) -> list[TextHit]:
    rows = db.execute(
        "SELECT l.start_s, l.end_s, l.text, l.source, bm25(semantic_fts) AS rank FROM semantic_fts "
        "JOIN semantic_lines l ON l.id = semantic_fts.rowid WHERE semantic_fts MATCH ? AND l.video = ? "
        "ORDER BY rank, l.start_s LIMIT ?",
        [match, fingerprint, limit],
    ).fetchall()
    return [TextHit(float(r[0]), float(r[1]), str(r[2]), str(r[3]), -float(r[4]), highlight(str(r[2]), terms))
            for r in rows]


def highlight(text: str, terms: Sequence[str]) -> str:
    """``text`` with the words that match a query term (after the same normalisation, by prefix for stemming)
    in [brackets], e.g. "[Call] now on 555 0199"."""
    wanted = tuple(terms)

    def mark(m: re.Match[str]) -> str:
        norm = normalize_text(m.group(0))
        hit = any(norm == t or (len(t) >= 4 and norm.startswith(t[:4])) for t in wanted)
        return f"[{m.group(0)}]" if hit else m.group(0)

    return _WORD.sub(mark, text)
