"""Stored answers: one typed, versioned record for every kind; records of the older shapes still load (and the
migration rewrites them); a record that cannot be read is skipped with one log line."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from core.results import AdBreak, Answer, AnswerStats, Chapter, Moment, Summary
from core.store import open_db, upsert_video
from core.store.answers import RECORD_VERSION, list_answers, newest_answer, record_answer, upgrade_record

FP = "f" * 32
M = Moment(12.0, 17.5, 0.9, "ad", ("black frames",))
SUMMARY = Summary((Chapter(0, 10, "Opening", "The title card."), Chapter(10, 20, "Middle")), "A test clip.",
                  ("video-llm",))
# The shapes stored before records were typed (one per writer of the time).
OLD = [
    ("ads", "", [M.to_json()]),  # the CLI's ads: a bare list
    ("ads", "", {"moments": [M.to_json()], "model_scores": [{"start": 0, "end": 5, "score": 0.2}]}),  # find_ads
    ("ask", "What happens?", {"question": "What happens?", "text": "Colours change.", "moments": [M.to_json()],
                              "sources": ["video-llm"],
                              "meta": {"windows_used": 2, "windows_total": 4, "complete_index": True,
                                       "evidence": ["subtitle at 0:01: \"hello\""]}}),
    ("ask", "Why?", {"question": "Why?", "text": "No idea.", "moments": [], "sources": ["evidence"],
                     "meta": {"video_model": False}}),
    ("find", "a white bar", {"moments": [Moment(2.0, 3.0, 0.6, "white bar").to_json()]}),
    ("summary", "", SUMMARY.to_json()),
]


@pytest.fixture
def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    from core.media import probe
    from tests.core.report.conftest import make_video

    db = open_db(tmp_path / "lib.db")
    info = probe(make_video(tmp_path / "clip.mp4", seconds=2.0))
    upsert_video(db, info)
    yield db, info.fingerprint
    db.close()


def _store_raw(db, fp: str, kind: str, question: str, result: object) -> None:  # type: ignore[no-untyped-def]
    with db.atomic():
        db.execute("INSERT INTO queries (video, kind, question, result_json) VALUES (?, ?, ?, ?)",
                   [fp, kind, question, json.dumps(result)])


@pytest.mark.parametrize(("kind", "question", "result"), OLD, ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(OLD)])
def test_every_older_shape_loads_as_a_typed_answer(kind: str, question: str, result: object) -> None:
    answer = upgrade_record(kind, question, result)
    assert answer.kind == kind and answer.text
    assert Answer.from_json(answer.to_json()) == answer  # and survives its own round trip
    if kind == "ads":
        assert answer.question == "Find the ads" and answer.breaks and answer.breaks[0].moment() == M
    if kind == "summary":
        assert answer.summary == SUMMARY and [m.label for m in answer.moments] == ["Opening", "Middle"]
    if kind == "ask" and question == "What happens?":
        assert answer.stats == AnswerStats(2, 4, True) and answer.evidence


def test_the_migration_rewrites_old_records_and_keeps_unreadable_ones(tmp_path: Path, db) -> None:  # type: ignore[no-untyped-def]
    conn, fp = db
    for kind, question, result in OLD:
        _store_raw(conn, fp, kind, question, result)
    conn.execute("INSERT INTO queries (video, kind, question, result_json) VALUES (?, 'ask', 'x', '{broken')", [fp])
    with conn.atomic():  # as if this library came from a version before the migration
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm004_answer_records'")
    conn.close()
    again = open_db(tmp_path / "lib.db")
    rows = list(again.query("SELECT result_json FROM queries ORDER BY id"))
    assert all(json.loads(r["result_json"])["version"] == RECORD_VERSION for r in rows[:-1])
    assert rows[-1]["result_json"] == "{broken"  # nothing lost
    assert len(list_answers(again, fp)) == len(OLD)


def test_new_records_round_trip_and_unreadable_ones_are_skipped_with_a_log_line(db, caplog) -> None:  # type: ignore[no-untyped-def]
    conn, fp = db
    answer = Answer("Find the ads", "Found 1 ad break", (M,), ("evidence",), "ads",
                    breaks=(AdBreak(12.0, 17.5, 0.9, ("black frames",), (Moment(12.0, 17.5, 0.9, "advert"),)),),
                    notes=("No video-LLM was used.",))
    record_answer(conn, fp, answer)
    _store_raw(conn, fp, "ads", "", {"version": RECORD_VERSION, "moments": "not a list"})
    with caplog.at_level(logging.WARNING, logger="core.store.answers"):
        records = list_answers(conn, fp)
    assert [r.answer for r in records] == [answer]
    assert len(caplog.records) == 1 and "cannot be read" in caplog.records[0].getMessage()
    assert newest_answer(conn, fp, "ads") == answer
