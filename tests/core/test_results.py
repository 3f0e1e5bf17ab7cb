import math

import pytest

from core.results import Answer, Chapter, Moment, Summary


def test_moment_json_round_trip():
    m = Moment(1.25, 3.5, 0.75, "ad", ("black frame", "silence"))
    d = m.to_json()
    assert d == {"start": 1.25, "end": 3.5, "score": 0.75, "label": "ad", "why": ["black frame", "silence"]}
    assert Moment.from_json(d) == m
    assert m.duration == pytest.approx(2.25)


@pytest.mark.parametrize(
    ("start", "end", "score"),
    [(-1, 2, 0.5), (3, 2, 0.5), (0, 1, 1.5), (0, 1, -0.1), (0, math.nan, 0.5), (0, math.inf, 0.5)],
)
def test_moment_rejects_bad_values(start, end, score):
    with pytest.raises(ValueError, match="Moment"):
        Moment(start, end, score, "x")


def test_summary_and_answer_json():
    s = Summary((Chapter(0, 10, "Intro", "Hello."),), "Overview.", ("transcript",))
    assert s.to_json()["chapters"][0] == {"start": 0, "end": 10, "title": "Intro", "text": "Hello."}
    assert Chapter.from_json(s.to_json()["chapters"][0]) == s.chapters[0]
    a = Answer("q?", "text", (Moment(0, 1, 0.5, "event"),), ("video-llm",))
    assert a.to_json()["moments"][0]["label"] == "event"
