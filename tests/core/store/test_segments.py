"""core.store.segments: typed timeline ranges with edits that survive a restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import StoreError, UsageError
from core.results import Moment
from core.store import open_db
from core.store.segments import (
    add_segment,
    delete_segment,
    list_segments,
    replace_detected,
    update_segment,
)


@pytest.fixture
def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    d = open_db(tmp_path / "lib.db")
    d.execute("INSERT INTO videos (fingerprint, path, name, size_bytes, duration_s, container, width, height, fps, "
              "probe_json) VALUES ('fp', '/v.mp4', 'v.mp4', 1, 100, 'mp4', 64, 48, 25, '{}')")
    yield d
    d.conn.close()


def test_edits_persist_and_a_deleted_segment_comes_back_under_its_id(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a = add_segment(db, "fp", "mark", "intro", 1.0, 5.0)
    b = update_segment(db, a.id, end_s=7.5, label="opening")
    assert (b.start_s, b.end_s, b.label, b.source) == (1.0, 7.5, "opening", "user")
    gone = delete_segment(db, a.id)
    assert list_segments(db, "fp") == []
    add_segment(db, "fp", gone.kind, gone.label, gone.start_s, gone.end_s, segment_id=gone.id)
    again = open_db(tmp_path / "lib.db")  # another connection sees the committed state
    assert list_segments(again, "fp") == [gone]
    again.conn.close()


def test_a_detector_rerun_replaces_only_its_own_untouched_rows(db) -> None:  # type: ignore[no-untyped-def]
    first = replace_detected(db, "fp", "ad", [Moment(10, 20, 0.9, "ad"), Moment(50, 60, 0.8, "ad")], "ads")
    update_segment(db, first[0].id, start_s=9.0)  # a person fixed the first one: it is theirs now
    second = replace_detected(db, "fp", "ad", [Moment(70, 80, 0.7, "ad")], "ads")
    assert [(s.start_s, s.source) for s in second] == [(9.0, "user"), (70.0, "ads")]
    assert [s.to_moment().label for s in second] == ["ad", "ad"]


@pytest.mark.parametrize(("start", "end"), [(-1.0, 2.0), (5.0, 4.0), (float("nan"), 1.0)])
def test_bad_ranges_are_refused_with_the_values(db, start: float, end: float) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError, match="start <= end"):
        add_segment(db, "fp", "mark", "x", start, end)


def test_unknown_kind_and_missing_segment(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError, match="kind 'scene' is unknown"):
        add_segment(db, "fp", "scene", "x", 0, 1)
    with pytest.raises(StoreError, match="Segment 99 does not exist"):
        update_segment(db, 99, label="y")
