"""The job queue's rows: claiming is exclusive across processes, dead workers are found, nothing is done twice."""

from __future__ import annotations

import multiprocessing
import socket
from pathlib import Path

import pytest

from core.errors import UsageError
from core.store import jobs, open_db


def add(db, video: str, kind: str = "evidence", key: str = "k", **kw) -> jobs.Job:
    return jobs.enqueue(db, video=video, path=f"/rec/{video}.ts", kind=kind, settings={"x": 1}, settings_key=key,
                        **kw)[0]


def test_enqueue_is_idempotent_and_a_done_job_stays_done(tmp_db) -> None:
    first = add(tmp_db, "a")
    again, queued = jobs.enqueue(tmp_db, video="a", path="/moved/a.ts", kind="evidence", settings={},
                                 settings_key="k")
    assert not queued and again.id == first.id and again.path == "/moved/a.ts"  # a waiting job follows the file
    w = jobs.worker_id()
    assert jobs.claim(tmp_db, w).id == first.id
    assert jobs.finish(tmp_db, first.id, w, result={"ok": 1})
    done, queued = jobs.enqueue(tmp_db, video="a", path="/rec/a.ts", kind="evidence", settings={}, settings_key="k",
                                requeue=True)
    assert not queued and done.state == "done" and done.result == {"ok": 1}
    other, queued = jobs.enqueue(tmp_db, video="a", path="/rec/a.ts", kind="evidence", settings={},
                                 settings_key="other settings")
    assert queued and other.id != first.id
    assert [e.event for e in jobs.job_events(tmp_db, first.id)] == ["queued", "claimed", "done"]


def test_one_worker_per_video_and_evidence_before_ads(tmp_db) -> None:
    ads_a = add(tmp_db, "a", "ads")
    ev_a = add(tmp_db, "a", "evidence")
    ev_b = add(tmp_db, "b", "evidence")
    w = jobs.worker_id()
    assert jobs.claim(tmp_db, w).id == ev_a.id  # ads of a was queued first, but waits for a's evidence
    assert jobs.claim(tmp_db, w).id == ev_b.id
    assert jobs.claim(tmp_db, w) is None  # a's ads: a is busy
    jobs.finish(tmp_db, ev_a.id, w)
    assert jobs.claim(tmp_db, w).id == ads_a.id


def test_priority_then_position_and_move(tmp_db) -> None:
    a, b, c = add(tmp_db, "a"), add(tmp_db, "b"), add(tmp_db, "c", priority=5)
    assert [j.id for j in jobs.list_jobs(tmp_db)] == [c.id, a.id, b.id]
    jobs.move(tmp_db, b.id, 0)
    assert [j.id for j in jobs.list_jobs(tmp_db)] == [b.id, c.id, a.id]
    jobs.move(tmp_db, b.id, 99)
    assert [j.id for j in jobs.list_jobs(tmp_db)] == [c.id, a.id, b.id]
    w = jobs.worker_id()
    assert [jobs.claim(tmp_db, w).id for _ in range(3)] == [c.id, a.id, b.id]
    with pytest.raises(UsageError, match="only waiting jobs"):
        jobs.move(tmp_db, c.id, 0)


def test_a_killed_worker_on_this_host_is_seen_at_once_and_its_job_resumes(tmp_db) -> None:
    job = add(tmp_db, "a")
    dead = f"{socket.gethostname()}:{2**22 + 12345}:dead"  # beyond pid_max: no such process
    assert jobs.claim(tmp_db, dead).id == job.id
    w = jobs.worker_id()
    again = jobs.claim(tmp_db, w)
    assert again is not None and again.id == job.id and again.attempts == 2
    assert jobs.finish(tmp_db, job.id, dead) is False  # the old holder cannot finish it
    assert [e.event for e in jobs.job_events(tmp_db, job.id)] == ["queued", "claimed", "reclaimed", "claimed"]


def test_a_lease_that_ran_out_is_reclaimed_and_renewing_keeps_it(tmp_db) -> None:
    job = add(tmp_db, "a")
    remote = "another-host:1:x"  # not this host: only the lease says whether it lives
    t0 = 1_000_000.0
    assert jobs.claim(tmp_db, remote, now=t0, lease_s=60).id == job.id
    assert jobs.claim(tmp_db, "w2", now=t0 + 30) is None
    jobs.renew(tmp_db, remote, now=t0 + 50, lease_s=60)
    assert jobs.claim(tmp_db, "w2", now=t0 + 100) is None
    assert jobs.claim(tmp_db, "w2", now=t0 + 111).id == job.id


def test_a_job_that_keeps_killing_its_worker_fails_after_its_attempts(tmp_db) -> None:
    job = add(tmp_db, "a", max_attempts=2)
    t = 1_000_000.0
    for _ in range(2):
        assert jobs.claim(tmp_db, "h:1:x", now=t, lease_s=1) is not None
        t += 10
    assert jobs.claim(tmp_db, "h:1:x", now=t) is None
    failed = jobs.get_job(tmp_db, job.id)
    assert failed.state == "failed" and "stopped 2 times without making progress" in failed.error


def test_a_killed_try_that_made_progress_does_not_count(tmp_db) -> None:
    job = add(tmp_db, "a", max_attempts=1)
    t = 1_000_000.0
    for _ in range(5):  # killed five times, each time after some work: never failed
        claimed = jobs.claim(tmp_db, "h:1:x", now=t, lease_s=1)
        assert claimed is not None and claimed.attempts == 1
        jobs.report(tmp_db, job.id, "h:1:x", stage="frames", done=1, total=9, unit="s")
        t += 10
    assert jobs.claim(tmp_db, "h:1:x", now=t, lease_s=1) is not None
    t += 10
    assert jobs.claim(tmp_db, "w", now=t) is None  # this try reported nothing: its last attempt is used up
    assert jobs.get_job(tmp_db, job.id).state == "failed"


def test_fail_retries_with_backoff_then_gives_up(tmp_db) -> None:
    job = add(tmp_db, "a", max_attempts=2)
    t = 1_000_000.0
    jobs.claim(tmp_db, "w", now=t)
    after = jobs.fail(tmp_db, job.id, "w", "disk\nfull", retry=True, now=t, backoff_s=30)
    assert after.state == "queued" and after.error == "disk full"
    assert jobs.claim(tmp_db, "w", now=t + 10) is None  # waits out its backoff
    jobs.claim(tmp_db, "w", now=t + 31)
    assert jobs.fail(tmp_db, job.id, "w", "disk full", retry=True, now=t + 31).state == "failed"
    assert jobs.retry(tmp_db, job.id).state == "queued"
    assert jobs.get_job(tmp_db, job.id).attempts == 0


def test_pause_resume_cancel_of_waiting_and_running_jobs(tmp_db) -> None:
    a, b = add(tmp_db, "a"), add(tmp_db, "b")
    assert jobs.pause(tmp_db, a.id).state == "paused"
    w = jobs.worker_id()
    assert jobs.claim(tmp_db, w).id == b.id  # a paused job is never claimed
    assert jobs.claim(tmp_db, w) is None
    assert jobs.cancel(tmp_db, b.id).request == "cancel"  # running: asked of its worker
    assert jobs.report(tmp_db, b.id, w, stage="frames", done=1, total=2, unit="s") == "cancel"
    assert jobs.give_back(tmp_db, b.id, w).state == "cancelled"
    assert jobs.resume(tmp_db, a.id).state == "queued"
    assert jobs.report(tmp_db, a.id, w, stage="x", done=0, total=None, unit="") == "lost"
    with pytest.raises(UsageError, match="cannot be resumed"):
        jobs.resume(tmp_db, b.id)


def test_a_paused_queue_claims_nothing_but_a_named_job(tmp_db) -> None:
    a = add(tmp_db, "a")
    jobs.set_queue_paused(tmp_db, True)
    assert jobs.queue_paused(tmp_db) and jobs.claim(tmp_db, "w") is None
    assert jobs.claim(tmp_db, "w", job_id=a.id).id == a.id  # postprocess runs its own job anyway
    jobs.set_queue_paused(tmp_db, False)
    assert not jobs.queue_paused(tmp_db)


def _claim_all(db_path: str, out: multiprocessing.Queue) -> None:
    db = open_db(db_path)
    me = jobs.worker_id()
    got = []
    while (job := jobs.claim(db, me)) is not None:
        got.append(job.id)
        jobs.finish(db, job.id, me)
    out.put(got)


def test_processes_claiming_at_once_never_take_the_same_job(tmp_path: Path) -> None:
    db_path = str(tmp_path / "lib.db")
    db = open_db(db_path)
    ids = {add(db, f"v{i}").id for i in range(60)}
    ctx = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue = ctx.Queue()
    procs = [ctx.Process(target=_claim_all, args=(db_path, out)) for _ in range(4)]
    for p in procs:
        p.start()
    claimed = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(30)
    flat = [i for got in claimed for i in got]
    assert sorted(flat) == sorted(ids)  # every job once, none twice
    assert jobs.count_states(db)["done"] == 60
