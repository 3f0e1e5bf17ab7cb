"""``index_now``: the app's index of an opened video goes through the queue, so it is never done twice, a cancel
leaves the jobs paused (no other worker takes them over), and the next call resumes them."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from core.errors import Cancelled, LongwatchError
from core.progress import CancelToken, Progress
from core.store import jobs as job_store
from core.usecases import INTERACTIVE_PRIORITY, NO_MODEL, Longwatch, Worker, index_now
from tests.core.usecases.conftest import FAST


def test_index_now_runs_the_evidence_job_with_overall_progress_and_never_twice(
        service: Longwatch, recordings: list[Path]) -> None:
    events: list[Progress] = []
    outcome = index_now(service, str(recordings[0]), progress=events.append)
    assert outcome.notes == (NO_MODEL,)  # no model: the outcome says what is missing
    jobs = service.jobs()
    assert [(j.kind, j.state, j.source, j.priority) for j in jobs] == [
        ("evidence", "done", "app", INTERACTIVE_PRIORITY)]
    overall = [dict(p.detail)["overall"] for p in events]
    assert overall[-1] == 1.0 and overall == sorted(overall)  # the bar never drops back
    assert events[-1].stage == "done"
    assert service.index_progress([jobs[0].video])[0].state == "done"
    again: list[Progress] = []
    index_now(service, str(recordings[0]), progress=again.append)
    assert [e.event for e in service.job_history(jobs[0].id)].count("claimed") == 1  # nothing ran again
    assert [p.stage for p in again] == ["done"]


def test_cancel_pauses_the_jobs_and_the_next_call_resumes_them(service: Longwatch, recordings: list[Path]) -> None:
    token = CancelToken()
    seen: list[float] = []

    def report(p: Progress) -> None:
        seen.append(p.done)
        if p.stage == "frames" and p.done > 0:
            token.cancel()

    with pytest.raises(Cancelled):
        index_now(service, str(recordings[1]), progress=report, cancel=token)
    (job,) = service.jobs()
    assert job.state == "paused"
    # a background worker finds nothing to take over
    assert Worker(service, poll_s=0.05).run(until_empty=True).jobs == []
    index_now(service, str(recordings[1]))
    job = service.job(job.id)
    assert job.state == "done"
    events = [e.event for e in service.job_history(job.id)]
    assert events.count("done") == 1 and "paused" in events and events.count("requeued") == 1


def test_index_now_waits_for_the_worker_that_holds_the_job(service: Longwatch, recordings: list[Path]) -> None:
    """While another worker (the background queue) runs the video's job, index_now waits and claims nothing."""
    (queued,) = service.enqueue([recordings[2]], ["evidence"])[0].jobs
    holder = job_store.worker_id()
    assert job_store.claim(service.db, holder, job_id=queued.id) is not None
    result: list[object] = []

    def run() -> None:
        other = Longwatch(FAST, db_path=service.db_path)
        try:
            result.append(index_now(other, str(recordings[2])))
        except LongwatchError as e:
            result.append(e)
        finally:
            other.close_thread()

    t = threading.Thread(target=run)
    t.start()
    t.join(1.5)
    assert t.is_alive() and not result  # still waiting for the holder
    assert job_store.give_back(service.db, queued.id, holder) is not None  # the holder stops; index_now takes over
    t.join(60)
    assert not t.is_alive() and not isinstance(result[0], LongwatchError)
    assert service.job(queued.id).state == "done"
