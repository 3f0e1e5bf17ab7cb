"""Watch folders: a recording is queued once it has stopped growing, once; partial names are skipped; a moved
file keeps its finished work; a bad file is reported once."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from core.usecases import Longwatch, WatchService


def age(path: Path, seconds: float) -> None:
    t = time.time() - seconds
    os.utime(path, (t, t))


def test_a_file_is_queued_only_after_it_settles_and_only_once(service: Longwatch, tmp_path: Path,
                                                               recordings: list[Path]) -> None:
    folder = tmp_path / "tv"
    folder.mkdir()
    watcher = WatchService(service, [folder], ("evidence", "ads"), settle_s=30)
    target = folder / "show.ts"
    data = recordings[0].read_bytes()
    t0 = time.time()
    target.write_bytes(data[: len(data) // 2])
    assert watcher.scan_once(now=t0) == []  # just appeared
    target.write_bytes(data)  # it grew
    age(target, 40)
    assert watcher.scan_once(now=t0 + 20) == []  # the size changed at this scan: the clock restarts
    assert watcher.scan_once(now=t0 + 40) == []  # 20 s unchanged is not yet 30
    events = watcher.scan_once(now=t0 + 51)
    assert [(e.what, e.detail) for e in events] == [("queued", "evidence, ads")]
    assert watcher.scan_once(now=t0 + 100) == []  # never twice
    assert len(service.jobs()) == 2


def test_a_recent_modification_time_holds_a_file_back(service: Longwatch, tmp_path: Path,
                                                      recordings: list[Path]) -> None:
    folder = tmp_path / "tv"
    folder.mkdir()
    target = Path(shutil.copy(recordings[1], folder / "late.ts"))
    watcher = WatchService(service, [folder], ("evidence",), settle_s=30)
    now = time.time()
    watcher.scan_once(now=now - 60)  # seen unchanged for a minute ...
    assert watcher.scan_once(now=now) == []  # ... but written to 0 s ago (a writer that keeps its size)
    age(target, 31)  # a new modification time: seen changed, the settle clock starts again
    assert watcher.scan_once(now=now + 1) == []
    assert [e.what for e in watcher.scan_once(now=now + 31)] == ["queued"]


def test_partial_names_are_skipped_a_move_keeps_the_work_and_a_bad_file_is_reported_once(
        service: Longwatch, tmp_path: Path, recordings: list[Path]) -> None:
    folder = tmp_path / "tv"
    (folder / ".grab" / "123").mkdir(parents=True)
    for name in ("a.ts.part", ".hidden.ts", "b.mkv.crdownload", ".grab/123/rec.ts"):
        shutil.copy(recordings[0], folder / name)
    good = Path(shutil.copy(recordings[0], folder / "good.ts"))
    (folder / "broken.ts").write_text("not a video")
    for p in folder.rglob("*"):
        if p.is_file():
            age(p, 120)
    watcher = WatchService(service, [folder], ("evidence",), settle_s=10)
    t = time.time()
    assert watcher.scan_once(now=t) == []  # first sight: every file waits out the settle time once
    events = watcher.scan_once(now=t + 11)
    assert sorted((Path(e.path).name, e.what) for e in events) == [("broken.ts", "error"), ("good.ts", "queued")]
    assert watcher.scan_once(now=t + 20) == []  # the bad file is not tried again until it changes
    from core.usecases import Worker

    Worker(service).run(until_empty=True)
    moved = folder / "sub" / "renamed.ts"
    moved.parent.mkdir()
    good.rename(moved)
    assert watcher.scan_once(now=t + 30) == []
    events = watcher.scan_once(now=t + 41)
    assert [(Path(e.path).name, e.what) for e in events] == [("renamed.ts", "known")]
    assert len(service.jobs()) == 1 and service.library()[0].path == str(moved)


@pytest.mark.slow
def test_a_file_copied_in_slowly_over_30_s_is_queued_once_it_is_complete(service: Longwatch, tmp_path: Path,
                                                                          recordings: list[Path]) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    data = recordings[2].read_bytes()
    target = folder / "slow.ts"
    chunks = 60  # one chunk every 0.5 s: 30 s of copying
    finished: list[float] = []

    def copy_slowly() -> None:
        with target.open("wb") as f:
            for i in range(chunks):
                f.write(data[i * len(data) // chunks:(i + 1) * len(data) // chunks])
                f.flush()
                if i < chunks - 1:
                    time.sleep(0.5)
        finished.append(time.time())  # the last byte is written

    writer = threading.Thread(target=copy_slowly)
    queued_at: list[float] = []
    watcher = WatchService(service, [folder], ("evidence",), settle_s=3.0, interval_s=0.5,
                           on_event=lambda e: queued_at.append(time.time()) if e.what == "queued" else None)
    writer.start()
    watcher.start()
    writer.join()
    deadline = time.time() + 30
    while not queued_at and time.time() < deadline:
        time.sleep(0.2)
    watcher.stop()
    assert finished and len(queued_at) == 1 and queued_at[0] >= finished[0] + 3.0
    job = service.jobs()[0]
    assert os.path.getsize(job.path) == len(data)
    from core.media import fingerprint

    assert job.video == fingerprint(recordings[2])  # the complete content, not a prefix
