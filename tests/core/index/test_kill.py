"""The real proof of resumability: SIGKILL an indexing process after its first committed window."""

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from core.index import IndexOptions, index_video, list_runs
from core.store import open_db

CHILD = textwrap.dedent(
    """
    import sys, time
    import torch
    torch.set_num_threads(1)  # as in the parent: float sums depend on the thread split
    from core.index import IndexOptions, index_video
    from core.model import ModelOptions
    from core.store import open_db

    def slow(p):  # widen the gap between commits so the parent can kill mid-run
        if p.stage == "encode" and dict(p.detail)["windows_done"] >= 1:
            time.sleep(0.3)

    db = open_db(sys.argv[1])
    index_video(db, sys.argv[2], IndexOptions(frames=25, ratio=8),
                model=ModelOptions(model=sys.argv[3], device="cpu"), progress=slow)
    print("finished")
    """
)


def committed(db_path) -> int:
    try:
        with sqlite3.connect(db_path, timeout=5) as con:
            return con.execute("SELECT count(*) FROM memory_windows").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


@pytest.mark.slow
def test_sigkill_after_first_window_then_resume_is_byte_identical(tmp_path, tiny_model, tiny_model_dir, video):
    db_path = tmp_path / "lib.db"
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db_path), str(video), str(tiny_model_dir)],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while committed(db_path) < 1 and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    out, err = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL, err.decode()[-2000:]
    assert b"finished" not in out
    db = open_db(db_path)
    run = list_runs(db, db.execute("SELECT fingerprint FROM videos").fetchone()[0])[0]
    assert run.state == "running" and 1 <= run.windows_done < 3
    resumed = index_video(db, video, IndexOptions(frames=25, ratio=8), model=tiny_model)
    assert resumed.resumed_from == run.windows_done
    whole = index_video(open_db(tmp_path / "whole.db"), video, IndexOptions(frames=25, ratio=8), model=tiny_model)
    assert resumed.memory_sha256 == whole.memory_sha256
