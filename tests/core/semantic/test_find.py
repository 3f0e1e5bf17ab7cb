"""Search by meaning on real speech (espeak-ng -> faster-whisper), subtitles and rendered text (rapidocr)."""

from __future__ import annotations

import pytest
import sqlite_utils

from core.results import Moment
from core.semantic import EvidenceLine, embed_evidence, evidence_find, fuse_model
from core.semantic.normalize import normalize_text, query_terms

from .conftest import SUBTITLES, Clip, new_db

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def db(clip: Clip, ocr_lines: list[EvidenceLine]) -> sqlite_utils.Database:
    db = new_db(duration_s=clip.duration_s)
    subs = [EvidenceLine(a, b, t, "subtitle") for a, b, t in SUBTITLES]
    embed_evidence(db, "vid", lines=[*clip.speech, *subs, *ocr_lines])
    return db


def _line_at(clip: Clip, word: str) -> EvidenceLine:
    return next(ln for ln in clip.speech if word in ln.text.lower())


def _shares_no_word(query: str, line: str) -> bool:
    return not set(query_terms(query)) & set(normalize_text(line).split())


@pytest.mark.parametrize(("query", "word"), [
    ("a guardian ascending a staircase after dark", "steps"),
    ("supporters in the arena were singing", "stadium"),
    ("the man guarding the net stopped a shot", "goalkeeper"),
    ("the trainer complimented the squad", "coach"),
])
def test_paraphrase_of_speech_ranks_first(db: sqlite_utils.Database, clip: Clip, query: str, word: str) -> None:
    target = _line_at(clip, word)
    assert _shares_no_word(query, target.text), target.text
    top = evidence_find(db, "vid", query, limit=3)[0]
    assert top.start <= target.start_s + 0.01 and top.end >= target.end_s - 0.01, (top, target)
    assert top.label == "speech" and target.text in top.why[0]
    assert 0.5 < top.score <= 1.0


def test_paraphrase_of_subtitle_ranks_first(db: sqlite_utils.Database) -> None:
    query = "a rocket probe touched down on another planet"
    assert _shares_no_word(query, SUBTITLES[0][2])
    top = evidence_find(db, "vid", query, limit=3)[0]
    assert (top.start, top.label) == (SUBTITLES[0][0], "subtitle")


@pytest.mark.parametrize(("query", "word"), [
    ("ten minutes", "dough"),  # ASR wrote "10 minutes"
    ("4 goals to 1", "final score"),  # ASR wrote "four goals to one"
    ("one hundred and twelve steps", "keeper climbs"),  # ASR wrote "100 and 12 steps"
    ("112 steps", "keeper climbs"),
])
def test_numbers_found_as_words_or_digits(db: sqlite_utils.Database, clip: Clip, query: str, word: str) -> None:
    target = _line_at(clip, word)
    top = evidence_find(db, "vid", query, limit=3)[0]
    assert abs(top.start - target.start_s) < 0.01, (query, top, target)


def test_numbers_in_subtitles_and_on_screen_text(db: sqlite_utils.Database) -> None:
    assert evidence_find(db, "vid", "forty two thousand umbrellas", limit=1)[0].start == SUBTITLES[1][0]
    top = evidence_find(db, "vid", "five five five zero one nine nine", limit=1)[0]
    assert (top.start, top.label) == (30.0, "ocr")


def test_scores_are_calibrated_and_unrelated_queries_score_low(db: sqlite_utils.Database) -> None:
    good = evidence_find(db, "vid", "baking a loaf of bread", limit=5)
    assert good and good[0].score > 0.6
    bad = evidence_find(db, "vid", "quantum chromodynamics lecture", limit=5)
    assert all(m.score < 0.3 for m in bad)
    assert all(0.0 <= m.score <= 1.0 for m in good + bad)


def test_fusion_with_model_scores(db: sqlite_utils.Database, clip: Clip) -> None:
    plain = evidence_find(db, "vid", "goalkeeper", limit=3)
    target = plain[0]
    windows = [(0.0, 40.0, 0.9), (40.0, 80.0, 0.05)]  # the model disagrees: it likes the first 40 s
    fused = evidence_find(db, "vid", "goalkeeper", model_scores=windows, limit=5)
    at_target = next(m for m in fused if m.start == target.start)
    assert at_target.score == pytest.approx(0.5 * target.score + 0.5 * 0.05)
    assert "video model relevance 0.05" in at_target.why
    early = [m for m in fused if m.end <= 40.0]
    assert early and all(m.score >= 0.45 and "video model relevance 0.90" in m.why for m in early)


def test_model_only_windows_become_moments() -> None:
    evidence = [Moment(10.0, 12.0, 0.8, "speech", ("speech [0:10]: x",))]
    fused = fuse_model(evidence, [(0.0, 20.0, 0.6), (20.0, 40.0, 0.9), (40.0, 60.0, 0.2)])
    assert [(m.start, m.label) for m in fused] == [(10.0, "speech"), (20.0, "video-llm")]
    assert fused[0].score == pytest.approx(0.7) and fused[1].score == pytest.approx(0.45)


def test_fuse_model_rejects_bad_rows() -> None:
    with pytest.raises(ValueError, match="start_s, end_s, p"):
        fuse_model([Moment(0, 1, 0.5, "speech")], [(0.0, 1.0, 1.5)])
