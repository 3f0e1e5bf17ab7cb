"""Watch folders: new or changed recordings are queued once they have stopped growing.

``WatchService(service, folders, kinds).start()`` scans every ``interval_s`` on a background thread (``stop()``
ends it); ``scan_once()`` is one scan (the tests drive it with their own clock). A file is queued when

- its name is a video's and not a partial download or temporary name (``core.usecases.files``),
- its size and modification time have not changed for ``settle_s`` seconds, and its modification time is at least
  ``settle_s`` old: a recording still being written, or a copy still running, keeps moving both.

Queueing goes through ``Longwatch.enqueue_file``, which fingerprints the content: a file the library knows (moved,
renamed, or seen in another folder) only gets its new path, and its finished jobs are not redone. A file that is
not a usable video is reported once, in one line, and tried again only when it changes. What was decided per file
is kept in the database (``core.store.watched``), so a restarted watcher neither re-reads nor re-queues anything.

Why polling and not inotify (watchdog, watchfiles): DVR recordings often live on network shares where change
events do not arrive, and "stopped growing" needs a clock and a second look anyway; one ``stat`` per file every
few seconds costs nothing next to the analysis.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import LongwatchError, UsageError
from core.store import watched
from core.usecases.files import video_files
from core.usecases.jobs import check_kinds

if TYPE_CHECKING:
    from core.usecases.service import Longwatch

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WatchEvent:
    """What a scan did about one file: 'queued' (jobs added), 'known' (nothing new to do), 'error' (one line why),
    or 'missing' (a watch folder that is not there)."""

    path: str
    what: str
    detail: str = ""
    jobs: tuple[int, ...] = ()


class WatchService:
    """Scans ``folders`` and queues ``kinds`` for every recording that has stopped growing."""

    def __init__(self, service: Longwatch, folders: Sequence[Path], kinds: Sequence[str], *, settle_s: float = 60.0,
                 interval_s: float = 10.0, priority: int = 0,
                 on_event: Callable[[WatchEvent], None] | None = None) -> None:
        self.service = service
        self.folders = [Path(f).expanduser() for f in folders]
        self.kinds = tuple(kinds)
        self.settle_s, self.interval_s, self.priority = settle_s, interval_s, priority
        self.on_event = on_event or (lambda _e: None)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._missing: set[Path] = set()

    @classmethod
    def from_settings(cls, service: Longwatch, folders: Sequence[str | Path] | None = None,
                      kinds: Sequence[str] | None = None, *, settle_s: float | None = None,
                      interval_s: float | None = None, on_event: Callable[[WatchEvent], None] | None = None,
                      ) -> WatchService:
        """A watcher with the settings' folders, kinds and timings (each may be overridden)."""
        chosen = [Path(f).expanduser() for f in folders] if folders else list(service.settings.watch_folder_list())
        if not chosen:
            raise UsageError("No watch folder is set; give one or more folders (Settings or `watch DIR...`).")
        s = service.settings
        return cls(service, chosen, check_kinds(kinds if kinds else s.watch_kinds),
                   settle_s=s.watch_settle_s if settle_s is None else settle_s,
                   interval_s=s.watch_interval_s if interval_s is None else interval_s, on_event=on_event)

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="longwatch-watch", daemon=True)
        self._thread.start()

    def stop(self, wait: bool = True) -> None:
        self._stop.set()
        if wait and self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def run(self) -> None:
        """Scan until ``stop()`` (the long-running ``longwatch-cli watch``)."""
        self._stop.clear()
        self._run()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    self.scan_once()
                except Exception:  # a locked database, a share gone away: keep watching
                    log.exception("watch scan failed; trying again in %.0f s", self.interval_s)
                self._stop.wait(self.interval_s)
        finally:
            self.service.close_thread()

    def scan_once(self, now: float | None = None) -> list[WatchEvent]:
        """One scan of every folder; returns what it did (files still settling are not reported)."""
        now = time.time() if now is None else now
        events: list[WatchEvent] = []
        for folder in self.folders:
            if not folder.is_dir():
                if folder not in self._missing:
                    self._missing.add(folder)
                    events.append(self._emit(WatchEvent(str(folder), "missing",
                                                        f"the watch folder {folder} is not there (unmounted?)")))
                continue
            self._missing.discard(folder)
            present = []
            for path in video_files(folder):
                present.append(str(path))
                event = self._look(path, now)
                if event is not None:
                    events.append(self._emit(event))
            watched.forget_missing(self.service.db, str(folder), present)
        return events

    def _look(self, path: Path, now: float) -> WatchEvent | None:
        try:
            st = path.stat()
        except OSError:
            return None  # gone between listing and stat
        db = self.service.db
        row = watched.seen(db, str(path), st.st_size, st.st_mtime_ns, now)
        if row.fingerprint is not None or row.error is not None or st.st_size == 0:
            return None
        if now - row.changed_at < self.settle_s or now - st.st_mtime_ns / 1e9 < self.settle_s:
            return None  # still growing, or not yet seen still for long enough
        try:
            done = self.service.enqueue_file(path, self.kinds, priority=self.priority, source="watch")
        except LongwatchError as e:
            watched.decided(db, str(path), error=str(e))
            return WatchEvent(str(path), "error", str(e))
        fp = done.jobs[0].video if done.jobs else None
        watched.decided(db, str(path), fingerprint=fp)
        if done.queued:
            return WatchEvent(str(path), "queued", ", ".join(j.kind for j in done.jobs if j.id in done.queued),
                              done.queued)
        return WatchEvent(str(path), "known", "already in the library; nothing new to do")

    def _emit(self, event: WatchEvent) -> WatchEvent:
        self.on_event(event)
        return event
