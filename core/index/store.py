"""Index runs and memory windows in SQLite (tables ``index_runs`` and ``memory_windows`` from m001).

A run is one (video, settings) memory. Each window is committed with the run's ``windows_done`` counter in one
transaction, so a killed process loses at most the window in flight and the next run resumes at
``windows_done``. Readers use their own connection (WAL): they see whole windows only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlite_utils
import torch

from core.errors import StoreError
from core.index.codec import EncodedWindow, decode_window, memory_digest
from core.model.memory import WindowMemory

KIND = "memory"


@dataclass(frozen=True)
class RunRow:
    """One row of ``index_runs`` (kind 'memory')."""

    id: int
    video: str
    settings_key: str
    settings: dict[str, Any]
    state: str
    frames_total: int | None
    windows_total: int | None
    windows_done: int
    error: str | None
    updated_at: str
    model: dict[str, Any] | None = None  # how to load the model that made it (ModelOptions fields), if recorded

    @property
    def complete(self) -> bool:
        return self.state == "done"

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> RunRow:
        return cls(
            id=int(row["id"]),
            video=row["video"],
            settings_key=row["settings_key"],
            settings=json.loads(row["settings_json"]),
            state=row["state"],
            frames_total=row["frames_total"],
            windows_total=row["windows_total"],
            windows_done=int(row["windows_done"]),
            error=row["error"],
            updated_at=row["updated_at"],
            model=json.loads(row["model_json"]) if row.get("model_json") else None,
        )


def find_run(db: sqlite_utils.Database, video: str, key: str) -> RunRow | None:
    rows = list(db.query("SELECT * FROM index_runs WHERE video = ? AND kind = ? AND settings_key = ?",
                         [video, KIND, key]))
    return RunRow.from_row(rows[0]) if rows else None


def list_runs(db: sqlite_utils.Database, video: str) -> list[RunRow]:
    """The video's memory runs, finished ones first, newest first."""
    rows = db.query(
        "SELECT * FROM index_runs WHERE video = ? AND kind = ? "
        "ORDER BY state = 'done' DESC, updated_at DESC, id DESC",
        [video, KIND],
    )
    return [RunRow.from_row(r) for r in rows]


def start_run(db: sqlite_utils.Database, video: str, key: str, settings: dict[str, Any],
              frames_total: int, windows_total: int, model: dict[str, Any] | None = None) -> RunRow:
    """Create the run or mark an existing one running again (its committed windows are kept); ``model`` is how
    the model that encodes it was loaded (the newest location wins when a run resumes)."""
    with db.atomic():
        db.execute(
            """
            INSERT INTO index_runs (video, kind, settings_key, settings_json, state, frames_total, windows_total,
                                    model_json)
            VALUES (?, ?, ?, ?, 'running', ?, ?, ?)
            ON CONFLICT(video, kind, settings_key) DO UPDATE SET
                state = 'running', error = NULL, settings_json = excluded.settings_json,
                model_json = COALESCE(excluded.model_json, index_runs.model_json),
                frames_total = excluded.frames_total, windows_total = excluded.windows_total,
                updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')
            """,
            [video, KIND, key, json.dumps(settings, sort_keys=True), frames_total, windows_total,
             json.dumps(model, sort_keys=True) if model is not None else None],
        )
    run = find_run(db, video, key)
    if run is None:  # pragma: no cover - the insert above guarantees it
        raise StoreError("The index run could not be recorded; check the database file.")
    return run


def clear_run(db: sqlite_utils.Database, video: str, key: str) -> None:
    """Drop the run with settings ``key`` and its windows (indexing again from scratch)."""
    with db.atomic():
        db.execute("DELETE FROM index_runs WHERE video = ? AND kind = ? AND settings_key = ?", [video, KIND, key])


def remember_model(db: sqlite_utils.Database, run_id: int, model: dict[str, Any]) -> None:
    """Record how the run's model is loaded now (e.g. from the folder it was moved to)."""
    with db.atomic():
        db.execute("UPDATE index_runs SET model_json = ? WHERE id = ?", [json.dumps(model, sort_keys=True), run_id])


def commit_window(db: sqlite_utils.Database, run_id: int, enc: EncodedWindow) -> None:
    """Store one window and advance the run's counter, all or nothing.

    The transaction starts with a write (the counter), so it takes the write lock at once and waits for other
    writers (evidence pass, query history) through the busy timeout, instead of reading first and failing to
    upgrade a stale snapshot (SQLITE_BUSY_SNAPSHOT in WAL mode).
    """
    with db.atomic():
        cur = db.execute(
            "UPDATE index_runs SET windows_done = windows_done + 1, "
            "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ? AND windows_done = ?",
            [run_id, enc.index],
        )
        if cur.rowcount != 1:
            raise StoreError(
                f"Window {enc.index} is not the next one of index run {run_id}; is another process indexing the "
                "same video? Let it finish, then run again."
            )
        db.execute(
            "INSERT INTO memory_windows (run_id, window_index, n_vst, start_s, end_s, meta_json, blob) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [run_id, enc.index, enc.n_vst, enc.start_s, enc.end_s, enc.meta_json, enc.blob],
        )


def finish_run(db: sqlite_utils.Database, run_id: int, state: str, error: str | None = None) -> None:
    """Set the run's final state: 'done' (windows_total becomes what was stored), 'cancelled' or 'failed'."""
    with db.atomic():
        if state == "done":
            db.execute(
                "UPDATE index_runs SET state = 'done', error = NULL, windows_total = windows_done, "
                "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?",
                [run_id],
            )
        else:
            db.execute(
                "UPDATE index_runs SET state = ?, error = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') "
                "WHERE id = ?",
                [state, error, run_id],
            )


def _window_rows(db: sqlite_utils.Database, run_id: int, columns: str, limit: int | None) -> Iterator[tuple[Any, ...]]:
    sql = f"SELECT {columns} FROM memory_windows WHERE run_id = ? ORDER BY window_index"
    params: list[Any] = [run_id]
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    yield from db.execute(sql, params)


def read_windows(db: sqlite_utils.Database, run_id: int, *, limit: int | None = None,
                 dtype: torch.dtype | None = None, device: str | torch.device | None = None) -> list[WindowMemory]:
    """The run's windows in order (the first ``limit`` only when given), decoded."""
    out: list[WindowMemory] = []
    for i, (index, meta_json, blob) in enumerate(_window_rows(db, run_id, "window_index, meta_json, blob", limit)):
        if index != i:
            raise StoreError(f"Memory window {i} is missing from run {run_id}; index the video again.")
        out.append(decode_window(blob, meta_json, dtype=dtype, device=device))
    return out


@dataclass(frozen=True)
class StoredStats:
    windows: int
    frames: int
    n_vst: int
    bytes: int
    memory_sha256: str


def run_stats(db: sqlite_utils.Database, run_id: int) -> StoredStats:
    """Windows, frames, VSTs and blob bytes of a run, and the digest over its stored memory in window order."""
    counts = {"windows": 0, "frames": 0, "n_vst": 0, "bytes": 0}

    def rows() -> Iterator[tuple[str, bytes]]:  # streamed: one blob in memory at a time
        for meta_json, blob, nv in _window_rows(db, run_id, "meta_json, blob, n_vst", None):
            counts["windows"] += 1
            counts["frames"] += int(json.loads(meta_json)["n_frames"])
            counts["n_vst"] += int(nv)
            counts["bytes"] += len(blob)
            yield meta_json, blob

    digest = memory_digest(rows())
    return StoredStats(counts["windows"], counts["frames"], counts["n_vst"], counts["bytes"], digest)


def window_spans(db: sqlite_utils.Database, run_id: int) -> list[tuple[int, float, float, int]]:
    """``(window_index, start_s, end_s, n_vst)`` of every stored window, without reading the blobs."""
    rows = db.execute("SELECT window_index, start_s, end_s, n_vst FROM memory_windows WHERE run_id = ? "
                      "ORDER BY window_index", [run_id])
    return [(int(i), float(a), float(b), int(n)) for i, a, b, n in rows]


def window_rows(db: sqlite_utils.Database, run_id: int, *, limit: int | None = None) -> list[tuple[str, bytes]]:
    """``(meta_json, blob)`` of the run's first ``limit`` windows (all when None), in order, as stored."""
    return [(str(m), bytes(b)) for m, b in _window_rows(db, run_id, "meta_json, blob", limit)]
