"""Reading queries into COCO object mentions, and saying detected objects in words."""

from __future__ import annotations

import pytest

from core.vision.coco import CLASSES, ObjectMention, parse_objects, phrase


def _read(text: str) -> list[tuple[tuple[str, ...], int]]:
    return [(m.classes, m.count) for m in parse_objects(text)]


@pytest.mark.parametrize(("query", "expected"), [
    ("a taxi", [(("car",), 1)]),
    ("When does the dog appear?", [(("dog",), 1)]),
    ("people crossing a square", [(("person",), 2)]),
    ("a man in a car", [(("person",), 1), (("car",), 1)]),
    ("three dogs on a sofa", [(("dog",), 3), (("couch",), 1)]),
    ("a man and a woman", [(("person",), 2)]),
    ("two cars", [(("car",), 2)]),
    ("a cyclist on a bike", [(("person",), 1), (("bicycle",), 1)]),
    ("a wine glass", [(("wine glass",), 1)]),
    ("the teddy bears", [(("teddy bear",), 2)]),
    ("a tree seen from below", []),
    ("the screen goes black", []),
    ("a rocket launching", []),
])
def test_parse_objects(query: str, expected: list[tuple[tuple[str, ...], int]]) -> None:
    assert _read(query) == expected


def test_words_that_only_imply_objects_weigh_less() -> None:
    (dinner,) = parse_objects("an animated dinner by candlelight")
    assert "dining table" in dinner.classes and "wine glass" in dinner.classes and dinner.weight < 1
    (car,) = parse_objects("a taxi")
    assert car.weight == 1.0


def test_phrase() -> None:
    assert [phrase("person", 1), phrase("person", 3), phrase("car", 2), phrase("apple", 1)] == [
        "a person", "3 people", "2 cars", "an apple"]
    assert phrase("bus", 2) == "2 buses" and phrase("dining table", 1) == "a table"
    assert all(phrase(c, 1) and phrase(c, 2) for c in CLASSES)
    with pytest.raises(ValueError, match="not a COCO class"):
        phrase("rocket")


def test_mentions_check_their_values() -> None:
    with pytest.raises(ValueError, match="COCO classes"):
        ObjectMention("x", ("rocket",))
    with pytest.raises(ValueError, match="count"):
        ObjectMention("x", ("car",), count=0)
