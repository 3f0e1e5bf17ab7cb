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


def _cli(*argv: str) -> tuple[int, str, str]:
    import io

    from core.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.slow
def test_indexed_in_the_app_answered_by_the_cli_and_the_other_way_round(qtbot: Any, tmp_path: Path, loop: Any,
                                                                        media: Any, tiny_model: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Both sides use the same default quantization and the run's recorded model: no --model needed."""
    import json
    import shutil

    from app.engine import Engine

    monkeypatch.delenv("LONGWATCH_MODEL", raising=False)
    db = str(tmp_path / "library.db")
    settings = fast_settings(tmp_path).replace(model_dir=str(tiny_model), fps=1.0, answer_tokens=8)
    assert settings.quant == "4bit"  # the shared default
    engine = Engine(settings)
    try:
        info = loop.run_until_complete(engine.open_file(str(media["clip"])))
        loop.run_until_complete(engine.index(info.fingerprint))
        code, out, err = _cli("ask", str(media["clip"]), "What happens?", "--max-tokens", "4", "--db", db,
                              "--json")
        assert code == 0, err
        assert json.loads(out)["sources"][0] == "video-llm"
        other = Path(shutil.copy(media["clip"], tmp_path / "second.mp4"))
        with other.open("ab") as f:
            f.write(b"\0" * 64)  # another fingerprint: another video of the library
        code, _, err = _cli("index", str(other), "--model", str(tiny_model), "--fps", "1", "--no-speech", "--no-ocr",
                            "--db", db)
        assert code == 0, err
        fp = json.loads(_cli("probe", str(other), "--db", db, "--json")[1])["fingerprint"]
        _, answer = loop.run_until_complete(engine.ask(fp, "ask", "What happens?"))
        assert answer.sources[0] == "video-llm" and answer.stats is not None
    finally:
        engine.shutdown(wait=True)
