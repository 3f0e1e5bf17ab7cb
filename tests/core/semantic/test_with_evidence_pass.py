"""The whole path through the real evidence layer: run_evidence -> embed_evidence -> find / summary / answer."""

from __future__ import annotations

import pytest
import sqlite_utils

from core.semantic import embed_evidence, evidence_answer, evidence_find, evidence_summary
from core.semantic.chapters import ChapterOptions
from core.semantic.sources import read_frame_stats, read_lines, read_shot_starts
from core.store import open_db

from .conftest import Clip

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def indexed(clip: Clip) -> tuple[sqlite_utils.Database, str]:
    db = open_db(clip.db_path)
    embed_evidence(db, clip.fingerprint)
    return db, clip.fingerprint


def test_lines_shots_and_stats_come_from_the_evidence_tables(indexed: tuple[sqlite_utils.Database, str]) -> None:
    db, fp = indexed
    lines = read_lines(db, fp)
    assert {ln.source for ln in lines} == {"speech", "subtitle"}
    assert any("lighthouse" in ln.text.lower() for ln in lines)
    assert read_shot_starts(db, fp) and read_frame_stats(db, fp)
    assert all(0.0 <= f.luma <= 1.0 and 0.0 <= f.movement <= 1.0 for f in read_frame_stats(db, fp))


def test_find_summary_answer_read_the_stored_evidence(indexed: tuple[sqlite_utils.Database, str], clip: Clip) -> None:
    db, fp = indexed
    top = evidence_find(db, fp, "supporters in the arena were singing", limit=1)[0]
    assert top.label == "speech" and "stadium" in top.why[0]
    assert evidence_find(db, fp, "a rocket probe touched down on another planet", limit=1)[0].label == "subtitle"
    summary = evidence_summary(db, fp, options=ChapterOptions(window=3, min_chapter_s=10, titles="extractive"))
    starts = [c.start for c in summary.chapters[1:]]
    for true in clip.topic_starts:
        assert min(abs(s - true) for s in starts) < 3.0, (starts, clip.topic_starts)
    assert "shots" in summary.sources
    assert "[" in evidence_answer(db, fp, "what is the final score of the match").text
