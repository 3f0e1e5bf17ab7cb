"""Typed ranges a person reviews on the timeline (ads, chapters, found events, own marks), stored per video.

Detectors produce moments; the app keeps the ones shown on the timeline here so that relabelling, resizing and
deleting survive a restart. Rows live in ``app_segments`` (migration ``m003_app_segments``). Every write is one
``db.atomic()`` block; nothing here knows about Qt.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from core.errors import StoreError, UsageError
from core.results import Moment

SEGMENT_KINDS = ("ad", "chapter", "event", "mark")  # colours on the timeline; "mark" = made by hand


@dataclass(frozen=True)
class Segment:
    """One stored range: ``start_s`` <= ``end_s`` seconds from the start of the file."""

    id: int
    video: str  # fingerprint
    kind: str  # one of SEGMENT_KINDS
    label: str
    start_s: float
    end_s: float
    score: float = 1.0  # 0..1, the detector's confidence (1 for a hand-made range)
    source: str = "user"  # what made it: "user", "ads", "summary", "find", ...

    def __post_init__(self) -> None:
        _check_range(self.start_s, self.end_s)
        _check_kind(self.kind)

    def to_moment(self) -> Moment:
        return Moment(self.start_s, self.end_s, min(1.0, max(0.0, self.score)), self.label, (self.source,))


def _check_kind(kind: str) -> None:
    if kind not in SEGMENT_KINDS:
        raise UsageError(f"Segment kind {kind!r} is unknown; use one of {', '.join(SEGMENT_KINDS)}.")


def _check_range(start_s: float, end_s: float) -> None:
    if not (math.isfinite(start_s) and math.isfinite(end_s)) or start_s < 0 or end_s < start_s:
        raise UsageError(f"A segment needs 0 <= start <= end seconds, got {start_s!r}..{end_s!r}.")


def _row(r: dict[str, Any]) -> Segment:
    return Segment(int(r["id"]), r["video"], r["kind"], r["label"], float(r["start_s"]), float(r["end_s"]),
                   float(r["score"]), r["source"])


def list_segments(db: sqlite_utils.Database, video: str, *, kind: str | None = None) -> list[Segment]:
    """The video's segments in time order (only ``kind`` when given)."""
    sql = "SELECT * FROM app_segments WHERE video = ?" + (" AND kind = ?" if kind else "")
    params: list[Any] = [video, kind] if kind else [video]
    return [_row(r) for r in db.query(sql + " ORDER BY start_s, end_s, id", params)]


def get_segment(db: sqlite_utils.Database, segment_id: int) -> Segment:
    rows = list(db.query("SELECT * FROM app_segments WHERE id = ?", [segment_id]))
    if not rows:
        raise StoreError(f"Segment {segment_id} does not exist (deleted elsewhere?); reload the video.")
    return _row(rows[0])


def add_segment(db: sqlite_utils.Database, video: str, kind: str, label: str, start_s: float, end_s: float, *,
                score: float = 1.0, source: str = "user", segment_id: int | None = None) -> Segment:
    """Insert one segment; ``segment_id`` re-creates a deleted one under its old id (undo)."""
    _check_kind(kind)
    _check_range(start_s, end_s)
    with db.atomic():
        cur = db.execute(
            "INSERT INTO app_segments (id, video, kind, label, start_s, end_s, score, source) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [segment_id, video, kind, label, start_s, end_s, score, source],
        )
    return get_segment(db, int(cur.lastrowid or segment_id or 0))


def update_segment(db: sqlite_utils.Database, segment_id: int, *, label: str | None = None,
                   start_s: float | None = None, end_s: float | None = None, kind: str | None = None) -> Segment:
    """Change the label, kind or bounds of one segment; returns the stored result.

    An edited segment becomes the person's own (source "user"), so running its detector again keeps it.
    """
    old = get_segment(db, segment_id)
    new_start = old.start_s if start_s is None else start_s
    new_end = old.end_s if end_s is None else end_s
    new_kind = old.kind if kind is None else kind
    _check_range(new_start, new_end)
    _check_kind(new_kind)
    with db.atomic():
        db.execute(
            "UPDATE app_segments SET label = ?, start_s = ?, end_s = ?, kind = ?, source = 'user', "
            "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?",
            [old.label if label is None else label, new_start, new_end, new_kind, segment_id],
        )
    return get_segment(db, segment_id)


def delete_segment(db: sqlite_utils.Database, segment_id: int) -> Segment:
    """Delete one segment; returns what was deleted (so it can be restored with ``add_segment(segment_id=...)``)."""
    old = get_segment(db, segment_id)
    with db.atomic():
        db.execute("DELETE FROM app_segments WHERE id = ?", [segment_id])
    return old


def replace_detected(db: sqlite_utils.Database, video: str, kind: str, moments: Sequence[Moment],
                     source: str) -> list[Segment]:
    """Replace the segments ``source`` detected earlier (of ``kind``) with ``moments``; hand edits stay.

    A detector run again (e.g. "Find the ads" after a better index) supersedes its own previous output only.
    """
    _check_kind(kind)
    with db.atomic():
        db.execute("DELETE FROM app_segments WHERE video = ? AND kind = ? AND source = ?", [video, kind, source])
        for m in moments:
            db.execute(
                "INSERT INTO app_segments (video, kind, label, start_s, end_s, score, source) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [video, kind, m.label, m.start, m.end, m.score, source],
            )
    return list_segments(db, video, kind=kind)
