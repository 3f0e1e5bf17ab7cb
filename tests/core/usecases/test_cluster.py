"""The queue on Ray (local mode, 2 workers): a worker killed mid-job is retried, and the library ends byte-identical
to one the local worker built."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from core.store import open_db
from core.usecases import Longwatch, RayDriver, Settings, Worker
from core.usecases.digest import library_digests
from tests.core.video_llm_fixtures import make_video
from tests.mediagen import write_srt

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.mark.slow
def test_ray_with_a_killed_worker_matches_the_local_worker(local_ray, tmp_path: Path, tiny_model_dir: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LONGWATCH_MODEL", raising=False)
    settings = Settings(model_dir=str(tiny_model_dir), device="cpu", quant="none", fps=1.0, speech=False, ocr=False,
                        evidence_fps=2.0, job_threads=1)
    videos = []
    for i in range(2):
        v = make_video(tmp_path / f"v{i}.mp4", seconds=40 + 4 * i, fps=4)
        write_srt(v.with_suffix(".srt"), [(2.0, 4.0, f"line {i} about the lighthouse")])
        videos.append(v)
    kinds = ["evidence", "index", "ads"]
    on_ray = Longwatch(settings, db_path=tmp_path / "ray.db")
    on_ray.enqueue(videos, kinds)
    killed: list[int] = []

    def kill_once(update) -> None:  # the first committed window: kill the worker that computed it
        p = update.progress
        if p is not None and p.stage == "encode" and p.done > 0:
            if not killed:
                pid = int(p.message.rsplit(":", 1)[1])
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            time.sleep(0.3)  # a slow consumer: the task waits on its backlog, so the kill lands mid-job

    stats = RayDriver(on_ray, "local", window_backlog=1, on_update=kill_once).run(until_empty=True)
    assert killed and stats.failed == 0 and on_ray.queue_counts()["done"] == 6
    assert all(j.attempts == 1 for j in on_ray.jobs())  # Ray retried the task; the job ran once

    local = Longwatch(settings, db_path=tmp_path / "local.db")
    local.enqueue(videos, kinds)
    Worker(local).run(until_empty=True)
    got, want = library_digests(open_db(tmp_path / "ray.db")), library_digests(open_db(tmp_path / "local.db"))
    assert got == want
    assert all(d.memories and d.evidence for d in want.values())
    hits = on_ray.search_all("lighthouse")
    assert sorted(h.name for h in hits) == ["v0.mp4", "v1.mp4"]
    on_ray.close_thread()
    local.close_thread()
