"""The app's background service: the local worker that runs the library's job queue, and the watch folders that
feed it, while the window is open (Settings > Background). Both are core objects (``core.usecases.Worker`` and
``WatchService``) on threads of their own; what they do leaves as Qt signals, queued to the UI thread.

Closing the window stops both: a running job stops at its next check and is given back to the queue, so it
resumes where it stopped the next time the app (or ``longwatch-cli queue run``) runs the queue.
"""

from __future__ import annotations

import logging
import os
import threading

from PySide6.QtCore import QObject, Signal

from core.errors import LongwatchError
from core.usecases import JobUpdate, Longwatch, Settings, WatchEvent, WatchService, Worker

log = logging.getLogger(__name__)


def ui_threads(settings: Settings) -> int:
    """Torch threads for a job run by the app: the settings' (``job_threads``), or all cores but one, so the UI
    thread always finds a free core."""
    if settings.job_threads:
        return settings.job_threads
    cores = os.cpu_count() or 2
    return max(1, (cores - 1) // settings.queue_concurrency) if cores > 1 else 1


class Background(QObject):
    """Runs the queue and watches the folders of ``service``'s settings; ``apply`` follows new settings."""

    job_update = Signal(object)  # core.usecases.JobUpdate: claimed, progress, done, failed, retry, stopped
    watch_event = Signal(object)  # core.usecases.WatchEvent: queued, known, error, missing
    failed = Signal(str)  # one line: the watch folders could not be watched

    def __init__(self, service: Longwatch, model_lock: threading.Lock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.model_lock = model_lock
        self.worker: Worker | None = None
        self.watch: WatchService | None = None
        self._held = False

    @property
    def running(self) -> bool:
        return self.worker is not None and self.worker.running

    @property
    def watching(self) -> tuple[str, ...]:
        return tuple(str(f) for f in self.watch.folders) if self.watch is not None and self.watch.running else ()

    def hold(self, held: bool) -> None:
        """Start no new job while ``held`` (the window indexes the video a person opened)."""
        self._held = held
        if self.worker is not None:
            self.worker.hold(held)

    def apply(self, settings: Settings) -> None:
        """Start, restart or stop the worker and the watcher for ``settings`` (the service already has them)."""
        self.stop(wait=True)
        if not settings.background_queue:
            return
        self.worker = Worker(self.service, model_lock=self.model_lock, threads=ui_threads(settings),
                             on_update=self.job_update.emit)
        self.worker.hold(self._held)
        self.worker.start()
        if settings.watch_folder_list():
            try:
                self.watch = WatchService.from_settings(self.service, on_event=self.watch_event.emit)
            except LongwatchError as e:
                self.failed.emit(str(e))
                return
            self.watch.start()

    def stop(self, wait: bool = True) -> None:
        """Stop watching and running jobs (running jobs are given back to the queue)."""
        if self.watch is not None:
            self.watch.stop(wait=wait)
            self.watch = None
        if self.worker is not None:
            self.worker.stop(wait=wait)
            self.worker = None


__all__ = ["Background", "JobUpdate", "WatchEvent", "ui_threads"]
