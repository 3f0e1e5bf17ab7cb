"""The app's door into core: the service (``core.usecases.Longwatch``) run on worker threads, awaited through
qasync, its progress turned into Qt signals. No SQL and no answering logic here.

Two worker threads, each with its own SQLite connection (the service opens one per thread):
- the *engine* thread owns the video-LLM and runs the long work: indexing, the evidence pass, answers, reports;
- the *media* thread does short things that must not wait behind indexing: probing, thumbnails, the library,
  timeline overlays, past answers and segment edits.
A third thread downloads models, and ``background`` (``app.background``) runs the library's job queue and the
watch folders. Indexing an opened video goes through that queue too (``core.usecases.index_now``): its jobs are
run on the engine thread, or waited for when the background worker has them, so nothing is indexed twice.
Core's ``Progress`` leaves as the ``progress`` Qt signal (queued to the UI
thread, at most every ``PROGRESS_INTERVAL_S`` per stage) for indexing, as ``answer_progress`` (with the job id) for
answers and reports; streamed answer text leaves as ``answer_text``.
"""

from __future__ import annotations

import asyncio
import functools
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from app.background import Background, ui_threads
from core.errors import LongwatchError, UsageError
from core.progress import CancelToken, Progress
from core.results import Answer
from core.usecases import (
    AnswerRecord,
    DownloadPlan,
    Enqueued,
    IndexOutcome,
    IndexProgress,
    Job,
    JobUpdate,
    LibraryEntry,
    LibraryHit,
    LibraryMoment,
    Longwatch,
    Overlays,
    Segment,
    Settings,
    VideoInfo,
    default_database,
    index_now,
)

T = TypeVar("T")
PROGRESS_INTERVAL_S = 0.1  # the UI needs no more than ~10 progress updates a second
KINDS = ("ask", "find", "ads", "summary")
JOB_ACTIONS = ("pause", "resume", "cancel", "retry")


class Engine(QObject):
    """Facade over the service for the UI. Create on the UI thread; await its coroutines from a qasync loop."""

    progress = Signal(str, object)  # fingerprint, Progress
    answer_text = Signal(int, str)  # job id, next piece of the streamed answer
    answer_progress = Signal(int, object)  # job id, Progress of an answer or report
    download_progress = Signal(object)  # Progress of a model download (stage "download", bytes)
    own_job_update = Signal(object)  # JobUpdate of a job ``index`` runs on the engine thread (not the background)

    def __init__(self, settings: Settings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = Longwatch(settings)
        self._engine_pool = ThreadPoolExecutor(1, thread_name_prefix="longwatch-engine")
        self._media_pool = ThreadPoolExecutor(1, thread_name_prefix="longwatch-media")
        self._download_pool = ThreadPoolExecutor(1, thread_name_prefix="longwatch-download")
        self._download_cancel: CancelToken | None = None
        self._cancel: CancelToken | None = None
        self._indexing: str | None = None
        self._jobs = 0
        self._closed = False
        self._background_started = False
        self._pending: set[Future[Any]] = set()
        self._model_lock = threading.Lock()  # one video-LLM job at a time, whichever worker runs it
        self.background = Background(self.service, self._model_lock, self)
        if settings.has_model:
            self._engine_pool.submit(_warm_up, self.service)

    # ---- plumbing -------------------------------------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        return self.service.settings

    @property
    def closed(self) -> bool:
        return self._closed

    def set_settings(self, settings: Settings) -> None:
        """New settings take effect for the next job (each thread reopens the database if it moved)."""
        moved = (settings.db_path or None) != (self.settings.db_path or None)
        if self._background_started:
            self.background.stop(wait=True)  # its threads hold connections to the old database
        self.service.configure(settings)
        if moved:
            for pool in (self._engine_pool, self._media_pool):
                pool.submit(self.service.close_thread)
        if self._background_started:
            self.background.apply(settings)

    def start_background(self) -> None:
        """Run the job queue and watch the folders in the background, as the settings say (the window calls
        this once it is shown)."""
        if not self._closed:
            self._background_started = True
            self.background.apply(self.settings)

    async def _run(self, pool: ThreadPoolExecutor, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if self._closed:
            raise LongwatchError("Longwatch is closing; the request was dropped.")
        fut = pool.submit(functools.partial(fn, *args, **kwargs))
        self._pending.add(fut)
        fut.add_done_callback(self._pending.discard)
        return await asyncio.wrap_future(fut)

    async def _media(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await self._run(self._media_pool, fn, *args, **kwargs)

    @property
    def indexing(self) -> str | None:
        """The fingerprint being indexed, or None."""
        return self._indexing

    def shutdown(self, wait: bool = True) -> None:
        """Cancel running work, close both threads' connections and stop the threads (idempotent)."""
        if self._closed:
            return
        self._closed = True
        for token in (self._cancel, self._download_cancel):
            if token is not None:
                token.cancel()
        for fut in list(self._pending):
            fut.cancel()  # only those not started; the running one stops at its next cancel check
        self.background.stop(wait=wait)  # running jobs are given back and resume next time
        for pool in (self._engine_pool, self._media_pool):
            pool.submit(self.service.close_thread)  # each connection is closed on the thread that opened it
            pool.shutdown(wait=wait)
        self._download_pool.shutdown(wait=wait)

    def _throttled(self, fingerprint: str, emit: Callable[[Progress], None] | None = None) -> Callable[[Progress], None]:
        last: dict[str, float] = {}

        def report(p: Progress) -> None:
            now = time.monotonic()
            final = p.total is not None and p.done >= p.total
            if final or now - last.get(p.stage, 0.0) >= PROGRESS_INTERVAL_S:
                last[p.stage] = now
                emit(p) if emit is not None else self.progress.emit(fingerprint, p)

        return report

    # ---- media thread ---------------------------------------------------------------------------------------
    async def open_file(self, path: str) -> VideoInfo:
        """Probe ``path`` and add it to the library; raises MediaError (one line) for a bad file."""
        return await self._media(self.service.open, path)

    async def library(self) -> list[LibraryEntry]:
        return await self._media(self.service.library)

    async def index_progress(self, fingerprints: list[str] | None = None) -> list[IndexProgress]:
        """How far indexing got for each library video (or those), with the current settings."""
        return await self._media(self.service.index_progress, fingerprints)

    def database_location(self) -> tuple[str, str]:
        """(path, why): where the library database is and what chose it (no database access)."""
        path, why = self.service.database_location()
        return str(path), why

    @staticmethod
    def default_database() -> tuple[str, str]:
        """(path, why) of the database used when the settings name none: $LONGWATCH_DB or the default."""
        path, why = default_database()
        return str(path), why

    async def video_info(self, fingerprint: str) -> VideoInfo | None:
        return await self._media(self.service.info, fingerprint)

    async def thumbnails(self, path: str, times_s: list[float], width: int = 160) -> list[QImage]:
        """One picture per time, decoded on the media thread (a QImage may cross threads, a QPixmap may not)."""
        def run() -> list[QImage]:
            return [QImage.fromData(b) for b in self.service.thumbnails(path, times_s, width=width)]

        return await self._media(run)

    async def overlays(self, fingerprint: str) -> Overlays:
        return await self._media(self.service.overlays, fingerprint)

    async def past_answers(self, fingerprint: str) -> list[AnswerRecord]:
        return await self._media(self.service.history, fingerprint)

    async def add_segment(self, fingerprint: str, kind: str, label: str, start_s: float, end_s: float, *,
                          segment_id: int | None = None, score: float = 1.0, source: str = "user") -> Segment:
        return await self._media(self.service.add_segment, fingerprint, kind, label, start_s, end_s,
                                 segment_id=segment_id, score=score, source=source)

    async def update_segment(self, segment_id: int, **changes: Any) -> Segment:
        return await self._media(self.service.update_segment, segment_id, **changes)

    async def delete_segment(self, segment_id: int) -> Segment:
        return await self._media(self.service.delete_segment, segment_id)

    async def export_segments(self, fingerprint: str, fmt: str, kind: str) -> str:
        return await self._media(self.service.export_segments, fingerprint, fmt, kind=kind or None)

    # ---- the queue and the library (media thread) --------------------------------------------------------------
    async def jobs(self, limit: int = 500) -> tuple[list[Job], bool]:
        """The queue in the order shown and run, and whether the whole queue is paused."""
        def run() -> tuple[list[Job], bool]:
            return self.service.jobs(limit=limit), self.service.queue_paused()

        return await self._media(run)

    async def control_job(self, job_id: int, action: str) -> Job:
        """Pause, resume, cancel or retry one job; a running job stops at its worker's next check."""
        if action not in JOB_ACTIONS:
            raise UsageError(f"Unknown job action {action!r}; use {', '.join(JOB_ACTIONS)}.")
        return await self._media(getattr(self.service, f"{action}_job"), job_id)

    async def move_job(self, job_id: int, index: int) -> Job:
        """Put a waiting job at place ``index`` among the waiting jobs (0 = runs next)."""
        return await self._media(self.service.move_job, job_id, index)

    async def pause_queue(self, paused: bool) -> None:
        """Pause the whole queue (running jobs finish, nothing new starts) or let it run."""
        await self._media(self.service.pause_queue if paused else self.service.resume_queue)

    async def enqueue(self, paths: list[str]) -> list[Enqueued]:
        """Queue the settings' default jobs for these files or folders (each file probed and added to the
        library); a file that cannot be read gets its one-line error in ``Enqueued.error``."""
        return await self._media(self.service.enqueue, [Path(p) for p in paths], source="app")

    async def search_all(self, text: str, limit: int = 30) -> tuple[list[LibraryHit], list[LibraryMoment]]:
        """Every video searched for ``text``: word hits, then moments by meaning when the words are rare
        (``Longwatch.search_library``)."""
        return await self._media(self.service.search_library, text, limit=limit)

    async def estimate_memory(self, settings: Settings) -> str:
        """One line: memory the model needs and whether it fits (or why that cannot be said)."""
        return await self._media(self.service.memory_estimate, settings)

    # ---- engine thread --------------------------------------------------------------------------------------
    def cancel(self) -> None:
        """Stop the running index or question after its current chunk; committed work is kept."""
        if self._cancel is not None:
            self._cancel.cancel()

    async def _long(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn`` on the engine thread with a fresh cancel token (``cancel`` stops it)."""
        self._cancel = token = CancelToken()
        try:
            return await self._run(self._engine_pool, fn, *args, cancel=token, **kwargs)
        finally:
            if self._cancel is token:
                self._cancel = None

    async def index(self, fingerprint: str, *, fresh: bool = False) -> IndexOutcome:
        """Evidence pass, then the video-LLM index when a model is configured; resumes interrupted runs
        (``fresh``: computes both again from scratch)."""
        self._indexing = fingerprint
        self.background.hold(True)  # the person's video first: the background queue starts nothing new
        try:
            return await self._long(self._index, fingerprint, fresh, self._throttled(fingerprint))
        finally:
            self._indexing = None
            self.background.hold(False)

    def _index(self, fingerprint: str, fresh: bool, report: Callable[[Progress], None],
               cancel: CancelToken) -> IndexOutcome:
        _leave_a_core_for_the_ui()
        if fresh:  # asked for in so many words: the stored evidence and memory are replaced here and now
            return self.service.index(fingerprint, fresh=True, progress=report, cancel=cancel)
        return index_now(self.service, fingerprint, progress=report, cancel=cancel, model_lock=self._model_lock,
                         threads=ui_threads(self.settings), on_update=self._job_news)

    def _job_news(self, u: JobUpdate) -> None:
        """What the engine thread's own jobs did, for the queue view (their progress leaves as ``progress``, and
        the window refreshes the video itself when ``index`` returns)."""
        if u.event != "progress":
            self.own_job_update.emit(u)

    async def ask(self, fingerprint: str, kind: str, text: str) -> tuple[int, Answer]:
        """Run one request of ``kind`` (ask, find, ads, summary); returns (job id, answer). Answer text streams
        through ``answer_text`` with the job id returned here (``next_job_id`` predicts it)."""
        if kind not in KINDS:
            raise UsageError(f"Unknown question kind {kind!r}; use ask, find, ads or summary.")
        self._jobs += 1
        job = self._jobs
        answer = await self._long(self._ask, job, fingerprint, kind, text, self._answer_report(job))
        return job, answer

    def _answer_report(self, job: int) -> Callable[[Progress], None]:
        return self._throttled("", lambda p: self.answer_progress.emit(job, p))

    @property
    def next_job_id(self) -> int:
        return self._jobs + 1

    def _ask(self, job: int, fp: str, kind: str, text: str, report: Callable[[Progress], None],
             cancel: CancelToken) -> Answer:
        _leave_a_core_for_the_ui()
        s = self.service
        if kind == "ask":
            return s.ask(fp, text, on_text=lambda piece: self.answer_text.emit(job, piece), progress=report,
                         cancel=cancel)
        if kind == "find":
            return s.find(fp, text, progress=report, cancel=cancel)
        if kind == "ads":
            return s.ads(fp, progress=report, cancel=cancel)
        return s.summary(fp, progress=report, cancel=cancel)

    async def export_report(self, fingerprint: str, target: str, fmt: str) -> tuple[int, str]:
        """Write the video's report (computing a missing summary and ads first); returns (job id, written path).
        Progress leaves as ``answer_progress`` with that job id (``next_job_id`` predicts it)."""
        self._jobs += 1
        job = self._jobs
        outcome = await self._long(self.service.report, fingerprint, target, fmt=fmt,
                                   progress=self._answer_report(job))
        return job, str(outcome.written.path)

    async def download_plan(self, repo_id: str) -> DownloadPlan:
        """The files and bytes a download of ``repo_id`` fetches (asks the hub, on the download thread)."""
        return await self._run(self._download_pool, self.service.download_plan, repo_id)

    # ---- download thread ------------------------------------------------------------------------------------
    async def download_model(self, repo_id: str) -> str:
        """Download hub model ``repo_id`` into the Hugging Face cache; returns the folder to use as the model.
        Progress leaves as ``download_progress``; ``cancel_download`` stops it (Cancelled)."""
        self._download_cancel = token = CancelToken()
        try:
            folder = await self._run(self._download_pool, self.service.download_model, repo_id,
                                     progress=self._throttled("", self.download_progress.emit), cancel=token)
            return str(folder)
        finally:
            if self._download_cancel is token:
                self._download_cancel = None

    def cancel_download(self) -> None:
        if self._download_cancel is not None:
            self._download_cancel.cancel()


def _warm_up(service: Longwatch) -> None:
    """Import the model stack on the engine thread at start-up. Importing torch and transformers holds the GIL
    for ~100 ms stretches; done here it happens while the window opens, not in the middle of indexing."""
    service.warm_up()
    _leave_a_core_for_the_ui()


def _leave_a_core_for_the_ui() -> None:
    """Run torch's CPU kernels on all cores but one, so the UI thread always finds a free core (on a 2-core
    machine two busy torch threads made the event loop stall for hundreds of ms)."""
    import torch

    cores = os.cpu_count() or 2
    if cores > 1 and torch.get_num_threads() >= cores:
        torch.set_num_threads(cores - 1)
