"""Index one video now, through the queue: what the app does when a person opens a file or clicks Index.

The video's jobs (evidence, and index when a video-LLM is configured) are queued at the front (or found: a done
job is never redone, a paused, failed or cancelled one is queued again) and run on the calling thread by a
worker of their own, or waited for while another worker runs them (the app's background queue, a
``longwatch-cli queue run`` in a terminal). So the queue and the person never index the same video twice, and
the queue view shows the work as it happens.

Cancelling stops the running job at its next check and leaves the video's jobs *paused* in the queue (the
background worker does not take them over); the next ``index_now`` of the video resumes them where they stopped.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from core.errors import Cancelled, LongwatchError
from core.progress import CancelToken, Progress, ProgressCallback, no_progress
from core.store import jobs as job_store
from core.usecases.grounds import NO_MODEL
from core.usecases.progress_state import OverallMeter
from core.usecases.worker import UpdateCallback, Worker

if TYPE_CHECKING:
    from core.usecases.service import IndexOutcome, Longwatch

INTERACTIVE_PRIORITY = 100  # ahead of what watch folders and the command line queue (priority 0)


def index_now(service: Longwatch, video: str, *, progress: ProgressCallback | None = None,
              cancel: CancelToken | None = None, model_lock: threading.Lock | None = None,
              threads: int | None = None, on_update: UpdateCallback | None = None) -> IndexOutcome:
    """Run (or wait for) ``video``'s evidence and index jobs here; progress events carry the overall fraction
    (``detail["overall"]``, as ``Longwatch.index`` gives them). Raises Cancelled when ``cancel`` is set, and a
    one-line LongwatchError when a job failed or was paused from the queue."""
    from core.usecases.service import IndexOutcome

    has_model = service.settings.has_model
    kinds = ("evidence", "index") if has_model else ("evidence",)
    queued = service.enqueue_file(video, kinds, priority=INTERACTIVE_PRIORITY, source="app", requeue=True)
    ids = [j.id for j in queued.jobs]
    fp = queued.jobs[0].video
    meter = OverallMeter(service.index_progress([fp])[0], progress or no_progress)
    worker = Worker(service, concurrency=1, model_lock=model_lock, threads=threads, on_update=on_update,
                    on_progress=lambda _job, p: meter(p))
    token = cancel or CancelToken()
    done = threading.Event()
    stopper = threading.Thread(target=_stop_on_cancel, args=(token, done, worker), name="longwatch-cancel",
                               daemon=True)
    stopper.start()
    try:
        ended = worker.run_jobs(ids, poll_s=0.5)
    except Cancelled:
        ended = []
    finally:
        done.set()
        stopper.join()
    if token.cancelled:
        _hold(service, ids)
        raise Cancelled()
    for job in ended:
        if job.state == "paused":
            raise LongwatchError(f"Indexing of {job.name} is paused in the queue; resume it there or index again.")
        if job.state != "done":
            why = job.error or job.state
            raise LongwatchError(f"{job.kind} of {job.name} {job.state}: {why}")
    meter(Progress("done", 1, 1, message="Indexed"))
    return IndexOutcome(service.video(fp), None, None, () if has_model else (NO_MODEL,))


def _stop_on_cancel(token: CancelToken, done: threading.Event, worker: Worker) -> None:
    while not done.is_set():
        if token.wait(0.1):
            worker.stop(wait=False)
            return


def _hold(service: Longwatch, ids: list[int]) -> None:
    """Pause the jobs that did not finish, so no other worker takes them over after a cancel."""
    for job_id in ids:
        job = job_store.get_job(service.db, job_id)
        if job.state in ("queued", "running"):
            job_store.pause(service.db, job_id)
