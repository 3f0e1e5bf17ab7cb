"""The semantic tables: evidence lines with normalised text (FTS5) and their embedding vectors.

Vectors are float32 blobs in ``semantic_lines.vector`` and similarity is computed with numpy. The ``sqlite-vec``
extension was the first choice, but this Python's ``sqlite3`` is built without ``enable_load_extension``, so
the extension cannot be loaded on the connection. The blob layout is sqlite-vec's (``serialize_float32``:
little-endian float32), so a build with extension loading can query the same column with
``vec_distance_cosine``. Brute force is fine at this scale: a 2-hour film has a few thousand lines (384-d ->
~1.5 kB each), one matrix product per query.

The lines are copied here (rather than read from the evidence tables at query time) because full-text search
must see the *normalised* text (numbers as digits) that the query is normalised to as well.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlite_utils

from core.semantic.normalize import fts_match, normalize_text
from core.semantic.types import EvidenceLine


@dataclass(frozen=True)
class StoredLine:
    id: int
    line: EvidenceLine


def sync_lines(db: sqlite_utils.Database, video: str, lines: Sequence[EvidenceLine]) -> int:
    """Make the stored lines of ``video`` equal to ``lines`` (new ones added unembedded, gone ones removed).

    Returns the number of lines added. Lines already stored keep their vectors, which makes the stage resumable.
    """
    wanted = {(ln.source, round(ln.start_s, 3), ln.text): ln for ln in lines if ln.text.strip()}
    have = {(r[1], round(r[2], 3), r[3]): int(r[0]) for r in db.execute(
        "SELECT id, source, start_s, text FROM semantic_lines WHERE video = ?", [video]).fetchall()}
    gone = [have[k] for k in have.keys() - wanted.keys()]
    new = [wanted[k] for k in wanted.keys() - have.keys()]
    with db.atomic():
        for i in range(0, len(gone), 500):
            chunk = gone[i:i + 500]
            db.execute(f"DELETE FROM semantic_lines WHERE id IN ({','.join('?' * len(chunk))})", chunk)
        db.conn.executemany(
            "INSERT INTO semantic_lines(video, source, start_s, end_s, text, norm) VALUES (?,?,?,?,?,?)",
            [(video, ln.source, round(ln.start_s, 3), ln.end_s, ln.text, normalize_text(ln.text)) for ln in new],
        )
    return len(new)


def pending(db: sqlite_utils.Database, video: str, model: str, limit: int) -> list[tuple[int, str]]:
    """(id, text) of up to ``limit`` lines not yet embedded with ``model``."""
    rows = db.execute(
        "SELECT id, text FROM semantic_lines WHERE video = ? AND (model IS NULL OR model != ?) ORDER BY id LIMIT ?",
        [video, model, limit],
    ).fetchall()
    return [(int(r[0]), str(r[1])) for r in rows]


def count_lines(db: sqlite_utils.Database, video: str, model: str | None = None) -> int:
    if model is None:
        return int(db.execute("SELECT count(*) FROM semantic_lines WHERE video = ?", [video]).fetchone()[0])
    return int(db.execute("SELECT count(*) FROM semantic_lines WHERE video = ? AND model = ?",
                          [video, model]).fetchone()[0])


def store_vectors(db: sqlite_utils.Database, ids: Sequence[int], model: str, vectors: np.ndarray) -> None:
    """Write one batch of vectors, shape (len(ids), dim) float32, in one transaction."""
    rows = [(model, np.asarray(v, dtype="<f4").tobytes(), i) for i, v in zip(ids, vectors, strict=True)]
    with db.atomic():
        db.conn.executemany("UPDATE semantic_lines SET model = ?, vector = ? WHERE id = ?", rows)


def _line(row: Sequence[Any]) -> StoredLine:
    return StoredLine(int(row[0]), EvidenceLine(float(row[1]), float(row[2]), str(row[3]), str(row[4])))


def all_lines(db: sqlite_utils.Database, video: str) -> list[StoredLine]:
    """Every stored line of ``video`` in time order."""
    rows = db.execute("SELECT id, start_s, end_s, text, source FROM semantic_lines WHERE video = ? "
                      "ORDER BY start_s, id", [video]).fetchall()
    return [_line(r) for r in rows]


def vectors(db: sqlite_utils.Database, video: str, model: str) -> tuple[list[StoredLine], np.ndarray]:
    """The embedded lines of ``video`` in time order and their vectors, shape (n, dim) float32."""
    rows = db.execute("SELECT id, start_s, end_s, text, source, vector FROM semantic_lines "
                      "WHERE video = ? AND model = ? ORDER BY start_s, id", [video, model]).fetchall()
    if not rows:
        return [], np.zeros((0, 0), dtype=np.float32)
    mat = np.frombuffer(b"".join(r[5] for r in rows), dtype="<f4").reshape(len(rows), -1)
    return [_line(r) for r in rows], mat


def fts_search(db: sqlite_utils.Database, video: str, query: str, limit: int = 50) -> list[tuple[StoredLine, float]]:
    """Lines matching any normalised query term, best BM25 first: (line, bm25) with bm25 < 0 (lower is better)."""
    match = fts_match(query)
    if match is None:
        return []
    rows = db.execute(
        "SELECT l.id, l.start_s, l.end_s, l.text, l.source, bm25(semantic_fts) AS rank FROM semantic_fts "
        "JOIN semantic_lines l ON l.id = semantic_fts.rowid WHERE semantic_fts MATCH ? AND l.video = ? "
        "ORDER BY rank LIMIT ?",
        [match, video, limit],
    ).fetchall()
    return [(_line(r), float(r[5])) for r in rows]


def lines_by_ids(db: sqlite_utils.Database, ids: Iterable[int]) -> dict[int, StoredLine]:
    ids = list(ids)
    if not ids:
        return {}
    rows = db.execute(f"SELECT id, start_s, end_s, text, source FROM semantic_lines WHERE id IN "
                      f"({','.join('?' * len(ids))})", ids).fetchall()
    return {int(r[0]): _line(r) for r in rows}


def library_signature(db: sqlite_utils.Database, model: str) -> tuple[int, int]:
    """(count, largest id) of the lines embedded with ``model``: changes whenever lines are added or removed."""
    row = db.execute("SELECT count(*), coalesce(max(id), 0) FROM semantic_lines WHERE model = ?", [model]).fetchone()
    return int(row[0]), int(row[1])


def library_vectors(db: sqlite_utils.Database, model: str) -> tuple[list[int], list[str], np.ndarray]:
    """Every line of the library embedded with ``model``: ids, their videos, and the vectors (n, dim) float32."""
    ids: list[int] = []
    videos: list[str] = []
    parts: list[bytes] = []
    for i, video, blob in db.execute("SELECT id, video, vector FROM semantic_lines WHERE model = ? ORDER BY id",
                                     [model]):
        ids.append(int(i))
        videos.append(str(video))
        parts.append(blob)
    if not ids:
        return [], [], np.zeros((0, 0), dtype=np.float32)
    return ids, videos, np.frombuffer(b"".join(parts), dtype="<f4").reshape(len(ids), -1)


def fts_search_library(db: sqlite_utils.Database, query: str, limit: int = 50) -> list[tuple[str, StoredLine, float]]:
    """Lines of any video matching any normalised query term, best BM25 first: (video, line, bm25)."""
    match = fts_match(query)
    if match is None:
        return []
    rows = db.execute(
        "SELECT l.id, l.start_s, l.end_s, l.text, l.source, f.rank, l.video FROM "
        "(SELECT rowid, bm25(semantic_fts) AS rank FROM semantic_fts WHERE semantic_fts MATCH ? "
        " ORDER BY rank LIMIT ?) f JOIN semantic_lines l ON l.id = f.rowid ORDER BY f.rank",
        [match, limit],
    ).fetchall()
    return [(str(r[6]), _line(r), float(r[5])) for r in rows]


def lines_with_videos(db: sqlite_utils.Database, ids: Iterable[int]) -> dict[int, tuple[str, StoredLine]]:
    ids = list(ids)
    if not ids:
        return {}
    rows = db.execute(f"SELECT id, start_s, end_s, text, source, video FROM semantic_lines WHERE id IN "
                      f"({','.join('?' * len(ids))})", ids).fetchall()
    return {int(r[0]): (str(r[5]), _line(r)) for r in rows}


LineRow = tuple[str, float, float, str, str, str | None, bytes | None]  # source, start, end, text, norm, model, vector


def export_lines(db: sqlite_utils.Database, video: str) -> tuple[LineRow, ...]:
    """The video's lines with their vectors, in insertion order (see ``core.evidence.transfer``)."""
    rows = db.execute("SELECT source, start_s, end_s, text, norm, model, vector FROM semantic_lines WHERE video = ? "
                      "ORDER BY id", [video]).fetchall()
    return tuple((str(r[0]), float(r[1]), float(r[2]), str(r[3]), str(r[4]), r[5], r[6]) for r in rows)


def replace_lines(db: sqlite_utils.Database, video: str, rows: Sequence[LineRow]) -> None:
    """Make the video's lines exactly ``rows`` (one transaction; the full-text index follows by trigger)."""
    with db.atomic():
        db.execute("DELETE FROM semantic_lines WHERE video = ?", [video])
        db.conn.executemany("INSERT INTO semantic_lines (video, source, start_s, end_s, text, norm, model, vector) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [(video, *r) for r in rows])


def lines_digest(db: sqlite_utils.Database, video: str) -> str:
    """sha256 over the video's lines and vectors in a canonical order."""
    import hashlib

    h = hashlib.sha256()
    for r in sorted(export_lines(db, video), key=repr):
        h.update(repr(r).encode())
    return h.hexdigest()
