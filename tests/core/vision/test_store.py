"""Migration m006_vision keeps the semantic lines (with their vectors and FTS rows) while allowing "visual"
lines; visual lines reach search by meaning."""

from __future__ import annotations

import sqlite_utils

from core.semantic import EvidenceLine
from core.semantic import store as sem_store
from core.store.migrations import MIGRATIONS


def test_semantic_lines_survive_the_rebuild_and_accept_visual_lines() -> None:
    db = sqlite_utils.Database(memory=True)
    MIGRATIONS.apply(db, stop_before="m006_vision")
    db["videos"].insert({"fingerprint": "vid", "path": "-", "name": "-", "size_bytes": 0, "duration_s": 60.0,
                         "container": "mp4", "width": 1, "height": 1, "fps": 25.0, "probe_json": "{}"})
    sem_store.sync_lines(db, "vid", [EvidenceLine(1.0, 2.0, "The lighthouse keeper climbs 112 steps", "speech")])
    db.execute("UPDATE semantic_lines SET model = 'm', vector = x'0000803f'")
    MIGRATIONS.apply(db)
    row = db.execute("SELECT source, text, model, vector FROM semantic_lines").fetchone()
    assert row == ("speech", "The lighthouse keeper climbs 112 steps", "m", b"\x00\x00\x80\x3f")
    assert [s.line.text for s, _ in sem_store.fts_search(db, "vid", "lighthouse")] == [row[1]]
    sem_store.sync_lines(db, "vid", [EvidenceLine(1.0, 2.0, "The lighthouse keeper climbs 112 steps", "speech"),
                                     EvidenceLine(5.0, 9.0, "Seen: a beach, the sea.", "visual")])
    assert [s.line.source for s, _ in sem_store.fts_search(db, "vid", "beach")] == ["visual"]
    db.execute("DELETE FROM semantic_lines WHERE source = 'visual'")  # the delete trigger still feeds FTS
    assert sem_store.fts_search(db, "vid", "beach") == []
