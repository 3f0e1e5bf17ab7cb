"""The schema, created and evolved only by these migrations (applied once each, in order).

Add a change as a new function at the end; never edit one that has shipped. Each runs in one transaction together
with its record in ``_sqlite_migrations``.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils import Migrations

MIGRATIONS = Migrations("longwatch")


@MIGRATIONS()
def m001_library(db: sqlite_utils.Database) -> None:
    """Videos, index runs, per-window memory blobs and past queries."""
    db.execute(
        """
        CREATE TABLE videos (
            fingerprint TEXT PRIMARY KEY,      -- content hash (core.media.fingerprint)
            path TEXT NOT NULL,                -- last known location
            name TEXT NOT NULL,
            size_bytes INTEGER NOT NULL,
            duration_s REAL NOT NULL,
            container TEXT NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            fps REAL NOT NULL,
            probe_json TEXT NOT NULL,          -- the whole VideoInfo
            added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
            updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
        )
        """
    )
    db.execute(
        """
        CREATE TABLE index_runs (
            id INTEGER PRIMARY KEY,
            video TEXT NOT NULL REFERENCES videos(fingerprint) ON DELETE CASCADE,
            kind TEXT NOT NULL,                -- 'memory' (video-LLM) or 'evidence'
            settings_key TEXT NOT NULL,        -- stable hash of (model identity, sampling, compression)
            settings_json TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','running','done','failed','cancelled')),
            frames_total INTEGER,
            windows_total INTEGER,
            windows_done INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
            updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
            UNIQUE (video, kind, settings_key)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE memory_windows (
            run_id INTEGER NOT NULL REFERENCES index_runs(id) ON DELETE CASCADE,
            window_index INTEGER NOT NULL,
            n_vst INTEGER NOT NULL,
            start_s REAL NOT NULL,
            end_s REAL NOT NULL,
            meta_json TEXT NOT NULL,           -- per-VST frame index and time, encoding, shapes
            blob BLOB NOT NULL,                -- keys and values of every layer, see core.index
            PRIMARY KEY (run_id, window_index)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE queries (
            id INTEGER PRIMARY KEY,
            video TEXT NOT NULL REFERENCES videos(fingerprint) ON DELETE CASCADE,
            kind TEXT NOT NULL,                -- ask, find, ads, summary, search
            question TEXT NOT NULL,
            result_json TEXT NOT NULL,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
        )
        """
    )
    db.execute("CREATE INDEX queries_video ON queries(video, created_at)")
