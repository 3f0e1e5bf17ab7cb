"""What the watch folders have seen (table ``watch_files``, migration ``m_jobs_queue``): each file's size and
modification time, since when they have stayed the same, and whether it was queued or why it could not be.

Kept in the library database so a restarted watcher neither queues a finished file again nor waits for files it
already knew to be complete.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils


@dataclass(frozen=True)
class SeenFile:
    path: str
    size_bytes: int
    mtime_ns: int
    changed_at: float  # unix seconds: the scan that first saw this size and time
    fingerprint: str | None  # set once queued
    error: str | None  # why it could not be queued, until it changes


def seen(db: sqlite_utils.Database, path: str, size_bytes: int, mtime_ns: int, now: float) -> SeenFile:
    """Record one scan's view of ``path``; a new size or time restarts its settle clock and forgets what was
    decided about the old content."""
    with db.atomic():
        db.execute(
            """
            INSERT INTO watch_files (path, size_bytes, mtime_ns, changed_at, seen_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(path) DO UPDATE SET
                fingerprint = CASE WHEN size_bytes = excluded.size_bytes AND mtime_ns = excluded.mtime_ns
                                   THEN fingerprint END,
                error = CASE WHEN size_bytes = excluded.size_bytes AND mtime_ns = excluded.mtime_ns THEN error END,
                changed_at = CASE WHEN size_bytes = excluded.size_bytes AND mtime_ns = excluded.mtime_ns
                                  THEN changed_at ELSE excluded.changed_at END,
                size_bytes = excluded.size_bytes, mtime_ns = excluded.mtime_ns, seen_at = excluded.seen_at
            """,
            [path, size_bytes, mtime_ns, now, now],
        )
    r = db.execute("SELECT path, size_bytes, mtime_ns, changed_at, fingerprint, error FROM watch_files "
                   "WHERE path = ?", [path]).fetchone()
    return SeenFile(str(r[0]), int(r[1]), int(r[2]), float(r[3]), r[4], r[5])


def decided(db: sqlite_utils.Database, path: str, *, fingerprint: str | None = None,
            error: str | None = None) -> None:
    """The file was queued (its fingerprint) or could not be (one line why)."""
    with db.atomic():
        db.execute("UPDATE watch_files SET fingerprint = ?, error = ? WHERE path = ?", [fingerprint, error, path])


def forget_missing(db: sqlite_utils.Database, folder: str, present: Iterable[str]) -> int:
    """Drop the rows of files under ``folder`` that a scan no longer found (moved, renamed or deleted)."""
    keep = set(present)
    prefix = folder.rstrip("/") + "/"
    rows = db.execute("SELECT path FROM watch_files WHERE substr(path, 1, ?) = ?", [len(prefix), prefix]).fetchall()
    gone = [r[0] for r in rows if r[0] not in keep]
    with db.atomic():
        for i in range(0, len(gone), 500):
            chunk = gone[i:i + 500]
            db.execute(f"DELETE FROM watch_files WHERE path IN ({','.join('?' * len(chunk))})", chunk)
    return len(gone)
