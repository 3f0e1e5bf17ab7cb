"""Quality gates on titles and lines: the OCR debris and credit names of issue 18 are refused, prose is kept."""

from __future__ import annotations

import pytest

from core.semantic import gates

# Titles the evidence summary once produced for Big Buck Bunny from opening-title and credit OCR (issue 18).
REFUSED = ["Part", "My K or", "X Peach Open Movie Team Director Character Rigger", "Anton van de Haterd, Antonio Gomes",
           "Blender Foundation Digital Pioneers: 3.0 D", "Amos Brocco· Andre Baran· Andrea Weikert", "Brocco Weikert",
           "Sacha Goedegebure Director"]
KEPT = ["The lighthouse keeper", "Baking bread at home", "A rabbit in the meadow", "Four goals to one"]


@pytest.mark.parametrize("title", REFUSED)
def test_debris_and_names_are_refused(title: str) -> None:
    assert gates.title_problem(title) is not None


@pytest.mark.parametrize("title", KEPT)
def test_plain_titles_pass(title: str) -> None:
    assert gates.title_problem(title) is None
    assert gates.prose_ok(title)


def test_word_list_is_real() -> None:
    assert len(gates.word_counts()) > 100_000
    assert gates.is_word("meadow") and gates.is_word("rabbit's") and not gates.is_word("brocco")
    assert gates.is_word("I") and not gates.is_word("K")


def test_names_lists_are_recognised() -> None:
    assert gates.looks_like_names("Amos Brocco· Andre Baran· Andrea Weikert")
    assert gates.looks_like_names("Music and sound design Jan Morgenstern")
    assert not gates.looks_like_names("The keeper climbs the stairs of the old lighthouse")


def test_a_model_title_must_use_words_the_chapter_says() -> None:
    text = "The keeper climbs one hundred steps to light the lamp of the lighthouse."
    assert gates.title_problem("The lighthouse keeper", [text], require_grounding=True) is None
    assert gates.title_problem("Specter of the Future", [text], require_grounding=True) == \
        "words the evidence does not say"


def test_missing_word_list_refuses_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    gates.word_counts.cache_clear()
    monkeypatch.setattr(gates.importlib.resources, "files", lambda name: (_ for _ in ()).throw(ModuleNotFoundError()))
    try:
        assert gates.word_counts() == {}
        assert gates.title_problem("The lighthouse keeper") is not None
    finally:
        gates.word_counts.cache_clear()
