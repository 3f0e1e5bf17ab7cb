"""The app's flows, awaited on the qasync loop: open files, choose a video, index it, ask, export.

MainWindow builds the panels and hands them here; this object routes engine results into them. Every engine
call is awaited (the UI thread never waits on a worker); a ``LongwatchError`` becomes the one-line banner message.
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
from core.usecases import NO_MODEL, AnswerRecord, VideoInfo

VIDEO_SUFFIXES = {".mp4", ".mkv", ".mov", ".avi", ".webm", ".ts", ".m4v", ".mpg", ".mpeg", ".wmv", ".flv", ".m2ts"}
TIMELINE_THUMBS = 48


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
    busy_changed = Signal()

    def __init__(self, engine: Engine, library: LibraryPanel, player: Player, timeline: Timeline,
                 index_panel: IndexPanel, questions: QuestionPanel, editor: SegmentEditor,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine, self.library, self.player, self.timeline = engine, library, player, timeline
        self.index_panel, self.questions, self.editor = index_panel, questions, editor
        self.current: VideoInfo | None = None
        self.states: dict[str, str | None] = {}
        self.paths: dict[str, str] = {}
        self.queue: list[str] = []
        self.index_task: asyncio.Task[None] | None = None
        self.ask_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._ask_job = 0
        self.last_answer: Answer | None = None
        engine.progress.connect(self._progress)
        engine.answer_text.connect(self._answer_text)

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
                errors.append(f"{Path(f).name}: {e}")
        await self.refresh_library()
        if errors:
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            self.message.emit(errors[0] + more, "error")
        for info in opened:
            self.paths[info.fingerprint] = info.path
            if index and self.states.get(info.fingerprint) != "done" and info.fingerprint not in self.queue:
                self.queue.append(info.fingerprint)
        if opened:
            await self.choose(opened[0].fingerprint, opened[0])
        self._next_index()

    async def refresh_library(self) -> None:
        entries = await self.engine.library()
        for e in entries:
            self.states[e.fingerprint] = e.memory_state if self.engine.settings.has_model else e.evidence_state
            self.paths.setdefault(e.fingerprint, e.path)
        fresh = [e for e in entries if e.fingerprint not in self.library.rows]
        self.library.set_entries(entries, self.engine.settings.has_model)
        for e in fresh:
            self.spawn(self._library_thumb(e.fingerprint, e.path, e.duration_s))

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
        if self.engine.indexing != fp:
            self.index_panel.set_idle(self.states.get(fp))
        else:
            self.index_panel.set_running()
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

    async def _timeline_thumbs(self, info: VideoInfo) -> None:
        n = TIMELINE_THUMBS
        times = [info.duration_s * (i + 0.5) / n for i in range(n)]
        data = await self.engine.thumbnails(info.path, times, width=160)
        if self.current is info and data:
            self.timeline.thumbs = [Thumb(t, _pixmap(b)) for t, b in zip(times, data, strict=False)]
            self.timeline.update()

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
    def index_current(self) -> None:
        if self.current is not None and self.current.fingerprint not in self.queue:
            self.queue.append(self.current.fingerprint)
        self._next_index()

    def _next_index(self) -> None:
        if self.index_task is not None or not self.queue:
            return
        fp = self.queue.pop(0)
        self.index_task = self.spawn(self._index(fp))

    async def _index(self, fp: str) -> None:
        if self.current is not None and self.current.fingerprint == fp:
            self.index_panel.set_running()
        try:
            outcome = await self.engine.index(fp)
            if outcome.notes and self.current is not None and self.current.fingerprint == fp:
                self.index_panel.set_note(" ".join(outcome.notes))
        finally:
            self.index_task = None
            await self.refresh_library()
            if self.current is not None and self.current.fingerprint == fp:
                self.index_panel.set_idle(self.states.get(fp))
                await self.refresh_overlays()
            if not self.engine.closed:
                self._next_index()

    def cancel_index(self) -> None:
        self.queue.clear()
        if self.index_task is not None:
            self.index_panel.set_cancelling()
            self.engine.cancel()

    async def stop_all(self) -> None:
        """Cancel indexing and questions and wait until the engine thread is free (closing the window)."""
        self.queue.clear()
        self.engine.cancel()
        for task in [t for t in (self.index_task, self.ask_task) if t is not None]:
            await asyncio.gather(task, return_exceptions=True)

    def _progress(self, fp: str, p: Progress) -> None:
        row = self.library.rows.get(fp)
        if row is not None:
            row.set_progress(p.fraction, p.message if p.stage == "done" else f"{p.stage}…")
        if self.current is not None and self.current.fingerprint == fp and self.index_task is not None:
            self.index_panel.show_progress(p)

    # ---- questions -----------------------------------------------------------------------------------------------
    def ask(self, kind: str, text: str) -> None:
        if self.current is None or self.ask_task is not None:
            return
        self.ask_task = self.spawn(self._ask(self.current, kind, text))

    async def _ask(self, info: VideoInfo, kind: str, text: str) -> None:
        self.questions.start_answer(text)
        self.questions.set_busy(True)
        if self.engine.indexing:
            self.questions.answer.append("<i>Waiting for indexing to finish…</i>")
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
        if self.current is None:
            return
        written = await self.engine.export_report(self.current.fingerprint, target, fmt)
        self.message.emit(f"Report written to {written}.", "info")

    def describe(self) -> str:
        if self.current is None:
            return "Longwatch"
        return f"{self.current.name} — {clock(self.current.duration_s)} — Longwatch"


def _pixmap(image: QImage) -> QPixmap:
    return QPixmap.fromImage(image)
