"""The library: which videos Longwatch knows, where they were last seen, and their index state."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from core.media.types import VideoInfo


@dataclass(frozen=True)
class LibraryEntry:
    """One video in the library with the state of its indexes."""

    fingerprint: str
    path: str
    name: str
    duration_s: float
    width: int
    height: int
    added_at: str
    memory_state: str | None  # state of the newest video-LLM index run, None if never indexed
    evidence_state: str | None  # state of the newest evidence run

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def upsert_video(db: sqlite_utils.Database, info: VideoInfo) -> None:
    """Record a probed video, or update the path of a known one (moved or renamed: same fingerprint)."""
    row = {
        "fingerprint": info.fingerprint,
        "path": info.path,
        "name": info.name,
        "size_bytes": info.size_bytes,
        "duration_s": info.duration_s,
        "container": info.container,
        "width": info.video.width,
        "height": info.video.height,
        "fps": info.video.fps,
        "probe_json": json.dumps(info.to_json()),
    }
    with db.atomic():
        db.execute(
            """
            INSERT INTO videos (fingerprint, path, name, size_bytes, duration_s, container, width, height, fps,
                                probe_json)
            VALUES (:fingerprint, :path, :name, :size_bytes, :duration_s, :container, :width, :height, :fps,
                    :probe_json)
            ON CONFLICT(fingerprint) DO UPDATE SET
                path = excluded.path, name = excluded.name, probe_json = excluded.probe_json,
                updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')
            """,
            row,
        )


def get_video_row(db: sqlite_utils.Database, fingerprint: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM videos WHERE fingerprint = ?", [fingerprint]))
    return rows[0] if rows else None


def list_library(db: sqlite_utils.Database) -> list[LibraryEntry]:
    """Every known video, newest first, with the state of its newest memory and evidence runs."""
    sql = """
        SELECT v.fingerprint, v.path, v.name, v.duration_s, v.width, v.height, v.added_at,
          (SELECT state FROM index_runs r WHERE r.video = v.fingerprint AND r.kind = 'memory'
             ORDER BY r.updated_at DESC, r.id DESC LIMIT 1) AS memory_state,
          (SELECT state FROM index_runs r WHERE r.video = v.fingerprint AND r.kind = 'evidence'
             ORDER BY r.updated_at DESC, r.id DESC LIMIT 1) AS evidence_state
        FROM videos v ORDER BY v.added_at DESC, v.name
    """
    return [LibraryEntry(**row) for row in db.query(sql)]
