"""collect_report reads what the library holds, tolerates what is missing, and adds thumbnails."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from core.report.collect import ReportError, ReportOptions, collect_report
from core.report.data import ReportData, safe_filename
from core.report.html import RESOURCES
from tests.core.report.conftest import store_query, store_results

SCHEMA = json.loads((RESOURCES / "report.schema.json").read_text("utf-8"))
NOW = datetime(2026, 11, 23, 9, 0, 0, tzinfo=UTC)


def validate(data: ReportData) -> dict[str, Any]:
    doc = json.loads(json.dumps(data.to_json()))
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(doc)
    return doc


def test_schema_is_a_valid_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_video_without_any_index_still_reports_its_facts(library: tuple[Any, str, Path]) -> None:
    db, fp, _ = library
    data = collect_report(db, fp, now=NOW)
    assert data.video.fingerprint == fp and data.video.duration_s == pytest.approx(30, abs=0.5)
    assert data.overview is None and data.chapters == () and data.ads is None and data.questions == ()
    assert [m.split()[0] for m in data.missing] == ["No", "Ads", "No"]
    assert data.generated_at == "2026-11-23T09:00:00Z"
    doc = validate(data)
    assert doc["summary"] is None and doc["ads"] is None


def test_everything_stored_is_collected_with_thumbnails(library: tuple[Any, str, Path]) -> None:
    db, fp, _ = library
    store_results(db, fp)
    data = collect_report(db, fp, options=ReportOptions(thumb_width=96), now=NOW)
    assert data.missing == ()
    assert [e.chapter.title for e in data.chapters] == ["Opening", "The middle", "Ending"]
    assert [e.thumb_s for e in data.chapters] == [5.0, 15.0, 25.0]  # the middle of each chapter
    for e in data.chapters:
        assert e.thumbnail is not None and e.thumbnail[:3] == b"\xff\xd8\xff"  # JPEG
    assert len({e.thumbnail for e in data.chapters}) == 3  # the clip changes colour: three different pictures
    assert data.ads is not None and [(m.start, m.end) for m in data.ads] == [(12.0, 17.5)]
    assert [a.question for a in data.questions] == ["What happens?", "a white bar"]
    assert data.questions[1].text.startswith("Found 1 moment") and data.questions[1].moments[0].label == "white bar"
    doc = validate(data)
    again = ReportData.from_json(doc)  # the JSON holds everything, thumbnails included
    assert again.chapters == data.chapters and again.ads == data.ads
    assert [(a.question, a.text, a.moments) for a in again.questions] == [
        (a.question, a.text, a.moments) for a in data.questions]


def test_newest_result_wins_and_unreadable_rows_are_skipped(library: tuple[Any, str, Path], caplog) -> None:
    db, fp, _ = library
    store_results(db, fp)
    store_query(db, fp, "ads", "", [])  # a newer ads run found nothing (bare list form)
    db.execute("INSERT INTO queries (video, kind, question, result_json) VALUES (?, 'summary', '', '{broken')",
               [fp])
    store_query(db, fp, "ask", "bad", {"moments": [{"start": 5, "end": 1, "score": 2, "label": "x"}]})
    with caplog.at_level("WARNING", logger="core.store.answers"):
        data = collect_report(db, fp, options=ReportOptions(thumbnails=False), now=NOW)
    assert data.ads == ()  # computed, nothing found: not the same as never looked for
    assert len(data.chapters) == 3  # the broken newer summary was skipped for the readable older one
    assert all(e.thumbnail is None for e in data.chapters)
    assert sum("cannot be read" in r.getMessage() for r in caplog.records) >= 2  # skipped, one log line each
    validate(data)


def test_missing_file_renders_without_thumbnails(library: tuple[Any, str, Path], tmp_path: Path) -> None:
    db, fp, _ = library
    store_results(db, fp)
    data = collect_report(db, fp, path=tmp_path / "moved away.mp4", now=NOW)
    assert not data.video_found
    assert all(e.thumbnail is None for e in data.chapters)
    assert any("not at" in m for m in data.missing)
    assert validate(data)["video"]["found"] is False


def test_thumbnail_failure_is_a_note_not_an_error(library: tuple[Any, str, Path]) -> None:
    db, fp, _ = library
    store_results(db, fp)

    def broken(path: str, times: Any, width: int) -> list[bytes]:
        raise OSError("disk on fire")

    data = collect_report(db, fp, thumbnailer=broken, now=NOW)
    assert len(data.chapters) == 3 and data.chapters[0].thumbnail is None
    assert any("disk on fire" in m for m in data.missing)


def test_unknown_video_and_bad_options() -> None:
    from core.store import open_db

    with pytest.raises(ReportError, match="probe"):
        collect_report(open_db(":memory:"), "0" * 32)
    with pytest.raises(ValueError, match="Thumbnail width 5 px"):
        ReportOptions(thumb_width=5)


@pytest.mark.parametrize(("name", "expected"), [
    ("../../etc/passwd; rm -rf ~.mp4", "etc_passwd_ rm -rf.mp4"),
    ("<script>alert(1)</script>.html", "script_alert_1_script.html"),
    ("CON.md", "_CON.md"),
    ("  ...  ", "report"),
    ("Ünïcode – film: part 2?.pdf", "Ünïcode _ film_ part 2.pdf"),
    ("a\x00b\nc.json", "a_b_c.json"),
    ("x" * 300 + ".html", "x" * 115 + ".html"),
])
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected
