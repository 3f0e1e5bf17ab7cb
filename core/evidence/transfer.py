"""A video's evidence rows as one value: exported from one database, imported into another, digested.

Used when the evidence pass runs somewhere that must not open the library file (a Ray worker runs it into a
private temporary database and ships the rows back; the driver imports them in one transaction), and to prove that
two libraries hold the same evidence (``evidence_digest``: a hash over the rows in a canonical order, without row
ids or timestamps, which differ between databases).

Rows travel as the tables hold them (every column but ``id`` / ``run_id``, in insertion order), so the imported
rows are the ones the local pass writes, and readers that order by time then insertion see the same order. The
vision stages' rows (keyed by video, not by run: frame vectors, shots, object detections) travel with them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from core.errors import StoreError
from core.evidence import store

_NESTED = {"ev_transcript", "ev_words"}  # ev_words hangs off ev_transcript's ids: both travel together
_SKIP = {"id", "run_id", "updated_at"}
Row = tuple[Any, ...]


@dataclass(frozen=True)
class EvidenceRows:
    """Everything the evidence pass stored for one video."""

    video: str  # fingerprint
    settings_json: str
    state: str
    error: str | None
    tables: tuple[tuple[str, tuple[str, ...], tuple[Row, ...]], ...]  # (table, columns, rows)
    transcript: tuple[tuple[Row, tuple[Row, ...]], ...]  # (segment row, its words)
    # what the vision stages stored for the video (vision_frames, vision_objects, ...): (table, columns, rows)
    seen: tuple[tuple[str, tuple[str, ...], tuple[Row, ...]], ...] = ()
    models: tuple[Row, ...] = ()  # vision_models rows the video's frame vectors were made with

    def digest(self) -> str:
        return evidence_digest_of(self)


def run_tables(db: sqlite_utils.Database) -> tuple[str, ...]:
    """The evidence pass's tables keyed by run_id, found from the schema (so a table a later migration adds
    travels too): ``evidence_stages`` and every ``ev_*`` table with a run_id column, but the transcript pair."""
    names = [str(r[0]) for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND (name = 'evidence_stages' OR name LIKE 'ev\\_%' "
        "ESCAPE '\\') ORDER BY name").fetchall()]
    return tuple(n for n in names if n not in _NESTED and "run_id" in _all_columns(db, n))


def video_tables(db: sqlite_utils.Database) -> tuple[str, ...]:
    """The vision stages' tables keyed by video (``vision_*`` with a video column), found from the schema."""
    names = [str(r[0]) for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'vision\\_%' ESCAPE '\\' "
        "ORDER BY name").fetchall()]
    return tuple(n for n in names if "video" in _all_columns(db, n))


def _all_columns(db: sqlite_utils.Database, table: str) -> tuple[str, ...]:
    return tuple(str(r[1]) for r in db.execute(f"PRAGMA table_info({table})").fetchall())


def _columns(db: sqlite_utils.Database, table: str) -> tuple[str, ...]:
    return tuple(r[1] for r in db.execute(f"PRAGMA table_info({table})").fetchall() if r[1] not in _SKIP)


def export_evidence(db: sqlite_utils.Database, fingerprint: str) -> EvidenceRows:
    """The video's evidence rows (a StoreError when it has no evidence run)."""
    run = db.execute("SELECT id, settings_json, state, error FROM index_runs WHERE video = ? AND kind = 'evidence' "
                     "AND settings_key = ?", [fingerprint, store.RUN_KEY]).fetchone()
    if run is None:
        raise StoreError(f"Video {fingerprint} has no evidence to export; run the evidence pass first.")
    run_id = int(run[0])
    tables = []
    for table in run_tables(db):
        cols = _columns(db, table)
        rows = db.execute(f"SELECT {', '.join(cols)} FROM {table} WHERE run_id = ? ORDER BY rowid", [run_id])
        tables.append((table, cols, tuple(tuple(r) for r in rows.fetchall())))
    seg_cols = _columns(db, "ev_transcript")
    word_cols = [c for c in _columns(db, "ev_words") if c != "segment_id"]
    transcript = []
    for seg in db.execute(f"SELECT id, {', '.join(seg_cols)} FROM ev_transcript WHERE run_id = ? ORDER BY id",
                          [run_id]).fetchall():
        words = db.execute(f"SELECT {', '.join(word_cols)} FROM ev_words WHERE segment_id = ? ORDER BY rowid",
                           [seg[0]]).fetchall()
        transcript.append((tuple(seg[1:]), tuple(tuple(w) for w in words)))
    seen = []
    for table in video_tables(db):
        cols = tuple(c for c in _all_columns(db, table) if c != "video")
        rows = db.execute(f"SELECT {', '.join(cols)} FROM {table} WHERE video = ? ORDER BY rowid", [fingerprint])
        seen.append((table, cols, tuple(tuple(r) for r in rows.fetchall())))
    models = db.execute("SELECT * FROM vision_models WHERE model IN (SELECT DISTINCT model FROM vision_frames "
                        "WHERE video = ?) ORDER BY model", [fingerprint]).fetchall()
    return EvidenceRows(fingerprint, str(run[1]), str(run[2]), run[3], tuple(tables), tuple(transcript),
                        tuple(seen), tuple(tuple(m) for m in models))


def import_evidence(db: sqlite_utils.Database, rows: EvidenceRows) -> int:
    """Make the video's evidence in ``db`` exactly ``rows`` (one transaction; the video row must exist).
    Returns the evidence run's id."""
    with db.atomic():
        run_id = store.ensure_run(db, rows.video, {})
        db.execute("UPDATE index_runs SET settings_json = ? WHERE id = ?", [rows.settings_json, run_id])
        _clear(db, run_id)
        for table, cols, data in rows.tables:
            marks = ", ".join("?" * (len(cols) + 1))
            db.conn.executemany(f"INSERT INTO {table} (run_id, {', '.join(cols)}) VALUES ({marks})",
                                [(run_id, *r) for r in data])
        seg_cols = _columns(db, "ev_transcript")
        word_cols = [c for c in _columns(db, "ev_words") if c != "segment_id"]
        for seg, words in rows.transcript:
            cur = db.execute(f"INSERT INTO ev_transcript (run_id, {', '.join(seg_cols)}) "
                             f"VALUES ({', '.join('?' * (len(seg_cols) + 1))})", [run_id, *seg])
            db.conn.executemany(f"INSERT INTO ev_words (segment_id, {', '.join(word_cols)}) "
                                f"VALUES ({', '.join('?' * (len(word_cols) + 1))})",
                                [(cur.lastrowid, *w) for w in words])
        for table, cols, data in rows.seen:
            db.execute(f"DELETE FROM {table} WHERE video = ?", [rows.video])
            db.conn.executemany(f"INSERT INTO {table} (video, {', '.join(cols)}) "
                                f"VALUES ({', '.join('?' * (len(cols) + 1))})", [(rows.video, *r) for r in data])
        for m in rows.models:
            db.execute(f"INSERT OR IGNORE INTO vision_models VALUES ({', '.join('?' * len(m))})", list(m))
        store.set_run_state(db, run_id, rows.state, rows.error)
    return run_id


def _clear(db: sqlite_utils.Database, run_id: int) -> None:
    db.execute("DELETE FROM ev_words WHERE segment_id IN (SELECT id FROM ev_transcript WHERE run_id = ?)", [run_id])
    for table in (*run_tables(db), "ev_transcript"):
        db.execute(f"DELETE FROM {table} WHERE run_id = ?", [run_id])


def evidence_digest(db: sqlite_utils.Database, fingerprint: str) -> str | None:
    """sha256 over the video's evidence rows in a canonical order (None when it has no evidence run)."""
    try:
        return evidence_digest_of(export_evidence(db, fingerprint))
    except StoreError:
        return None


def evidence_digest_of(rows: EvidenceRows) -> str:
    h = hashlib.sha256()
    h.update(f"{rows.state}\n{rows.settings_json}\n".encode())
    for table, cols, data in rows.tables:
        h.update(f"{table}:{','.join(cols)}\n".encode())
        for r in sorted(data, key=repr):
            h.update(repr(r).encode())
    for seg, words in sorted(rows.transcript, key=repr):
        h.update(repr(seg).encode())
        h.update(repr(words).encode())
    for table, cols, data in rows.seen:
        h.update(f"{table}:{','.join(cols)}\n".encode())
        for r in sorted(data, key=repr):
            h.update(repr(r).encode())
    return h.hexdigest()
