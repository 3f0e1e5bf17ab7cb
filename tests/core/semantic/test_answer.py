"""Answers from evidence alone quote the lines with clickable times and say no video model was used."""

from __future__ import annotations

import re

import pytest

from core.semantic import embed_evidence, evidence_answer
from core.semantic.answer import NO_MODEL

from .conftest import Clip, new_db

pytestmark = pytest.mark.slow


def test_answer_quotes_the_line_with_its_time(clip: Clip) -> None:
    db = new_db(duration_s=clip.duration_s)
    embed_evidence(db, "vid", lines=clip.speech)
    answer = evidence_answer(db, "vid", "How many steps does the keeper climb?")
    target = next(ln for ln in clip.speech if "steps" in ln.text)
    assert NO_MODEL in answer.text and answer.notes == (NO_MODEL,)
    m, s = divmod(int(target.start_s), 60)
    assert f"[{m}:{s:02d}]" in answer.text and target.text in answer.text
    assert answer.moments and answer.moments[0].label == "speech"
    assert any(abs(mo.start - target.start_s) < 0.01 for mo in answer.moments)
    assert re.search(r"The closest evidence is at \[\d+:\d\d\]", answer.text)
    assert answer.sources == ("speech",)


def test_no_relevant_evidence_says_so(clip: Clip) -> None:
    db = new_db(duration_s=clip.duration_s)
    embed_evidence(db, "vid", lines=clip.speech)
    answer = evidence_answer(db, "vid", "What is the capital of Mongolia's tax policy on semiconductors?")
    assert answer.text.startswith("Nothing in the transcript") and NO_MODEL in answer.text
    assert answer.moments == ()


def test_empty_video_answers_without_error() -> None:
    answer = evidence_answer(new_db(), "vid", "anything at all")
    assert answer.text.startswith("Nothing in the transcript") and answer.moments == ()
