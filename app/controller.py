"""The app's flows, awaited on the qasync loop: open files, choose a video, index it, ask, export.

MainWindow builds the panels and hands them here; this object routes engine results into them. Every engine
call is awaited (the UI thread never waits on a worker); a ``LongwatchError`` becomes the one-line banner message.

At start-up the library is loaded from the database with each video's stored index state, and videos whose
index was interrupted are offered for resuming (``resumable``). Videos wait in ``queue`` to be indexed one at a
time; the index panel says so while the current video waits.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage, QPixmap

from app.engine import Engine
from app.index_panel import IndexPanel
from app.library_panel import LibraryPanel
from app.player import Player
from app.question_panel import QuestionPanel
from app.segment_edits import SegmentEditor
from app.timeline import Thumb, Timeline
from core.errors import Cancelled, LongwatchError
from core.progress import Progress
from core.results import Answer, Moment
from core.timefmt import clock
from core.usecases import NO_MODEL, AnswerRecord, IndexProgress, VideoInfo

VIDEO_SUFFIXES = {".mp4", ".mkv", ".mov", ".avi", ".webm", ".ts", ".m4v", ".mpg", ".mpeg", ".wmv", ".flv", ".m2ts"}
TIMELINE_THUMBS = 48
ZOOM_THUMBS = 24  # decoded for the visible span when the timeline is zoomed in
ZOOM_SETTLE_S = 0.25  # wait this long after the last zoom or scroll before decoding


def expand_paths(paths: list[str]) -> list[str]:
    """Files as given; folders become the video files inside them (recursively, sorted)."""
    out: list[str] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(str(f) for f in p.rglob("*") if f.is_file() and f.suffix.lower() in VIDEO_SUFFIXES)
        else:
            out.append(str(p))
    return out


class Controller(QObject):
    message = Signal(str, str)  # text, level (info, warning, error)
    opened = Signal(list)  # paths of the files that opened (for Open recent)
    resumable = Signal(list)  # [(fingerprint, name, fraction)] of videos whose index can resume
    busy_changed = Signal()

    def __init__(self, engine: Engine, library: LibraryPanel, player: Player, timeline: Timeline,
                 index_panel: IndexPanel, questions: QuestionPanel, editor: SegmentEditor,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine, self.library, self.player, self.timeline = engine, library, player, timeline
        self.index_panel, self.questions, self.editor = index_panel, questions, editor
        self.current: VideoInfo | None = None
        self.states: dict[str, str | None] = {}
        self.progress: dict[str, IndexProgress] = {}
        self.paths: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.queue: list[str] = []
        self.waiting: set[str] = set()  # videos with jobs waiting or running in the library's queue
        self.index_task: asyncio.Task[None] | None = None
        self.indexing: str | None = None  # the video index_task indexes (set before the engine starts it)
        self.ask_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._ask_job = 0
        self._fresh: set[str] = set()  # queued to be indexed again from scratch
        self._zoom_task: asyncio.Task[None] | None = None
        self.last_answer: Answer | None = None
        engine.progress.connect(self._progress)
        engine.answer_text.connect(self._answer_text)
        engine.answer_progress.connect(self._answer_progress)
        timeline.view_changed.connect(self._view_changed)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run ``coro`` on the loop, keeping a reference; errors become the banner message."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        err = task.exception()
        if isinstance(err, LongwatchError):
            self.message.emit(str(err), "info" if isinstance(err, Cancelled) else "error")
        elif err is not None:
            self.message.emit(f"Unexpected error: {type(err).__name__}: {err}", "error")

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    # ---- opening -----------------------------------------------------------------------------------------------
    async def start_up(self) -> None:
        """Load the library from the database and offer to resume the videos whose index was interrupted."""
        await self.refresh_library()
        stopped = [(fp, self.names.get(fp, fp), p.fraction) for fp, p in self.progress.items()
                   if p.resumable and p.fraction > 0 and fp not in self.queue and fp != self.indexing]
        if stopped:
            self.resumable.emit(stopped)

    async def open_paths(self, paths: list[str], *, index: bool = True) -> None:
        files = expand_paths(paths)
        if not files:
            self.message.emit("No video files there; drop video files or a folder that holds some.", "warning")
            return
        opened: list[VideoInfo] = []
        errors: list[str] = []
        for f in files:
            try:
                opened.append(await self.engine.open_file(f))
            except LongwatchError as e:
                name = Path(f).name
                errors.append(str(e) if str(e).startswith(name) else f"{name}: {e}")  # the name once
        if opened:
            self.opened.emit([info.path for info in opened])
            self.message.emit("", "clear")  # an old error is not about these files
        await self.refresh_library()
        if errors:
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            self.message.emit(errors[0] + more, "error")
        for info in opened:
            self.paths[info.fingerprint] = info.path
            if index and self.states.get(info.fingerprint) != "done":
                self.enqueue(info.fingerprint)
        if opened:
            await self.choose(opened[0].fingerprint, opened[0])

    async def refresh_library(self) -> None:
        entries = await self.engine.library()
        progress = await self.engine.index_progress([e.fingerprint for e in entries])
        for e, p in zip(entries, progress, strict=True):
            self.progress[e.fingerprint] = p
            self.states[e.fingerprint] = p.state
            self.paths.setdefault(e.fingerprint, e.path)
            self.names[e.fingerprint] = e.name
        fresh = set(self.library.set_entries(entries))
        self.show_row_states()
        for e in entries:
            if e.fingerprint in fresh:
                self.spawn(self._library_thumb(e.fingerprint, e.path, e.duration_s))

    def show_row_states(self) -> None:
        """Each library row's stored index state (the row being indexed shows its live progress instead)."""
        for fp, row in self.library.rows.items():
            if fp != self.indexing:
                row.set_stored(self.progress.get(fp), queued=fp in self.queue or fp in self.waiting)

    async def job_finished(self, fp: str) -> None:
        """A queued job of ``fp`` ended (done, failed, stopped): show its new state, and its overlays when open."""
        await self.refresh_library()
        if self.current is not None and self.current.fingerprint == fp:
            self._show_index_state(fp)
            await self.refresh_overlays()

    async def open_at(self, fp: str, t_s: float) -> None:
        """Open library video ``fp`` (a search result) and show the moment at ``t_s``."""
        await self.choose(fp)
        if self.current is None or self.current.fingerprint != fp:
            return
        self.timeline.set_highlight(t_s, min(self.current.duration_s, t_s + 5.0))
        if self.player.media.duration() > 0:
            self.player.seek(t_s)
            return
        loaded = asyncio.get_running_loop().create_future()

        def ready(d: float) -> None:
            if d > 0 and not loaded.done():
                loaded.set_result(None)

        self.player.duration_changed.connect(ready)
        try:
            await asyncio.wait_for(loaded, timeout=10.0)
        except TimeoutError:
            pass
        finally:
            self.player.duration_changed.disconnect(ready)
        if self.current is not None and self.current.fingerprint == fp:
            self.player.seek(t_s)

    async def _library_thumb(self, fp: str, path: str, duration_s: float) -> None:
        if not os.path.isfile(path):
            return
        data = await self.engine.thumbnails(path, [duration_s * 0.1], width=160)
        if data and fp in self.library.rows:
            self.library.rows[fp].set_thumbnail(_pixmap(data[0]))

    # ---- choosing a video ----------------------------------------------------------------------------------------
    async def choose(self, fp: str, info: VideoInfo | None = None) -> None:
        if self.current is not None and self.current.fingerprint == fp:
            return
        info = info or await self.engine.video_info(fp)
        if info is None:
            self.message.emit("That video's file is missing (moved or deleted?); open it again from its new place.",
                              "warning")
            return
        self.current = info
        self.library.select(fp)
        self.player.load(info.path, info.video.fps)
        self.timeline.clear()
        self.timeline.set_duration(info.duration_s)
        self.questions.set_enabled(True)
        self.questions.answer.clear()
        self.questions.moments.clear()
        self._show_index_state(fp)
        settings = self.engine.settings
        self.index_panel.set_note(await self.engine.estimate_memory(settings) if settings.has_model else NO_MODEL)
        await self.refresh_overlays()
        self.spawn(self._timeline_thumbs(info))
        self.spawn(self.refresh_past())

    async def refresh_overlays(self) -> None:
        if self.current is None:
            return
        ov = await self.engine.overlays(self.current.fingerprint)
        self.timeline.cuts = list(ov.cuts)
        self.timeline.speech = list(ov.speech)
        self.timeline.subtitles = list(ov.subtitles)
        self.editor.load(self.current.fingerprint, list(ov.segments))

    def _show_index_state(self, fp: str) -> None:
        if self.indexing == fp:
            self.index_panel.set_running()
        elif fp in self.queue:
            self.index_panel.set_queued(self.queue.index(fp) + (self.index_task is not None))
        else:
            self.index_panel.set_idle(self.progress.get(fp))

    async def _timeline_thumbs(self, info: VideoInfo) -> None:
        n = TIMELINE_THUMBS
        await self._add_thumbs(info, [info.duration_s * (i + 0.5) / n for i in range(n)])

    async def _add_thumbs(self, info: VideoInfo, times: list[float]) -> None:
        data = await self.engine.thumbnails(info.path, times, width=160)
        if self.current is info and data:
            self.timeline.add_thumbs([Thumb(t, _pixmap(b)) for t, b in zip(times, data, strict=False)])

    def _view_changed(self, start_s: float, end_s: float) -> None:
        """Zoomed or scrolled: once it settles, decode frames for the visible span (the overview strip has one
        frame per ~2 % of the film, which repeats when zoomed in)."""
        if self.current is None or self.timeline.zoom <= 1.0:
            return
        if self._zoom_task is not None:
            self._zoom_task.cancel()
        self._zoom_task = self.spawn(self._zoom_thumbs(self.current, start_s, end_s))

    async def _zoom_thumbs(self, info: VideoInfo, start_s: float, end_s: float) -> None:
        await asyncio.sleep(ZOOM_SETTLE_S)
        step = (end_s - start_s) / ZOOM_THUMBS
        have = [th.t_s for th in self.timeline.thumbs]
        times = [t for t in (start_s + step * (i + 0.5) for i in range(ZOOM_THUMBS))
                 if not any(abs(t - h) < step / 2 for h in have)]
        if times:
            await self._add_thumbs(info, times)

    async def refresh_past(self) -> None:
        if self.current is None:
            return
        self._past: list[AnswerRecord] = await self.engine.past_answers(self.current.fingerprint)
        self.questions.set_past([(r.id, f"{r.created_at[:16].replace('T', ' ')}  {r.answer.question}")
                                 for r in self._past])

    def reopen_past(self, qid: int) -> None:
        q = next((q for q in getattr(self, "_past", []) if q.id == qid), None)
        if q is not None:
            self._show_answer(q.answer)

    # ---- indexing ------------------------------------------------------------------------------------------------
    def index_current(self, fresh: bool = False) -> None:
        if self.current is not None:
            self.index_video(self.current.fingerprint, fresh)

    def index_video(self, fp: str, fresh: bool = False) -> None:
        """Queue ``fp`` for indexing (``fresh``: again from scratch; the window asks first)."""
        if fresh:
            self._fresh.add(fp)
        self.enqueue(fp)

    def enqueue(self, fp: str) -> None:
        if fp not in self.queue and fp != self.indexing:
            self.queue.append(fp)
            row = self.library.rows.get(fp)
            if row is not None:
                row.set_stored(self.progress.get(fp), queued=True)
        self._next_index()
        if self.current is not None:
            self._show_index_state(self.current.fingerprint)

    def resume_all(self, fingerprints: list[str]) -> None:
        for fp in fingerprints:
            self.enqueue(fp)

    def _next_index(self) -> None:
        if self.index_task is not None or not self.queue or self.engine.closed:
            return
        fp = self.indexing = self.queue.pop(0)
        self.index_task = self.spawn(self._index(fp, fp in self._fresh))
        self._fresh.discard(fp)

    async def _index(self, fp: str, fresh: bool) -> None:
        if self.current is not None and self.current.fingerprint == fp:
            self.index_panel.set_running()
        try:
            outcome = await self.engine.index(fp, fresh=fresh)
            if outcome.notes and self.current is not None and self.current.fingerprint == fp:
                self.index_panel.set_note(" ".join(outcome.notes))
        finally:
            self.index_task = self.indexing = None
            if not self.engine.closed:
                await self.refresh_library()
                if self.current is not None and self.current.fingerprint == fp:
                    self._show_index_state(fp)
                    await self.refresh_overlays()
                self._next_index()

    def cancel_index(self) -> None:
        """Cancel: the current video leaves the queue, or its running index stops (the rest of the queue goes
        on with the next video)."""
        fp = self.current.fingerprint if self.current is not None else None
        if fp is not None and fp in self.queue:
            self.queue.remove(fp)
            self._fresh.discard(fp)
            row = self.library.rows.get(fp)
            if row is not None:
                row.set_stored(self.progress.get(fp))
            self._show_index_state(fp)
            return
        if self.index_task is not None:
            self.queue.clear()
            self.index_panel.set_cancelling()
            self.engine.cancel()

    async def stop_all(self) -> None:
        """Cancel indexing and questions and wait until the engine thread is free (closing the window)."""
        self.queue.clear()
        self.engine.cancel()
        for task in [t for t in (self.index_task, self.ask_task) if t is not None]:
            await asyncio.gather(task, return_exceptions=True)

    def _progress(self, fp: str, p: Progress) -> None:
        if self.indexing != fp:
            return  # a late event of an index that has finished (its stored state is shown)
        row = self.library.rows.get(fp)
        if row is not None:
            row.set_progress(p)
        if self.current is not None and self.current.fingerprint == fp:
            self.index_panel.show_progress(p)

    def _answer_progress(self, job: int, p: Progress) -> None:
        if job == self._ask_job:
            self.questions.show_progress(p)

    # ---- questions -----------------------------------------------------------------------------------------------
    def ask(self, kind: str, text: str) -> None:
        if self.current is None or self.ask_task is not None:
            return
        self.ask_task = self.spawn(self._ask(self.current, kind, text))

    async def _ask(self, info: VideoInfo, kind: str, text: str) -> None:
        self.questions.start_answer(text)
        self.questions.set_busy(True)
        if self.engine.indexing:
            self.questions.progress_label.setText("Waiting for indexing to finish…")
        self._ask_job = self.engine.next_job_id
        try:
            _, answer = await self.engine.ask(info.fingerprint, kind, text)
            if self.current is info:
                self._show_answer(answer)
                if kind in ("ads", "summary", "find"):
                    await self.refresh_overlays()
                await self.refresh_past()
        except LongwatchError as e:
            self.questions.show_error(str(e))
        finally:
            self.questions.set_busy(False)
            self.ask_task = None

    def _answer_text(self, job: int, piece: str) -> None:
        if job == self._ask_job:
            self.questions.append_text(piece)

    def _show_answer(self, answer: Answer) -> None:
        self.last_answer = answer
        self.questions.show_answer(answer)
        self.timeline.set_markers(list(answer.moments))
        if self.current is not None and answer.moments:
            self.spawn(self._moment_thumbs(self.current, list(answer.moments)))

    async def _moment_thumbs(self, info: VideoInfo, moments: list[Moment]) -> None:
        # a little inside the moment: its first frame is often the black frame or cut that bounds it
        data = await self.engine.thumbnails(info.path, [m.start + min(3.0, m.duration / 3) for m in moments], width=160)
        for i, b in enumerate(data):
            self.questions.set_moment_thumbnail(i, _pixmap(b))

    def cancel_question(self) -> None:
        if self.ask_task is not None:
            self.engine.cancel()

    def go_to_moment(self, m: Moment) -> None:
        self.player.seek(m.start)
        self.timeline.set_highlight(m.start, m.end)

    # ---- export --------------------------------------------------------------------------------------------------
    async def export_segments(self, fmt: str, kind: str, target: str) -> None:
        if self.current is None:
            return
        text = await self.engine.export_segments(self.current.fingerprint, fmt, kind)
        Path(target).write_text(text, encoding="utf-8")
        self.message.emit(f"Exported {kind or 'all'} segments as {fmt} to {target}.", "info")

    async def export_report(self, target: str, fmt: str) -> None:
        if self.current is None or self.ask_task is not None:
            if self.ask_task is not None:
                self.message.emit("Wait for the answer being made, then export the report.", "warning")
            return
        self.ask_task = asyncio.current_task()
        self.questions.set_busy(True)
        self.questions.progress_label.setText("Writing the report…")
        self._ask_job = self.engine.next_job_id
        try:
            _, written = await self.engine.export_report(self.current.fingerprint, target, fmt)
        finally:
            self.questions.set_busy(False)
            self.ask_task = None
        self.message.emit(f"Report written to {written}.", "info")

    def describe(self) -> str:
        if self.current is None:
            return "Longwatch"
        return f"{self.current.name} — {clock(self.current.duration_s)} — Longwatch"


def _pixmap(image: QImage) -> QPixmap:
    return QPixmap.fromImage(image)
