"""Past queries (table ``queries``): every ask / find / summary / ads result is kept so the UI can show history."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils


@dataclass(frozen=True)
class QueryRecord:
    id: int
    video: str
    kind: str  # ask, find, summary, ads
    question: str
    result: dict[str, Any]
    created_at: str


def record_query(db: sqlite_utils.Database, video: str, kind: str, question: str, result: dict[str, Any]) -> int:
    """Store one result; returns its id."""
    with db.atomic():
        cur = db.execute(
            "INSERT INTO queries (video, kind, question, result_json) VALUES (?, ?, ?, ?)",
            [video, kind, question, json.dumps(result, ensure_ascii=False)],
        )
    return int(cur.lastrowid or 0)


def list_queries(db: sqlite_utils.Database, video: str, *, kind: str | None = None,
                 limit: int = 100) -> list[QueryRecord]:
    """The video's past queries, newest first (only ``kind`` when given)."""
    sql = "SELECT * FROM queries WHERE video = ?" + (" AND kind = ?" if kind else "")
    params: list[Any] = [video, kind] if kind else [video]
    rows = db.query(sql + " ORDER BY created_at DESC, id DESC LIMIT ?", [*params, limit])
    return [QueryRecord(r["id"], r["video"], r["kind"], r["question"], json.loads(r["result_json"]), r["created_at"])
            for r in rows]
