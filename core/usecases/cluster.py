"""``index-library --ray ADDRESS``: the queue's evidence and index jobs fanned out as Ray tasks (extra ``ray``).

``RayDriver(service, address).run()`` claims queued jobs like a local worker, submits each as a Ray task with a
resource request (a GPU per video-LLM job when the cluster has GPUs, ``Settings.threads_per_job()`` CPUs
otherwise and for the evidence pass), and writes what the tasks stream back into the one library database: the
driver is the only process that opens it. The tasks (``core.usecases.remote``) yield the rows the local path
writes, so the driver commits them with the same store functions (``core.index.store.commit_window``, the
evidence rows in one transaction), and a library indexed on a cluster is byte-identical to one indexed locally
(given the same ``job_threads``: torch sums depend on the thread split).

A worker that dies is retried by Ray (``max_retries``); a retried generator is replayed and only items not yet
seen reach the driver, and a window is committed whole or not at all, so the database never sees half a window.
A window the database already holds (a run resumed elsewhere) is checked byte for byte and skipped. ads and
summary jobs read the database, so they run on a local worker thread of the driver.

Files must be at the same path on every node (a shared mount). ``address="local"`` starts a private local Ray
instance (``num_cpus`` of this machine); anything else is passed to ``ray.init(address=...)``.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlite_utils

from core.errors import LongwatchError, StoreError, UsageError
from core.progress import Progress
from core.store import jobs as job_store
from core.store import open_db, upsert_video
from core.usecases.jobs import settings_of
from core.usecases.worker import JobUpdate, UpdateCallback, Worker, WorkerStats

if TYPE_CHECKING:
    from core.index import RunRow
    from core.usecases.remote import EvidenceBundle, MemoryHeader
    from core.usecases.service import Longwatch

log = logging.getLogger(__name__)

RAY_KINDS = ("evidence", "index")
# Windows an index task may compute ahead of the driver's commits (a 7B window is ~10 MB in the object store).
# Ray's option for it (``_generator_backpressure_num_objects``) is marked private in Ray 2.60.
WINDOW_BACKLOG = 4


def require_ray() -> Any:
    try:
        import ray
    except ImportError as e:
        raise UsageError("Ray is not installed; pip install 'longwatch[ray]' (Ray 2.60 or newer) or run the "
                         "queue locally with `longwatch-cli queue run`.") from e
    return ray


@dataclass
class _Flight:
    """One job running as a Ray task."""

    job: job_store.Job
    gen: Any  # ray ObjectRefGenerator
    run: RunRow | None = None  # index jobs: the run being written
    windows_done: int = 0
    frames_done: int = 0
    where: str = ""
    result: dict[str, Any] = dataclasses.field(default_factory=dict)


class RayDriver:
    """Runs the queue's evidence and index jobs on a Ray cluster; the rest on a local thread."""

    def __init__(self, service: Longwatch, address: str = "local", *, num_cpus: int | None = None,
                 max_in_flight: int | None = None, retries: int = 3, lease_s: float = job_store.LEASE_S,
                 window_backlog: int = WINDOW_BACKLOG, on_update: UpdateCallback | None = None) -> None:
        self.service, self.address, self.num_cpus = service, address, num_cpus
        self.window_backlog = window_backlog
        self.max_in_flight, self.retries, self.lease_s = max_in_flight, retries, lease_s
        self.on_update = on_update or (lambda _u: None)
        self.local = Worker(service, concurrency=1, kinds=("ads", "summary"), lease_s=lease_s, on_update=on_update)
        self.id = self.local.id  # one holder for every job this driver runs
        self.stats = WorkerStats()
        self._flights: dict[Any, _Flight] = {}
        self._started_ray = False

    # ---- the loop --------------------------------------------------------------------------------------------
    def run(self, *, until_empty: bool = True) -> WorkerStats:
        ray = self._init()
        tasks = self._remote(ray)
        local = threading.Thread(target=self.local.run, kwargs={"until_empty": until_empty}, name="longwatch-local")
        local.start()
        db = open_db(self.service.db_path)
        clean = False
        try:
            last_beat = 0.0
            while True:
                self._fill(db, ray, tasks)
                if time.monotonic() - last_beat > min(self.lease_s / 3, 10.0):
                    self._beat(db, ray)
                    last_beat = time.monotonic()
                if not self._flights:
                    if until_empty and not _pending(db, RAY_KINDS):
                        break
                    time.sleep(1.0)
                    continue
                ready, _ = ray.wait(list(self._flights), num_returns=1, timeout=1.0)
                for gen in ready:
                    self._step(db, ray, gen)
            clean = True
        finally:
            for flight in list(self._flights.values()):
                ray.cancel(flight.gen, force=True)
                job_store.give_back(db, flight.job.id, self.id)
            self._flights.clear()
            if not clean:
                self.local.stop(wait=False)
            local.join()  # after a clean end it finishes the ads and summary jobs left, then stops
            db.conn.close()
            if self._started_ray:
                ray.shutdown()
        for name in ("done", "failed", "retried", "stopped"):
            setattr(self.stats, name, getattr(self.stats, name) + getattr(self.local.stats, name))
        return self.stats

    def _init(self) -> Any:
        ray = require_ray()
        if not ray.is_initialized():
            if self.address == "local":
                ray.init(num_cpus=self.num_cpus, include_dashboard=False, log_to_driver=False)
            else:
                ray.init(address=self.address, log_to_driver=False)
            self._started_ray = True
        return ray

    def _remote(self, ray: Any) -> dict[str, Any]:
        from core.usecases import remote

        return {"index": ray.remote(remote.index_rows), "evidence": ray.remote(remote.evidence_rows)}

    def _slots(self, ray: Any) -> int:
        if self.max_in_flight:
            return self.max_in_flight
        cpus = float(ray.cluster_resources().get("CPU", 1))
        return max(1, int(cpus // self.service.settings.threads_per_job()))

    def _fill(self, db: sqlite_utils.Database, ray: Any, tasks: dict[str, Any]) -> None:
        while len(self._flights) < self._slots(ray):
            job = job_store.claim(db, self.id, lease_s=self.lease_s, kinds=RAY_KINDS)
            if job is None:
                return
            self.stats.jobs.append(job.id)
            self.on_update(JobUpdate(job, "claimed"))
            try:
                gen = self._submit(db, ray, tasks, job)
            except Exception as e:
                self._failed(db, job, e)
                continue
            if gen is not None:
                self._flights[gen] = _Flight(job, gen)

    def _submit(self, db: sqlite_utils.Database, ray: Any, tasks: dict[str, Any], job: job_store.Job) -> Any:
        """The task for ``job``, or None when it was finished here (nothing left to compute)."""
        from core.evidence.store import stages_complete
        from core.index import existing_run, window_rows

        settings = settings_of(job)
        threads = settings.threads_per_job()
        fields = dataclasses.asdict(settings)
        if job.kind == "evidence":
            options = settings.evidence_options()
            if stages_complete(db, job.video, {s: options.stage_key(s) for s in options.enabled()}):
                self._run_here(job)  # only the embedding check is left: cheap, and it reads the database
                return None
            return tasks["evidence"].options(num_cpus=threads, max_retries=self.retries).remote(
                job.path, fields, threads)
        run = existing_run(db, job.video, settings.index_options(), settings.model_options())
        if run is not None and run.complete:
            self._run_here(job)
            return None
        previous = window_rows(db, run.id, limit=run.windows_done) if run is not None and run.windows_done else []
        gpus = 1 if float(ray.cluster_resources().get("GPU", 0)) >= 1 else 0
        request = {"num_gpus": gpus, "num_cpus": 1} if gpus else {"num_cpus": threads}
        return tasks["index"].options(max_retries=self.retries, _generator_backpressure_num_objects=self.window_backlog,
                                      **request).remote(job.path, fields, previous, threads)

    def _run_here(self, job: job_store.Job) -> None:
        self.local.run_one(job)

    # ---- what comes back -------------------------------------------------------------------------------------
    def _step(self, db: sqlite_utils.Database, ray: Any, gen: Any) -> None:
        flight = self._flights[gen]
        try:
            ref = next(gen)
        except StopIteration:
            self._finished(db, flight)
            return
        try:
            item = ray.get(ref)
            self._item(db, flight, item)
        except Exception as e:
            ray.cancel(gen, force=True)
            self._flights.pop(gen, None)
            if flight.run is not None:
                from core.index.store import finish_run

                stopped = isinstance(e, _Stop)
                finish_run(db, flight.run.id, "cancelled" if stopped else "failed",
                           "stopped on request" if stopped else _message(e))
            self._failed(db, flight.job, e)

    def _item(self, db: sqlite_utils.Database, flight: _Flight, item: Any) -> None:
        from core.index.codec import EncodedWindow
        from core.usecases.remote import EvidenceBundle, MemoryHeader

        if isinstance(item, MemoryHeader):
            self._header(db, flight, item)
        elif isinstance(item, EncodedWindow):
            self._window(db, flight, item)
        elif isinstance(item, EvidenceBundle):
            self._bundle(db, flight, item)
        else:
            self._progress(db, flight, Progress("evidence", float(item), 1.0, "of the pass",
                                                message=f"on {flight.where or 'ray'}"))

    def _header(self, db: sqlite_utils.Database, flight: _Flight, h: MemoryHeader) -> None:
        from core.index.store import start_run

        upsert_video(db, h.info)
        flight.where = f"{h.node}:{h.pid}"
        flight.run = start_run(db, h.info.fingerprint, h.plan.key, h.plan.settings, h.plan.frames_total,
                               h.plan.windows_total, h.plan.model)
        flight.windows_done = flight.run.windows_done
        self._progress(db, flight, Progress("encode", 0, h.plan.frames_total, "frames", message=f"on {flight.where}"),
                       force=True)

    def _window(self, db: sqlite_utils.Database, flight: _Flight, enc: Any) -> None:
        from core.index.store import commit_window, window_rows

        if flight.run is None:
            raise StoreError("A memory window arrived before its run's header; run the job again.")
        if enc.index < flight.windows_done:  # already stored (resumed elsewhere): it must be the same bytes
            meta, blob = window_rows(db, flight.run.id, limit=enc.index + 1)[enc.index]
            if (meta, blob) != (enc.meta_json, enc.blob):
                raise StoreError(f"Window {enc.index} computed on {flight.where} differs from the stored one; the "
                                 "nodes compute differently (set the same job threads everywhere).")
        else:
            commit_window(db, flight.run.id, enc)
            flight.windows_done += 1
        flight.frames_done += int(_n_frames(enc.meta_json))
        self._progress(db, flight, Progress("encode", flight.frames_done, flight.run.frames_total, "frames",
                                            message=f"window {enc.index + 1}/{flight.run.windows_total} on "
                                                    f"{flight.where}"))

    def _bundle(self, db: sqlite_utils.Database, flight: _Flight, b: EvidenceBundle) -> None:
        from core.evidence.transfer import import_evidence
        from core.semantic.store import replace_lines

        with db.atomic():
            upsert_video(db, b.info)
            import_evidence(db, b.evidence)
            replace_lines(db, b.info.fingerprint, b.lines)
        flight.where = f"{b.node}:{b.pid}"
        flight.result = {"stages_run": list(b.stages_run)}

    def _finished(self, db: sqlite_utils.Database, flight: _Flight) -> None:
        self._flights.pop(flight.gen, None)
        result: dict[str, Any] = {"on": flight.where, **flight.result}
        if flight.run is not None:
            from core.index.store import finish_run, run_stats

            finish_run(db, flight.run.id, "done")
            stats = run_stats(db, flight.run.id)
            result.update(frames=stats.frames, windows=stats.windows, bytes=stats.bytes,
                          memory_sha256=stats.memory_sha256)
        if job_store.finish(db, flight.job.id, self.id, result=result):
            self.stats.done += 1
            self.on_update(JobUpdate(job_store.get_job(db, flight.job.id), "done"))

    def _progress(self, db: sqlite_utils.Database, flight: _Flight, p: Progress, *, force: bool = False) -> None:
        asked = job_store.report(db, flight.job.id, self.id, stage=p.stage, done=p.done, total=p.total, unit=p.unit)
        self.on_update(JobUpdate(flight.job, "progress", progress=p))
        if asked is not None:
            raise _Stop(asked)

    def _failed(self, db: sqlite_utils.Database, job: job_store.Job, error: BaseException) -> None:
        if isinstance(error, _Stop):
            back = job_store.give_back(db, job.id, self.id)
            self.stats.stopped += 1
            if back is not None:
                self.on_update(JobUpdate(back, "stopped"))
            return
        cause = _cause(error)
        message = _message(error)
        after = job_store.fail(db, job.id, self.id, message, retry=not isinstance(cause, LongwatchError))
        if after is not None:
            again = after.state == "queued"
            self.stats.retried += again
            self.stats.failed += not again
            self.on_update(JobUpdate(after, "retry" if again else "failed", error=message))

    def _beat(self, db: sqlite_utils.Database, ray: Any) -> None:
        """Renew the leases; stop the tasks of jobs asked to pause or cancel."""
        job_store.renew(db, self.id, lease_s=self.lease_s)
        for gen, flight in list(self._flights.items()):
            row = db.execute("SELECT request FROM jobs WHERE id = ?", [flight.job.id]).fetchone()
            if row is not None and row[0] in ("pause", "cancel"):
                ray.cancel(gen, force=True)
                self._flights.pop(gen, None)
                if flight.run is not None:
                    from core.index.store import finish_run

                    finish_run(db, flight.run.id, "cancelled", "stopped on request")
                self._failed(db, flight.job, _Stop(str(row[0])))


class _Stop(Exception):
    """A person asked the job to pause or cancel."""


def _pending(db: sqlite_utils.Database, kinds: tuple[str, ...]) -> bool:
    marks = ",".join("?" * len(kinds))
    return db.execute(f"SELECT 1 FROM jobs WHERE state IN ('queued', 'running') AND kind IN ({marks}) LIMIT 1",
                      list(kinds)).fetchone() is not None


def _n_frames(meta_json: str) -> int:
    import json

    return int(json.loads(meta_json)["n_frames"])


def _cause(error: BaseException) -> BaseException:
    """The exception raised inside a Ray task (Ray wraps it), else ``error`` itself."""
    return getattr(error, "cause", None) or error


def _message(error: BaseException) -> str:
    cause = _cause(error)
    if isinstance(cause, LongwatchError):
        return str(cause)
    text = " ".join(str(cause).split())
    return f"{type(cause).__name__}: {text[:300]}" if text else type(cause).__name__

