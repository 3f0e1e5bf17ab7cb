"""The local worker: runs the library's job queue with ``Settings.queue_concurrency`` jobs at once.

``Worker(service).run(until_empty=True)`` (what ``longwatch-cli queue run`` does) or ``start()`` / ``stop()`` on a
background thread (the app). Each job thread claims a job (``core.store.jobs.claim``), runs it through a service
configured with the job's own settings (``core.usecases.jobs.run_job``), and marks it done, failed or given back.
A heartbeat thread renews the leases of the running jobs every few seconds and passes on what people asked of
them (pause, cancel) through each job's ``CancelToken``, so a job stops at its next check even when it reports
no progress. A video-LLM job holds the model lock: the one loaded model never runs two videos at once.

kill -9 at any moment loses nothing: the job's committed work stays, its lease runs out or (same host) its process
is seen gone, the next claim queues it again, and it resumes where it stopped.

Threads (not processes) run the jobs: decoding, torch and the speech and OCR runtimes release the GIL, and the
model and memory caches are shared. Each thread has its own SQLite connections.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlite_utils

from core.errors import Cancelled, LongwatchError, StoreError, UsageError
from core.progress import CancelToken, Progress, ProgressCallback
from core.store import jobs as job_store
from core.store import open_db
from core.usecases.jobs import settings_of

if TYPE_CHECKING:
    from core.usecases.service import Longwatch

log = logging.getLogger(__name__)

REPORT_EVERY_S = 1.0  # job progress is written at most this often
POLL_S = 2.0  # an idle job thread looks for work this often


@dataclass(frozen=True)
class JobUpdate:
    """What happened to a job, for a display: claimed, progress, done, failed, retry, stopped."""

    job: job_store.Job
    event: str
    progress: Progress | None = None
    error: str | None = None


@dataclass
class WorkerStats:
    """What a worker did (counts of jobs)."""

    done: int = 0
    failed: int = 0
    retried: int = 0
    stopped: int = 0  # paused, cancelled, or given back at shutdown
    jobs: list[int] = field(default_factory=list)


UpdateCallback = Callable[[JobUpdate], None]
ProgressTap = Callable[[job_store.Job, Progress], None]


class Worker:
    """Runs queued jobs until stopped (or until none is left, with ``until_empty``)."""

    def __init__(self, service: Longwatch, *, concurrency: int | None = None, kinds: Sequence[str] | None = None,
                 lease_s: float = job_store.LEASE_S, poll_s: float = POLL_S,
                 on_update: UpdateCallback | None = None, on_progress: ProgressTap | None = None,
                 model_lock: threading.Lock | None = None, threads: int | None = None) -> None:
        self.service = service
        self.concurrency = concurrency or service.settings.queue_concurrency
        self.kinds = tuple(kinds) if kinds else None
        self.lease_s, self.poll_s = lease_s, poll_s
        self.on_update = on_update or (lambda _u: None)
        self.on_progress = on_progress  # every progress event of a job, unthrottled (a display's meter)
        self.threads = threads  # torch threads for every job; None: the job's settings (``threads_per_job``)
        self.id = job_store.worker_id()
        self.stats = WorkerStats()
        self._stop = threading.Event()
        self._held = threading.Event()  # claim nothing new while set (the app indexes the video a person opened)
        self._lock = threading.Lock()  # guards _tokens and stats
        self._model_lock = model_lock or threading.Lock()  # shared by workers of one process (the app's)
        self._tokens: dict[int, CancelToken] = {}
        self._thread: threading.Thread | None = None
        self._threads_set = False

    # ---- running ---------------------------------------------------------------------------------------------
    def run(self, *, until_empty: bool = False) -> WorkerStats:
        """Run jobs on ``concurrency`` threads until ``stop()`` (or until the queue has no work left)."""
        self._threads_once(self.threads or self.service.settings.threads_per_job())  # torch's import first
        with self._beating():
            threads = [threading.Thread(target=self._loop, args=(until_empty,), name=f"longwatch-job-{i}")
                       for i in range(self.concurrency)]
            for t in threads:
                t.start()
            try:
                for t in threads:
                    while t.is_alive():
                        t.join(0.5)
            except KeyboardInterrupt:
                self.stop(wait=False)
                for t in threads:
                    t.join()
                raise
        return self.stats

    def run_jobs(self, job_ids: Sequence[int], *, wait_s: float = 12 * 3600.0,
                 poll_s: float = 1.0) -> list[job_store.Job]:
        """Run these jobs here, in order (``postprocess``, the app's index of an opened video): each is claimed
        and run by this worker or, while another worker holds it (or another job of its video), waited for.
        Returns each job as it ended; a job paused meanwhile ends the wait (it runs when resumed) and
        ``stop()`` raises Cancelled."""
        out = []
        with self._beating():
            db = open_db(self.service.db_path)
            try:
                for job_id in job_ids:
                    out.append(self._run_here(db, job_id, time.monotonic() + wait_s, poll_s))
            finally:
                db.conn.close()
        return out

    def _run_here(self, db: sqlite_utils.Database, job_id: int, deadline: float, poll_s: float) -> job_store.Job:
        while True:
            job = job_store.get_job(db, job_id)
            if job.state in job_store.FINISHED or job.state == "paused":
                return job
            if self._stop.is_set():
                raise Cancelled()
            claimed = job_store.claim(db, self.id, job_id=job_id, lease_s=self.lease_s)
            if claimed is not None:
                self.run_one(claimed)
                continue
            if time.monotonic() > deadline:
                raise LongwatchError(f"Job {job_id} ({job.kind} of {job.name}) is still {job.state} elsewhere; "
                                     "let that worker finish, or run again later.")
            self._stop.wait(poll_s)

    @contextmanager
    def _beating(self) -> Iterator[None]:
        """The heartbeat running for the duration."""
        beat = threading.Thread(target=self._heartbeat, name="longwatch-heartbeat", daemon=True)
        beat.start()
        try:
            yield
        finally:
            self._stop.set()
            beat.join()

    def start(self) -> None:
        """Run on a background thread (the app's queue); ``stop()`` ends it."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, name="longwatch-worker", daemon=True)
        self._thread.start()

    def stop(self, wait: bool = True) -> None:
        """Stop: running jobs stop at their next check and are given back (they resume later)."""
        self._stop.set()
        with self._lock:
            for token in self._tokens.values():
                token.cancel()
        if wait and self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def hold(self, held: bool) -> None:
        """Claim no new job while ``held`` (running jobs go on): the app holds its background worker while it
        indexes the video a person opened, so that video gets the machine and its jobs are run where its
        progress is shown."""
        if held:
            self._held.set()
        else:
            self._held.clear()

    # ---- one job thread --------------------------------------------------------------------------------------
    def _loop(self, until_empty: bool) -> None:
        db = open_db(self.service.db_path)
        try:
            while not self._stop.is_set():
                if self._held.is_set():
                    self._stop.wait(min(self.poll_s, 0.5))
                    continue
                job = job_store.claim(db, self.id, lease_s=self.lease_s, kinds=self.kinds)
                if job is None:
                    if until_empty and (job_store.queue_paused(db) or not job_store.pending_work(db)):
                        return
                    self._stop.wait(self.poll_s)
                    continue
                self.run_one(job)
        finally:
            db.conn.close()

    def run_one(self, job: job_store.Job) -> None:
        """Run a job this worker has claimed, then finish, fail or give it back."""
        token = CancelToken()
        with self._lock:
            self._tokens[job.id] = token
            self.stats.jobs.append(job.id)
        self.on_update(JobUpdate(job, "claimed"))
        try:
            service = self.service.for_job(settings_of(job))
            self._threads_once(self.threads or service.settings.threads_per_job())
        except Exception as e:  # settings that no longer validate: the job cannot run as queued
            self._failed(job, e)
            self._forget(job.id)
            return
        try:
            reporter = _Reporter(service, job, self.id, token, self.on_update, self.on_progress)
            with self._model_lock if _needs_model(job, service) else nullcontext():
                result = run_job(service, job, progress=reporter, cancel=token)
            if job_store.finish(service.db, job.id, self.id, result=result):
                self._count("done")
                self.on_update(JobUpdate(job_store.get_job(service.db, job.id), "done"))
        except (Cancelled, KeyboardInterrupt) as e:
            back = job_store.give_back(service.db, job.id, self.id)
            self._count("stopped")
            if back is not None:
                self.on_update(JobUpdate(back, "stopped"))
            if isinstance(e, KeyboardInterrupt):
                raise
        except Exception as e:
            self._failed(job, e, service)
        finally:
            service.close_thread()
            self._forget(job.id)

    def _threads_once(self, n: int) -> None:
        with self._lock:
            if self._threads_set:
                return
            self._threads_set = True
        _set_torch_threads(n)

    def _failed(self, job: job_store.Job, error: BaseException, service: Longwatch | None = None) -> None:
        message = " ".join(str(error).split()) or type(error).__name__
        if retryable(error):
            log.warning("job %d (%s %s) failed: %s", job.id, job.kind, job.name, message, exc_info=error)
        db = service.db if service is not None else open_db(self.service.db_path)
        after = job_store.fail(db, job.id, self.id, message, retry=retryable(error))
        if service is None:
            db.conn.close()
        if after is not None:
            again = after.state == "queued"
            self._count("retried" if again else "failed")
            self.on_update(JobUpdate(after, "retry" if again else "failed", error=message))

    def _count(self, what: str) -> None:
        with self._lock:
            setattr(self.stats, what, getattr(self.stats, what) + 1)

    def _forget(self, job_id: int) -> None:
        with self._lock:
            self._tokens.pop(job_id, None)

    # ---- heartbeat -------------------------------------------------------------------------------------------
    def _heartbeat(self) -> None:
        """Renew the leases and pass on pause / cancel requests, every third of the lease."""
        db = open_db(self.service.db_path)
        try:
            while not self._stop.wait(min(self.lease_s / 3, 10.0)):
                self.beat(db)
        finally:
            db.conn.close()

    def beat(self, db: sqlite_utils.Database) -> None:
        """One heartbeat: renew the leases, cancel the jobs asked to stop or no longer held."""
        job_store.renew(db, self.id, lease_s=self.lease_s)
        with self._lock:
            held = dict(self._tokens)
        for job_id, token in held.items():
            row = db.execute("SELECT request, worker FROM jobs WHERE id = ?", [job_id]).fetchone()
            if row is None or row[0] in ("pause", "cancel") or row[1] != self.id:
                token.cancel()


class _Reporter:
    """A job's progress callback: writes the progress to its row (at most every second) and stops the job when
    pause or cancel was asked, or when the worker lost the job."""

    def __init__(self, service: Longwatch, job: job_store.Job, worker: str, token: CancelToken,
                 on_update: UpdateCallback, tap: ProgressTap | None = None) -> None:
        self.service, self.job, self.worker, self.token, self.on_update = service, job, worker, token, on_update
        self.tap = tap
        self._last = 0.0
        self._stage: str | None = None

    def __call__(self, p: Progress) -> None:
        if self.tap is not None:
            self.tap(self.job, p)
        now = time.monotonic()
        if now - self._last < REPORT_EVERY_S and p.stage == self._stage:
            return
        self._last, self._stage = now, p.stage
        asked = job_store.report(self.service.db, self.job.id, self.worker, stage=p.stage, done=p.done,
                                 total=p.total, unit=p.unit)
        self.on_update(JobUpdate(self.job, "progress", progress=p))
        if asked is not None:
            self.token.cancel()
            self.token.raise_if_cancelled()


def _needs_model(job: job_store.Job, service: Longwatch) -> bool:
    return job.kind != "evidence" and service.settings.has_model


def _set_torch_threads(n: int) -> None:
    """Every job computes with ``n`` torch threads (results are byte-identical only for equal thread counts)."""
    import torch

    torch.set_num_threads(max(1, n))


def retryable(error: BaseException) -> bool:
    """Whether a job that failed with ``error`` may succeed when tried again: a LongwatchError says what is wrong
    with the file or the settings (trying again changes nothing), except a busy or unwritable database."""
    return isinstance(error, StoreError) or not isinstance(error, LongwatchError)


def job_video(service: Longwatch, job: job_store.Job) -> str:
    """What to hand the service for the job's file: its path when the file there is still the one queued, else
    the fingerprint (the library knows where it moved); a one-line error when it is gone."""
    from core.media import fingerprint

    p = Path(job.path)
    if p.is_file():
        try:
            if fingerprint(p) == job.video:
                return str(p)
        except (OSError, LongwatchError):
            pass
    ref = service.video(job.video)
    if not ref.found:
        raise UsageError(f"{job.name} is not at {job.path} any more and the library knows no other place for it; "
                         "queue it again from where it is now.")
    return ref.fingerprint


def run_job(service: Longwatch, job: job_store.Job, *, progress: ProgressCallback, cancel: CancelToken) -> dict[str, Any]:
    """Run ``job`` with ``service`` (configured with the job's settings); returns a short result for the row."""
    video = job_video(service, job)
    if job.kind == "evidence":
        ev = service.evidence(video, progress=progress, cancel=cancel)
        return {"stages_run": list(ev.stages_run), "counts": dict(ev.counts)}
    if job.kind == "index":
        outcome = service.index(video, evidence=False, progress=progress, cancel=cancel)
        return outcome.memory.to_json() if outcome.memory is not None else {"notes": list(outcome.notes)}
    if job.kind == "ads":
        answer = service.ads(video, progress=progress, cancel=cancel)
        return {"breaks": len(answer.moments), "ads_s": round(sum(m.duration for m in answer.moments), 3)}
    if job.kind == "summary":
        answer = service.summary(video, progress=progress, cancel=cancel)
        return {"chapters": len(answer.summary.chapters) if answer.summary is not None else 0}
    raise UsageError(f"Job kind {job.kind!r} is unknown; use one of {', '.join(job_store.JOB_KINDS)}.")
