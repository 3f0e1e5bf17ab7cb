import shutil
import threading

import pytest

from core.errors import Cancelled
from core.index import IndexOptions, index_video, list_runs, read_windows, run_stats
from core.media import fingerprint
from core.progress import CancelToken
from core.store import get_video_row, open_db

OPTS = IndexOptions(frames=25, ratio=8)  # windows 0, 1 (10 frames each) and 2 (5 frames)


class Boom(Exception):
    pass


def stop_after(windows: int, exc: BaseException):
    def callback(p):
        if p.stage == "encode" and dict(p.detail).get("windows_done") == windows:
            raise exc
    return callback


@pytest.fixture(scope="module")
def reference(tmp_path_factory, tiny_model, video):
    """An uninterrupted index of the test video."""
    db = open_db(tmp_path_factory.mktemp("ref") / "ref.db")
    return index_video(db, video, OPTS, model=tiny_model)


def test_index_progress_and_a_second_call_returns_at_once(tmp_path, tiny_model_dir, video, reference, monkeypatch):
    import core.index.pipeline as pipeline
    from core.model import ModelOptions

    db = open_db(tmp_path / "lib.db")
    events = []
    first = index_video(db, video, OPTS, model=ModelOptions(model=str(tiny_model_dir), device="cpu"),
                        progress=events.append)
    assert (first.frames, first.windows, first.reused, first.resumed_from) == (25, 3, False, 0)
    assert first.memory_sha256 == reference.memory_sha256  # same model and settings: same bytes
    encode = [e for e in events if e.stage == "encode"]
    assert [dict(e.detail)["windows_done"] for e in encode] == [0, 1, 2, 3]
    assert [e.done for e in encode] == [0, 10, 20, 25] and {e.total for e in encode} == {25}
    assert dict(encode[-1].detail)["windows_total"] == 3 and encode[-1].rate is not None
    monkeypatch.setattr(pipeline, "load_model", lambda *a, **k: pytest.fail("loaded the model for a finished index"))
    again = index_video(db, video, OPTS, model=ModelOptions(model=str(tiny_model_dir), device="cpu"))
    assert again.reused and again.memory_sha256 == first.memory_sha256 and again.bytes == first.bytes
    assert list_runs(db, first.video)[0].state == "done"


def test_moved_file_is_found_by_fingerprint(tmp_path, tiny_model, video, reference):
    db = open_db(tmp_path / "lib.db")
    index_video(db, video, OPTS, model=tiny_model)
    moved = shutil.copy(video, tmp_path / "renamed copy.mp4")
    again = index_video(db, moved, OPTS, model=tiny_model)
    assert again.reused and again.video == fingerprint(video)
    assert get_video_row(db, again.video)["path"] == str(moved)


@pytest.mark.parametrize("storage", ["fp16", "int8"])
def test_resume_after_a_crash_is_byte_identical(tmp_path, tiny_model, video, storage):
    opts = IndexOptions(frames=25, ratio=8, storage=storage)
    whole = index_video(open_db(tmp_path / "whole.db"), video, opts, model=tiny_model)
    db = open_db(tmp_path / "lib.db")
    with pytest.raises(Boom):
        index_video(db, video, opts, model=tiny_model, progress=stop_after(1, Boom()))
    run = list_runs(db, whole.video)[0]
    assert (run.state, run.windows_done) == ("failed", 1)
    resumed = index_video(db, video, opts, model=tiny_model)
    assert resumed.resumed_from == 1 and not resumed.reused
    assert resumed.memory_sha256 == whole.memory_sha256 and resumed.bytes == whole.bytes


def test_cancel_and_ctrl_c_are_clean_and_resume(tmp_path, tiny_model, video, reference):
    db = open_db(tmp_path / "lib.db")
    token = CancelToken()

    def cancel_after_first(p):
        if p.stage == "encode" and dict(p.detail).get("windows_done") == 1:
            token.cancel()

    with pytest.raises(Cancelled):
        index_video(db, video, OPTS, model=tiny_model, progress=cancel_after_first, cancel=token)
    run = list_runs(db, reference.video)[0]
    assert run.state == "cancelled" and run.windows_done in (1, 2)
    with pytest.raises(KeyboardInterrupt):
        index_video(db, video, OPTS, model=tiny_model, progress=stop_after(2, KeyboardInterrupt()))
    assert list_runs(db, reference.video)[0].state == "cancelled"
    done = index_video(db, video, OPTS, model=tiny_model)
    assert done.memory_sha256 == reference.memory_sha256


@pytest.mark.slow
def test_readers_see_whole_windows_while_the_writer_commits_beside_another_writer(tmp_path, tiny_model, video, reference):
    path = tmp_path / "lib.db"
    writer = open_db(path)
    seen: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader():
        db = open_db(path)  # its own connection, its own thread
        try:
            while not stop.is_set():
                runs = list_runs(db, reference.video)
                if runs:
                    windows = read_windows(db, runs[0].id)  # decodes every committed window
                    assert [w.index for w in windows] == list(range(len(windows)))
                    seen.append(len(windows))
        except BaseException as e:
            errors.append(e)
        finally:
            db.close()

    def pause_for_reader(p):
        if p.stage == "encode":
            n = dict(p.detail)["windows_done"]
            before = len(seen)
            while len(seen) < before + 2 and not errors:  # let the reader look at least twice
                stop.wait(0.01)
            if not errors:
                assert seen[-1] == n  # the writer is paused after committing window n - 1: all n are visible

    def other_writer():  # e.g. the evidence pass or query history writing to the same file meanwhile
        from core.query.history import record_query

        db = open_db(path)
        try:
            while not stop.is_set():
                if db.execute("SELECT count(*) FROM videos").fetchone()[0]:
                    record_query(db, reference.video, "ask", "meanwhile", {"text": ""})
                stop.wait(0.005)
        except BaseException as e:
            errors.append(e)
        finally:
            db.close()

    threads = [threading.Thread(target=reader), threading.Thread(target=other_writer)]
    for t in threads:
        t.start()
    try:
        result = index_video(writer, video, OPTS, model=tiny_model, progress=pause_for_reader)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors
    assert seen == sorted(seen) and seen[-1] == 3
    assert {1, 2, 3} <= set(seen)
    assert result.memory_sha256 == run_stats(writer, result.run_id).memory_sha256 == reference.memory_sha256
