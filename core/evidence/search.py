"""Full-text search over transcript, subtitles and on-screen text with SQLite FTS5 (porter + unicode61, bm25).

The user's text is turned into an FTS5 query of quoted terms (so punctuation such as "555-0199" or "$19.99"
cannot break the query syntax): all terms must match; when nothing does, any term may (ranked by bm25).
"""

from __future__ import annotations

import re

import sqlite_utils

from core.errors import UsageError
from core.evidence.store import require_run
from core.evidence.types import TextHit

_TERM = re.compile(r"\w+", re.UNICODE)


def fts_query(text: str, *, any_term: bool = False) -> str:
    """``"call" "555" "0199"`` style query: each word quoted; AND by default, OR with ``any_term``."""
    terms = _TERM.findall(text)
    if not terms:
        raise UsageError(f"Nothing to search for in {text!r}; give one or more words.")
    return (" OR " if any_term else " ").join(f'"{t}"' for t in terms)


def search_text(db: sqlite_utils.Database, fingerprint: str, text: str, limit: int = 20) -> list[TextHit]:
    """Ranked hits (best first) for ``text`` in the video's transcript, subtitles and on-screen text."""
    if limit < 1:
        raise UsageError(f"limit={limit} must be at least 1.")
    run = require_run(db, fingerprint)
    hits = _query(db, run, fts_query(text), limit)
    if not hits and len(_TERM.findall(text)) > 1:
        hits = _query(db, run, fts_query(text, any_term=True), limit)
    return hits


def _query(db: sqlite_utils.Database, run: int, match: str, limit: int) -> list[TextHit]:
    sql = """
        SELECT text, source, start_s, end_s, bm25(ev_text) AS rank,
               snippet(ev_text, 0, '[', ']', '…', 12) AS snip
        FROM ev_text WHERE ev_text MATCH ? AND run_id = ?
        ORDER BY rank, start_s LIMIT ?
    """
    return [TextHit(float(r["start_s"]), float(r["end_s"]), r["text"], r["source"], -float(r["rank"]), r["snip"])
            for r in db.query(sql, [match, run, limit])]


def search_library(db: sqlite_utils.Database, text: str, limit: int = 20) -> list[tuple[str, TextHit]]:
    """Ranked hits for ``text`` across every video's evidence: ``(fingerprint, hit)``, best first.

    The same query as ``search_text`` (all words, else any), over one full-text index that holds every video's
    lines: bm25 ranks them together, so a hit in a long film and one in a short clip compare fairly.
    """
    if limit < 1:
        raise UsageError(f"limit={limit} must be at least 1.")
    hits = _query_all(db, fts_query(text), limit)
    if not hits and len(_TERM.findall(text)) > 1:
        hits = _query_all(db, fts_query(text, any_term=True), limit)
    return hits


def _query_all(db: sqlite_utils.Database, match: str, limit: int) -> list[tuple[str, TextHit]]:
    sql = """
        SELECT r.video AS video, t.text AS text, t.source AS source, t.start_s AS start_s, t.end_s AS end_s,
               t.rank AS rank, t.snip AS snip
        FROM (SELECT text, source, start_s, end_s, run_id, bm25(ev_text) AS rank,
                     snippet(ev_text, 0, '[', ']', '…', 12) AS snip
              FROM ev_text WHERE ev_text MATCH ? ORDER BY rank LIMIT ?) t
        JOIN index_runs r ON r.id = t.run_id
        ORDER BY t.rank, r.video, t.start_s
    """
    return [(r["video"], TextHit(float(r["start_s"]), float(r["end_s"]), r["text"], r["source"], -float(r["rank"]),
                                 r["snip"]))
            for r in db.query(sql, [match, limit])]
