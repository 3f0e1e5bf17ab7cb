"""With a (tiny, random) video-LLM configured: indexing builds the memory and a question streams its answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.app.conftest import fast_settings, open_window
from tests.app.test_flows import drop, indexed


@pytest.fixture
def model_window(qtbot: Any, tmp_path: Path, spin: Any, tiny_model: Path) -> Any:
    settings = fast_settings(tmp_path).replace(model_dir=str(tiny_model), quant="none", fps=1.0, answer_tokens=16)
    with open_window(tmp_path, spin, settings) as win:
        yield win


@pytest.mark.slow
def test_index_with_a_model_then_ask_streams_the_answer(model_window: Any, media: Any,
                                                        spin: Any) -> None:
    win = model_window
    stages: list[str] = []
    pieces: list[str] = []
    win.engine.progress.connect(lambda _fp, p: stages.append(p.stage))
    win.engine.answer_text.connect(lambda _job, piece: pieces.append(piece))
    drop(win, media["clip"])
    spin(lambda: indexed(win), timeout=120, what="evidence + video-LLM index")
    assert "frames" in stages and len(set(stages)) > 3
    assert win.index_panel.note.text() and "No video-LLM" not in win.index_panel.note.text()  # memory estimate
    win.questions.question.setText("What happens first?")
    win.questions.ask_button.click()
    spin(lambda: win.controller.ask_task is None and win.controller.last_answer is not None, timeout=120)
    answer = win.controller.last_answer
    assert "video-llm" in answer.sources
    assert pieces and "".join(pieces).strip() == answer.text
    spin(lambda: win.questions.past.count() == 1, what="the question kept with the video")
