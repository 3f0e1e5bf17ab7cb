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


def test_speech_lines_are_sentences_across_the_recognisers_segments() -> None:
    from core.evidence import TranscriptSegment, Word
    from core.semantic.sources import speech_lines, split_segment

    words = [Word(0.0, 0.5, "Hello", 1.0), Word(0.5, 1.0, "there.", 1.0), Word(1.0, 1.5, "The", 1.0),
             Word(1.5, 2.0, "map", 1.0), Word(5.0, 5.5, "was", 1.0), Word(5.5, 20.0, "hidden", 1.0)]
    lines = split_segment(0.0, 20.0, "Hello there. The map was hidden", words)
    assert [(ln.start_s, ln.text) for ln in lines] == [(0.0, "Hello there."), (1.0, "The map"), (5.0, "was hidden")]
    short = split_segment(0.0, 5.0, " Short  one. ", ())
    assert [(ln.start_s, ln.end_s, ln.text) for ln in short] == [(0.0, 5.0, "Short one.")]
    # one sentence cut across two segments, and a second sentence sharing the first segment
    first = TranscriptSegment(10.0, 13.0, "It rained. The keeper made a", -0.1, 0.0,
                              (Word(10.0, 10.5, "It", 1.0), Word(10.5, 11.0, "rained.", 1.0),
                               Word(11.2, 11.5, "The", 1.0), Word(11.5, 12.0, "keeper", 1.0),
                               Word(12.0, 12.4, "made", 1.0), Word(12.4, 13.0, "a", 1.0)))
    second = TranscriptSegment(13.0, 14.5, "save.", -0.1, 0.0, (Word(13.0, 14.5, "save.", 1.0),))
    got = [(ln.start_s, ln.end_s, ln.text) for ln in speech_lines([second, first])]
    assert got == [(10.0, 11.0, "It rained."), (11.2, 14.5, "The keeper made a save.")]
