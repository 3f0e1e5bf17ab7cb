"""The answering service: index once and ask without naming the model, a moved model folder, another model,
the warm memory cache, answers stored and turned into timeline segments."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from core.cli import main
from core.errors import LongwatchError
from core.query import FindOptions
from core.usecases import Longwatch, ModelMoved, Settings

FAST = Settings(speech=False, ocr=False, evidence_fps=2.0, quant="none")


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def indexed_copy(tmp_path: Path, tiny_model_dir: Path, video: Path, monkeypatch: pytest.MonkeyPatch):
    """A library where ``video`` was indexed by the CLI with a copy of the tiny model (which tests may move)."""
    monkeypatch.delenv("LONGWATCH_MODEL", raising=False)
    model = Path(shutil.copytree(tiny_model_dir, tmp_path / "model"))
    db = str(tmp_path / "lib.db")
    code, _, err = cli("index", str(video), "--model", str(model), "--frames", "12", "--ratio", "16",
                       "--no-speech", "--no-ocr", "--evidence-fps", "2", "--device", "cpu", "--db", db)
    assert code == 0, err
    return db, model


def test_ask_after_index_uses_the_memory_without_naming_the_model(indexed_copy, video: Path) -> None:
    db, _ = indexed_copy
    code, out, err = cli("ask", str(video), "What colour is the square?", "--max-tokens", "4", "--db", db, "--json")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["sources"][0] == "video-llm" and answer["stats"]["windows_total"] == 2
    assert answer["moments"] and "the model answers yes" in answer["moments"][0]["why"][0]
    assert "No video-LLM" not in err
    code, out, err = cli("find", str(video), "a white bar", "--refine", "0", "--db", db, "--json")
    assert code == 0, err
    assert any("the model answers yes" in w for m in json.loads(out) for w in m["why"])


def test_a_moved_model_folder_is_one_line_naming_it_and_the_new_place_works(indexed_copy, video: Path,
                                                                            tmp_path: Path) -> None:
    db, model = indexed_copy
    moved = model.rename(tmp_path / "elsewhere")
    code, out, err = cli("ask", str(video), "What is shown?", "--max-tokens", "4", "--db", db)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and str(model.resolve()) in err and "--model DIR" in err
    code, out, err = cli("ask", str(video), "What is shown?", "--max-tokens", "4", "--model", str(moved),
                         "--db", db, "--json")
    assert code == 0, err
    assert json.loads(out)["sources"][0] == "video-llm"
    code, _, err = cli("index", str(video), "--model", str(moved), "--frames", "12", "--ratio", "16",
                       "--no-speech", "--no-ocr", "--evidence-fps", "2", "--db", db)  # already indexed: at once
    assert code == 0, err
    code, out, err = cli("ask", str(video), "What is shown?", "--max-tokens", "4", "--db", db, "--json")
    assert code == 0, err  # the run now remembers the new place
    assert json.loads(out)["sources"][0] == "video-llm"


def test_another_model_that_never_indexed_the_video_answers_from_the_evidence(indexed_copy, video: Path,
                                                                              tmp_path: Path) -> None:
    from core.model import write_tiny_checkpoint

    db, _ = indexed_copy
    other = write_tiny_checkpoint(tmp_path / "other", seed=7)
    code, out, err = cli("ask", str(video), "What is shown?", "--model", str(other), "--db", db, "--json")
    assert code == 0, err
    answer = json.loads(out)
    assert "video-llm" not in answer["sources"]
    assert any("not indexed with the model" in n for n in answer["notes"])


def test_the_second_question_reads_no_memory_blob(indexed_copy, video: Path, monkeypatch) -> None:
    from core.query import AskOptions

    db, _ = indexed_copy
    service = Longwatch(FAST, db_path=db)
    opts = AskOptions(max_new_tokens=2, moments=0)
    first = service.ask(video, "What is shown?", options=opts)
    import core.index

    def no_reading(*a: object, **k: object) -> None:
        raise AssertionError("the warm memory must answer the second question")

    monkeypatch.setattr(core.index, "read_windows", no_reading)
    second = service.ask(video, "What is shown?", options=opts)
    assert second.text == first.text
    stats = service.memories.stats()
    assert (stats.hits, stats.misses, stats.entries) == (1, 1, 1) and stats.bytes > 0


def test_the_memory_cache_keeps_to_its_budget_and_rereads_a_run_that_grew(indexed_copy, video: Path) -> None:
    from core.index import list_runs
    from core.store import open_db

    db, _ = indexed_copy
    fp = Longwatch(FAST, db_path=db).video(video).fingerprint
    run = list_runs(open_db(db), fp)[0]
    none = Longwatch(FAST.replace(memory_budget_mb=0), db_path=db).memories
    none.windows(open_db(db), run)
    assert none.stats().entries == 0  # nothing kept with a zero budget
    warm = Longwatch(FAST, db_path=db).memories
    windows = warm.windows(open_db(db), run)
    grown = type(run)(**{**run.__dict__, "windows_done": run.windows_done + 1})
    assert warm.windows(open_db(db), grown) is not windows  # the run changed: read again
    warm.resize(1)
    assert warm.stats().entries == 0  # evicted to fit the new budget


def test_answers_are_stored_and_their_moments_become_timeline_segments(indexed_copy, video: Path) -> None:
    db, _ = indexed_copy
    service = Longwatch(FAST, db_path=db)
    ads = service.ads(video)
    found = service.find(video, "a white bar", options=FindOptions(refine=0))
    summary = service.summary(video)
    kinds = [r.kind for r in service.history(video)]
    assert kinds[:3] == ["summary", "find", "ads"]
    assert service.history(video)[1].answer.to_json() == found.to_json()
    segments = {s.kind for s in service.segments(video)}
    assert "chapter" in segments and ("event" in segments) == bool(found.moments)
    assert ads.kind == "ads" and all(m.label == "ad" for m in ads.moments)
    assert summary.summary is not None and summary.moments


def test_errors_are_one_line(tmp_path: Path, video: Path) -> None:
    service = Longwatch(FAST, db_path=tmp_path / "lib.db")
    with pytest.raises(LongwatchError, match="empty"):
        service.ask(video, "   ")
    with pytest.raises(LongwatchError, match=r"outside 0\.\.1"):
        service.ads(video, min_score=3)
    code, out, err = cli("find", str(video), "x", "--top", "0", "--db", str(tmp_path / "lib.db"))
    assert code == 2 and out == "" and err.count("\n") == 1 and "Internal error" not in err
    assert issubclass(ModelMoved, LongwatchError)
