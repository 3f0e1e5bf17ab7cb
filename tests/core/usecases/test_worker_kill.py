"""kill -9 of the local worker in the middle of a video-LLM job: nothing lost, nothing done twice, and the library
ends byte-identical to one built without interruption."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from core.store import open_db
from core.usecases import Longwatch, Settings, Worker
from core.usecases.digest import library_digests
from tests.core.video_llm_fixtures import make_video

CHILD = textwrap.dedent(
    """
    import sys, time
    from core.index import store
    from core.usecases import Longwatch, Settings, Worker

    commit = store.commit_window

    def slow_commit(*a, **k):  # widen the gap between commits so the parent can kill mid-job
        commit(*a, **k)
        time.sleep(0.4)

    store.commit_window = slow_commit
    service = Longwatch(Settings(**eval(sys.argv[2])), db_path=sys.argv[1])
    Worker(service).run(until_empty=True)
    print("finished")
    """
)


def windows(db_path: Path) -> int:
    try:
        with sqlite3.connect(db_path, timeout=5) as con:
            return con.execute("SELECT count(*) FROM memory_windows").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


@pytest.mark.slow
def test_kill_9_mid_job_then_the_queue_finishes_identical_to_a_clean_run(tmp_path: Path, tiny_model_dir: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LONGWATCH_MODEL", raising=False)
    settings = Settings(model_dir=str(tiny_model_dir), device="cpu", quant="none", fps=1.0, speech=False, ocr=False,
                        evidence_fps=2.0, job_threads=1)
    videos = [make_video(tmp_path / f"v{i}.mp4", seconds=24 + 4 * i, fps=4) for i in range(2)]
    killed_db = tmp_path / "killed.db"
    first = Longwatch(settings, db_path=killed_db)
    first.enqueue(videos, ["evidence", "index"])
    first.close_thread()
    fields = {k: v for k, v in settings.__dict__.items()}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(killed_db), repr(fields)],
                             env={**os.environ, "PYTHONPATH": os.getcwd()}, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while windows(killed_db) < 1 and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    _out, err = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL, err.decode()[-2000:]
    service = Longwatch(settings, db_path=killed_db)
    running = service.jobs(states=["running"])
    assert len(running) == 1 and running[0].kind == "index"  # held by a dead process
    stats = Worker(service).run(until_empty=True)
    assert stats.failed == 0 and service.queue_counts()["done"] == 4
    for job in service.jobs():
        events = [e.event for e in service.job_history(job.id)]
        assert events.count("done") == 1 and events[-1] == "done"
    assert "reclaimed" in [e.event for e in service.job_history(running[0].id)]
    assert service.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    clean = Longwatch(settings, db_path=tmp_path / "clean.db")
    clean.enqueue(videos, ["evidence", "index"])
    Worker(clean).run(until_empty=True)
    got, want = library_digests(open_db(killed_db)), library_digests(open_db(tmp_path / "clean.db"))
    assert got == want and all(d.memories for d in want.values())
    service.close_thread()
    clean.close_thread()
