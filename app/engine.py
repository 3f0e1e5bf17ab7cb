"""The app's only door into core: asyncio-friendly methods the UI awaits (through qasync).

Two worker threads, each with its own SQLite connection (one connection per thread):
- the *engine* thread owns the video-LLM and runs the long work: indexing, the evidence pass, questions;
- the *media* thread does short things that must not wait behind indexing: probing, thumbnails, reading the
  library, timeline overlays, past questions and segment edits.
Core's ``Progress`` events arrive on the engine thread and leave as the ``progress`` Qt signal (queued to the UI
thread, at most every ``PROGRESS_INTERVAL_S`` per stage); streamed answer text leaves as ``answer_text``.
"""

from __future__ import annotations

import asyncio
import functools
import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from app.answers import (
    NO_MODEL,
    answer_from_record,
    ask_evidence,
    labelled,
    moments_answer,
    summary_answer,
)
from app.capabilities import Capability, resolve
from app.settings import AppSettings
from core.errors import LongwatchError, UsageError
from core.media.types import VideoInfo
from core.progress import CancelToken, Progress
from core.results import Answer
from core.store import LibraryEntry, list_library, open_db, upsert_video
from core.store import segments as seg_store
from core.store.segments import Segment

T = TypeVar("T")
PROGRESS_INTERVAL_S = 0.1  # the UI needs no more than ~10 progress updates a second


@dataclass(frozen=True)
class Overlays:
    """What the timeline draws for one video besides the player position (times in seconds)."""

    cuts: tuple[float, ...] = ()
    speech: tuple[tuple[float, float], ...] = ()
    subtitles: tuple[tuple[float, float], ...] = ()
    segments: tuple[Segment, ...] = ()
    missing: tuple[str, ...] = ()  # reasons for overlays this build cannot draw


@dataclass(frozen=True)
class IndexOutcome:
    evidence: bool  # the evidence pass finished
    memory: bool  # the video-LLM index finished
    notes: tuple[str, ...] = ()  # what was skipped and why


@dataclass(frozen=True)
class PastQuery:
    id: int
    kind: str
    question: str
    answer: Answer
    created_at: str


@dataclass
class _Thread:
    """State only ever touched on one worker thread."""

    db_path: str | None
    db: Any = None
    model: Any = None
    model_key: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    def database(self) -> Any:
        if self.db is None:
            self.db = open_db(self.db_path)
        return self.db

    def close(self) -> None:
        if self.db is not None:
            self.db.conn.close()
            self.db = None
        self.model = None


class Engine(QObject):
    """Facade over core for the UI. Create on the UI thread; await its coroutines from a qasync loop."""

    progress = Signal(str, object)  # fingerprint, Progress
    answer_text = Signal(int, str)  # job id, next piece of the streamed answer
    download_progress = Signal(object)  # Progress of a model download (stage "download", bytes)

    def __init__(self, settings: AppSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._engine_pool = ThreadPoolExecutor(1, thread_name_prefix="longwatch-engine")
        self._media_pool = ThreadPoolExecutor(1, thread_name_prefix="longwatch-media")
        self._download_pool = ThreadPoolExecutor(1, thread_name_prefix="longwatch-download")  # never waits on indexing
        self._download_cancel: CancelToken | None = None
        self._engine_state = _Thread(settings.db_path or None)
        self._media_state = _Thread(settings.db_path or None)
        self._cancel: CancelToken | None = None
        self._indexing: str | None = None
        self._jobs = 0
        self._closed = False
        self._pending: set[Future[Any]] = set()
        if settings.has_model:
            self._engine_pool.submit(_warm_up)

    # ---- plumbing -------------------------------------------------------------------------------------------
    @property
    def settings(self) -> AppSettings:
        return self._settings

    def set_settings(self, settings: AppSettings) -> None:
        """New settings take effect for the next job (the database and model are reopened on their threads)."""
        old, self._settings = self._settings, settings
        if old.db_path != settings.db_path:
            for pool, state in ((self._engine_pool, self._engine_state), (self._media_pool, self._media_state)):
                pool.submit(_reopen, state, settings.db_path or None)

    async def _run(self, pool: ThreadPoolExecutor, fn: Callable[..., T], *args: Any) -> T:
        if self._closed:
            raise LongwatchError("Longwatch is closing; the request was dropped.")
        fut = pool.submit(functools.partial(fn, *args))
        self._pending.add(fut)
        fut.add_done_callback(self._pending.discard)
        return await asyncio.wrap_future(fut)

    def capability(self, name: str) -> Capability:
        return resolve(name)

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
        for pool, state in ((self._engine_pool, self._engine_state), (self._media_pool, self._media_state)):
            pool.submit(state.close)  # each connection is closed on the thread that opened it
            pool.shutdown(wait=wait)
        self._download_pool.shutdown(wait=wait)

    # ---- media thread ---------------------------------------------------------------------------------------
    async def open_file(self, path: str | Path) -> VideoInfo:
        """Probe ``path`` and add it to the library; raises MediaError (one line) for a bad file."""
        return await self._run(self._media_pool, self._open_file, str(path))

    def _open_file(self, path: str) -> VideoInfo:
        probe = resolve("probe")
        if probe.func is None:
            raise LongwatchError(probe.reason)
        info: VideoInfo = probe.func(path)
        upsert_video(self._media_state.database(), info)
        return info

    async def library(self) -> list[LibraryEntry]:
        return await self._run(self._media_pool, lambda: list_library(self._media_state.database()))

    async def video_info(self, fingerprint: str) -> VideoInfo | None:
        return await self._run(self._media_pool, self._video_info, fingerprint)

    def _video_info(self, fingerprint: str) -> VideoInfo | None:
        probe = resolve("probe")
        rows = list(self._media_state.database().query("SELECT path FROM videos WHERE fingerprint = ?", [fingerprint]))
        if not rows or probe.func is None or not Path(rows[0]["path"]).is_file():
            return None
        return probe.func(rows[0]["path"])

    async def thumbnails(self, path: str, times_s: list[float], width: int = 160) -> list[QImage]:
        """One picture per time, decoded on the media thread (a QImage may cross threads, a QPixmap may not, and
        decoding dozens of JPEGs on the UI thread would stall it); empty when this build has no thumbnails."""
        cap = resolve("thumbnails")
        if cap.func is None:
            return []

        def run() -> list[QImage]:
            return [QImage.fromData(b) for b in cap.func(path, times_s, width=width)]  # type: ignore[misc]

        return await self._run(self._media_pool, run)

    async def overlays(self, fingerprint: str) -> Overlays:
        return await self._run(self._media_pool, self._overlays, fingerprint)

    def _overlays(self, fingerprint: str) -> Overlays:
        db = self._media_state.database()
        missing: list[str] = []

        def read(name: str) -> list[Any]:
            cap = resolve(name)
            if cap.func is None:
                missing.append(cap.reason)
                return []
            try:
                return list(cap.func(db, fingerprint))
            except LongwatchError:  # no evidence run yet
                return []

        cuts = tuple(float(getattr(c, "t_s", c)) for c in read("read_cuts"))
        speech = tuple(_span(s) for s in read("read_transcript"))
        subs = tuple(_span(s) for s in read("read_subtitles"))
        segs = tuple(seg_store.list_segments(db, fingerprint))
        return Overlays(cuts, speech, subs, segs, tuple(missing))

    async def past_queries(self, fingerprint: str) -> list[PastQuery]:
        cap = resolve("history")
        if cap.func is None:
            return []
        return await self._run(self._media_pool, self._past_queries, cap.func, fingerprint)

    def _past_queries(self, list_queries: Callable[..., Any], fingerprint: str) -> list[PastQuery]:
        return [PastQuery(r.id, r.kind, r.question, answer_from_record(r.kind, r.question, r.result), r.created_at)
                for r in list_queries(self._media_state.database(), fingerprint)]

    # segment edits (undoable in the UI; each is one transaction here)
    async def add_segment(self, fingerprint: str, kind: str, label: str, start_s: float, end_s: float, *,
                          segment_id: int | None = None, score: float = 1.0, source: str = "user") -> Segment:
        return await self._run(self._media_pool, functools.partial(
            self._with_db, seg_store.add_segment, fingerprint, kind, label, start_s, end_s,
            segment_id=segment_id, score=score, source=source))

    async def update_segment(self, segment_id: int, **changes: Any) -> Segment:
        return await self._run(self._media_pool, functools.partial(
            self._with_db, seg_store.update_segment, segment_id, **changes))

    async def delete_segment(self, segment_id: int) -> Segment:
        return await self._run(self._media_pool, functools.partial(self._with_db, seg_store.delete_segment, segment_id))

    def _with_db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return fn(self._media_state.database(), *args, **kwargs)

    async def export_segments(self, fingerprint: str, fmt: str, kind: str, duration_s: float, title: str) -> str:
        cap = resolve("segment_formats")
        if cap.func is None:
            raise LongwatchError(cap.reason)
        segs = await self._run(self._media_pool, functools.partial(
            self._with_db, seg_store.list_segments, fingerprint, kind=kind or None))
        return str(cap.func([s.to_moment() for s in segs], fmt, duration_s=duration_s, title=title))

    async def export_report(self, fingerprint: str, target: str, fmt: str) -> str:
        """Write the video's report (Markdown, HTML, PDF or JSON) to ``target``; returns the written path."""
        collect, write = resolve("collect_report"), resolve("report")
        if collect.func is None or write.func is None:
            raise LongwatchError(collect.reason or write.reason)

        def run() -> str:
            data = collect.func(self._media_state.database(), fingerprint)  # type: ignore[misc]
            return str(write.func(data, target, fmt=fmt).path)  # type: ignore[misc]

        return await self._run(self._media_pool, run)

    # ---- engine thread --------------------------------------------------------------------------------------
    def cancel(self) -> None:
        """Stop the running index or question after its current chunk; committed work is kept."""
        if self._cancel is not None:
            self._cancel.cancel()

    async def index(self, fingerprint: str, path: str) -> IndexOutcome:
        """Evidence pass, then the video-LLM index when a model is configured; resumes interrupted runs."""
        self._cancel = token = CancelToken()
        self._indexing = fingerprint
        try:
            return await self._run(self._engine_pool, self._index, fingerprint, path, self._settings, token)
        finally:
            self._indexing = None
            if self._cancel is token:
                self._cancel = None

    def _throttled(self, fingerprint: str, emit: Callable[[Progress], None] | None = None) -> Callable[[Progress], None]:
        last: dict[str, float] = {}

        def report(p: Progress) -> None:
            now = time.monotonic()
            final = p.total is not None and p.done >= p.total
            if final or now - last.get(p.stage, 0.0) >= PROGRESS_INTERVAL_S:
                last[p.stage] = now
                emit(p) if emit is not None else self.progress.emit(fingerprint, p)

        return report

    def _index(self, fingerprint: str, path: str, settings: AppSettings, token: CancelToken) -> IndexOutcome:
        db = self._engine_state.database()
        report = self._throttled(fingerprint)
        notes: list[str] = []
        evidence = resolve("evidence")
        ev_done = False
        if evidence.func is None:
            notes.append(evidence.reason)
        else:
            from core.evidence import EvidenceOptions

            opts = EvidenceOptions(fps=settings.evidence_fps, ocr=settings.ocr, speech=settings.speech,
                                   speech_model=settings.speech_model or None,
                                   ocr_every_s=max(2.0, 1.0 / settings.evidence_fps))
            evidence.func(db, path, opts, progress=report, cancel=token)
            ev_done = True
        mem_done = False
        if not settings.has_model:
            notes.append(NO_MODEL)
        else:
            index = resolve("index")
            if index.func is None:
                notes.append(index.reason)
            else:
                from core.index import IndexOptions

                opts_i = IndexOptions(fps=settings.fps, max_frames=settings.max_frames, ratio=settings.ratio)
                index.func(db, path, opts_i, model=self._model(settings, report), progress=report, cancel=token)
                mem_done = True
        report(Progress("done", 1, 1, message="Indexed"))
        return IndexOutcome(ev_done, mem_done, tuple(notes))

    def _model(self, settings: AppSettings, report: Callable[[Progress], None]) -> Any:
        """The loaded video-LLM (cached on the engine thread while its options stay the same)."""
        from core.model import ModelOptions

        opts = ModelOptions(model=settings.model_dir, quant=settings.quant, device=settings.device)
        state = self._engine_state
        if state.model is None:
            _leave_a_core_for_the_ui()
        if state.model is None or state.model_key != opts:
            load = resolve("load_model")
            if load.func is None:
                raise LongwatchError(load.reason)
            state.model = None
            state.model = load.func(opts, report)
            state.model_key = opts
        return state.model

    async def download_model(self, repo_id: str) -> str:
        """Download hub model ``repo_id`` (only the files the loader reads) into the Hugging Face cache; returns
        the folder to use as the model. Progress leaves as ``download_progress``; ``cancel_download`` stops it
        (Cancelled); no hub gives a one-line ModelError saying what to do."""
        self._download_cancel = token = CancelToken()
        try:
            return await self._run(self._download_pool, _download, repo_id,
                                   self._throttled("", self.download_progress.emit), token)
        finally:
            if self._download_cancel is token:
                self._download_cancel = None

    def cancel_download(self) -> None:
        if self._download_cancel is not None:
            self._download_cancel.cancel()

    async def estimate_memory(self, settings: AppSettings) -> str:
        """One line: memory the model needs and whether it fits (or why that cannot be said)."""
        if not settings.has_model:
            return "No video-LLM configured: indexing runs the evidence pass only."
        cap = resolve("estimate_memory")
        if cap.func is None:
            return cap.reason
        from core.model import ModelOptions

        opts = ModelOptions(model=settings.model_dir, quant=settings.quant, device=settings.device)
        est = await self._run(self._media_pool, cap.func, opts)
        return str(est.message)

    async def ask(self, fingerprint: str, kind: str, text: str) -> tuple[int, Answer]:
        """Run one question of ``kind`` (ask, find, ads, summary); returns (job id, answer).

        Answer text streams through ``answer_text`` with the job id returned here (``next_job_id`` predicts it).
        """
        self._jobs += 1
        job = self._jobs
        self._cancel = token = CancelToken()
        try:
            answer = await self._run(self._engine_pool, self._ask, job, fingerprint, kind, text, self._settings, token)
        finally:
            if self._cancel is token:
                self._cancel = None
        return job, answer

    @property
    def next_job_id(self) -> int:
        return self._jobs + 1

    def _ask(self, job: int, fp: str, kind: str, text: str, settings: AppSettings, token: CancelToken) -> Answer:
        db = self._engine_state.database()
        if kind not in ("ask", "find", "ads", "summary"):
            raise UsageError(f"Unknown question kind {kind!r}; use ask, find, ads or summary.")
        if settings.has_model:
            return self._ask_model(db, job, fp, kind, text, settings, token)
        return ask_evidence(db, fp, kind, text)

    def _ask_model(self, db: Any, job: int, fp: str, kind: str, text: str, settings: AppSettings,
                   token: CancelToken) -> Answer:
        name = {"ask": "ask", "find": "find", "ads": "find_ads", "summary": "summary"}[kind]
        cap = resolve(name)
        if cap.func is None:
            raise LongwatchError(cap.reason)
        model = self._model(settings, self._throttled(fp))
        if kind == "ask":
            from core.query import AskOptions

            return cap.func(db, fp, text, model, options=AskOptions(max_new_tokens=settings.answer_tokens),
                            on_text=lambda piece: self.answer_text.emit(job, piece), cancel=token)
        if kind == "find":  # the model's moments fused with the evidence when the evidence pass has run
            from core.query import grounded_find

            moments = grounded_find(db, fp, text, model, cancel=token)
            seg_store.replace_detected(db, fp, "event", [labelled(m, text) for m in moments], "find")
            return moments_answer(text, moments, ("video-llm",), "event")
        if kind == "ads":
            moments = cap.func(db, fp, model)
            seg_store.replace_detected(db, fp, "ad", moments, "ads")
            return moments_answer("Find the ads", moments, ("video-llm",), "ad")
        from core.query import grounded_summary  # the evidence chapters when the video has no memory yet

        return summary_answer(db, fp, grounded_summary(db, fp, model, cancel=token))


def _warm_up() -> None:
    """Import the model stack on the engine thread at start-up. Importing torch and transformers holds the GIL
    for ~100 ms stretches; done here it happens while the window opens, not in the middle of indexing."""
    import transformers.models.clip.modeling_clip
    import transformers.models.qwen2.modeling_qwen2  # noqa: F401  (transformers imports these lazily)

    import core.index.pipeline
    import core.model
    import core.query  # noqa: F401

    _leave_a_core_for_the_ui()


def _leave_a_core_for_the_ui() -> None:
    """Run torch's CPU kernels on all cores but one, so the UI thread always finds a free core (on a 2-core
    machine two busy torch threads made the event loop stall for hundreds of ms)."""
    import torch

    cores = os.cpu_count() or 2
    if cores > 1 and torch.get_num_threads() >= cores:
        torch.set_num_threads(cores - 1)


def _download(repo_id: str, report: Callable[[Progress], None], token: CancelToken) -> str:
    from core.model import download_model

    return str(download_model(repo_id, progress=report, cancel=token))


def _reopen(state: _Thread, db_path: str | None) -> None:
    state.close()
    state.db_path = db_path


def _span(item: Any) -> tuple[float, float]:
    return float(item.start_s), float(item.end_s)
