from __future__ import annotations

import pytest

from core.semantic.normalize import fts_match, normalize_text, query_terms


@pytest.mark.parametrize(("typed", "written"), [
    ("555-0199", "call five five five, zero one nine nine"),
    ("1984", "in nineteen eighty-four"),
    ("forty two", "42"),
    ("Forty-Two thousand", "42,000"),
    ("112 steps", "climbs 100 and 12 steps"),
    ("ten minutes", "10 minutes"),
    ("THE LIGHTHOUSE!", "the lighthouse"),
])
def test_typed_and_asr_forms_meet(typed: str, written: str) -> None:
    assert set(normalize_text(typed).split()) <= set(normalize_text(written).split())


def test_case_punctuation_and_accents() -> None:
    assert normalize_text("  Café, au LAIT?! ") == "café au lait"
    assert normalize_text("Hello—world") == "hello world"


def test_query_terms_drop_stopwords_and_keep_order() -> None:
    assert query_terms("When does someone talk about the lighthouse and the lighthouse keeper?") == [
        "lighthouse", "keeper"]
    assert query_terms("the of and") == []


def test_fts_match_quotes_terms() -> None:
    assert fts_match('lamp "oil"') == '"lamp" OR "oil"'
    assert fts_match("what is it") is None


def test_long_transcript_segments_are_cut_at_sentences_and_pauses() -> None:
    from core.evidence import Word
    from core.semantic.sources import split_segment

    words = [Word(0.0, 0.5, "Hello", 1.0), Word(0.5, 1.0, "there.", 1.0), Word(1.0, 1.5, "The", 1.0),
             Word(1.5, 2.0, "map", 1.0), Word(5.0, 5.5, "was", 1.0), Word(5.5, 20.0, "hidden", 1.0)]
    lines = split_segment(0.0, 20.0, "Hello there. The map was hidden", words)
    assert [(ln.start_s, ln.text) for ln in lines] == [(0.0, "Hello there."), (1.0, "The map"), (5.0, "was hidden")]
    short = split_segment(0.0, 5.0, " Short  one. ", words)
    assert [(ln.start_s, ln.end_s, ln.text) for ln in short] == [(0.0, 5.0, "Short one.")]
