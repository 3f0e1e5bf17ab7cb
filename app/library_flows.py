"""The library-wide flows, awaited on the qasync loop: the Queue view kept current and what it asks for, folders
added to the queue, the search box over every video, and what the background worker and the watch folders
report (a finished job refreshes its video's row; a failure is one line in the banner).

The queue view is read from the database every ``REFRESH_S`` while the window is open (other processes, such as
``longwatch-cli queue run``, change the queue too) and at once after each job event or action.
"""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import QObject, QTimer

from app.controller import Controller
from app.engine import Engine
from app.library_panel import LibraryPanel
from core.errors import LongwatchError
from core.usecases import JobUpdate, WatchEvent

REFRESH_S = 1.5
FINISHED_EVENTS = ("done", "failed", "stopped", "retry")


class LibraryFlows(QObject):
    def __init__(self, engine: Engine, controller: Controller, panel: LibraryPanel,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine, self.controller, self.panel = engine, controller, panel
        self.timer = QTimer(self)
        self.timer.setInterval(int(REFRESH_S * 1000))
        self.timer.timeout.connect(self.refresh_soon)
        self._refreshing: asyncio.Task[None] | None = None
        self._again = False
        q = panel.queue
        q.action_requested.connect(lambda job_id, action: self._spawn(self.control(job_id, action)))
        q.move_requested.connect(lambda job_id, index: self._spawn(self.move(job_id, index)))
        q.pause_queue_requested.connect(lambda paused: self._spawn(self.pause_queue(paused)))
        panel.search_requested.connect(lambda text: self._spawn(self.search(text)))
        panel.moment_chosen.connect(lambda fp, t: self._spawn(self.controller.open_at(fp, t)))
        engine.background.job_update.connect(self._job_update)
        engine.own_job_update.connect(lambda _u: self.refresh_soon())
        engine.background.watch_event.connect(self._watch_event)
        engine.background.failed.connect(lambda text: self.controller.message.emit(text, "warning"))

    def _spawn(self, coro: Any) -> None:
        if not self.engine.closed:
            self.controller.spawn(coro)
        else:
            coro.close()

    def start(self) -> None:
        self.timer.start()
        self.refresh_soon()

    def stop(self) -> None:
        self.timer.stop()

    # ---- the queue view --------------------------------------------------------------------------------------
    def refresh_soon(self) -> None:
        """Read the queue again (once at a time: a refresh asked meanwhile runs right after)."""
        if self.engine.closed:
            self.timer.stop()
            return
        if self._refreshing is not None and not self._refreshing.done():
            self._again = True
            return
        self._refreshing = self.controller.spawn(self.refresh())

    async def refresh(self) -> None:
        while True:
            self._again = False
            jobs, paused = await self.engine.jobs()
            self.panel.queue.set_jobs(jobs, paused)
            self.panel.queue.set_background(self.engine.background.running, self.engine.background.watching)
            active = [j for j in jobs if j.state in ("queued", "running")]
            self.panel.set_queue_count(len(active))
            waiting = {j.video for j in active}
            if waiting != self.controller.waiting:
                self.controller.waiting = waiting
                self.controller.show_row_states()
            if not self._again or self.engine.closed:
                return

    async def control(self, job_id: int, action: str) -> None:
        await self.engine.control_job(job_id, action)
        await self.refresh()

    async def move(self, job_id: int, index: int) -> None:
        await self.engine.move_job(job_id, index)
        await self.refresh()
        self.panel.queue.select(job_id)

    async def pause_queue(self, paused: bool) -> None:
        await self.engine.pause_queue(paused)
        await self.refresh()

    async def queue_paths(self, paths: list[str]) -> None:
        """Add the videos in these files and folders to the queue (run by the background worker)."""
        done = await self.engine.enqueue(paths)
        errors = [e for e in done if e.error]
        queued = sum(1 for e in done if e.queued)
        known = len(done) - len(errors) - queued
        await self.controller.refresh_library()
        await self.refresh()
        if not done:
            self.controller.message.emit("No video files there; add a folder that holds some.", "warning")
            return
        parts = [f"Queued {queued} video{'s' * (queued != 1)}"] if queued else []
        if known:
            parts.append(f"{known} already done or waiting")
        if errors:
            parts.append(f"{len(errors)} could not be read ({errors[0].error})")
        if not self.engine.settings.background_queue and queued:
            parts.append("they run when the queue runs (Settings > Background, or `longwatch-cli queue run`)")
        self.controller.message.emit("; ".join(parts) + ".", "warning" if errors else "info")
        self.panel.show_queue()

    # ---- searching every video -------------------------------------------------------------------------------
    async def search(self, text: str) -> None:
        try:
            hits, moments = await self.engine.search_all(text)
        except LongwatchError as e:
            self.panel.show_search_error(str(e))
            return
        if self.panel.search.text().strip() == text:  # not typed over meanwhile
            self.panel.show_hits(text, hits, moments)

    # ---- what the background reports ---------------------------------------------------------------------------
    def _job_update(self, u: JobUpdate) -> None:
        fp = u.job.video
        if u.event == "progress":
            row = self.panel.rows.get(fp)
            if row is not None and u.progress is not None and fp != self.controller.indexing:
                row.set_progress(u.progress)
            self.refresh_soon()
            return
        self.refresh_soon()
        if u.event in FINISHED_EVENTS and not self.engine.closed:
            self._spawn(self.controller.job_finished(fp))
        if u.event == "failed" and u.error:
            self.controller.message.emit(f"{u.job.name}: {u.job.kind} failed: {u.error}", "error")

    def _watch_event(self, e: WatchEvent) -> None:
        if e.what == "queued":
            self._spawn(self.controller.refresh_library())
            self.refresh_soon()
        elif e.what in ("error", "missing"):
            self.controller.message.emit(f"Watch folder: {e.detail}", "warning")
