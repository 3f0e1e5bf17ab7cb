"""What the service keeps warm between questions: the loaded video-LLM and recently used decoded memories.

Loading a 7B model takes a minute and reading back an hour of memory means decoding ~4 GB of blobs, so both are
kept: the model while its ``ModelOptions`` stay the same, memories (per index run) up to a byte budget, least
recently used evicted first. A run that grew since it was cached (an index still running, or resumed) is read
again. Both caches are thread-safe; the model itself is only ever used on the thread that runs long work.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlite_utils

from core.progress import ProgressCallback

if TYPE_CHECKING:
    from core.index import RunRow
    from core.model import ModelOptions, VideoXL
    from core.model.memory import WindowMemory


class ModelCache:
    """The one loaded video-LLM, reloaded only when different options are asked for."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._options: ModelOptions | None = None
        self._model: VideoXL | None = None

    def get(self, options: ModelOptions, progress: ProgressCallback | None = None) -> VideoXL:
        from core.model import load_model

        with self._lock:
            if self._model is None or self._options != options:
                self._model = None  # free the old weights before loading the new ones
                self._model = load_model(options, progress)
                self._options = options
            return self._model

    def loaded(self) -> VideoXL | None:
        return self._model

    def clear(self) -> None:
        with self._lock:
            self._model, self._options = None, None


@dataclass(frozen=True)
class CacheStats:
    hits: int
    misses: int
    entries: int
    bytes: int
    budget_bytes: int


def window_bytes(windows: tuple[WindowMemory, ...]) -> int:
    """Bytes the decoded windows hold (keys and values of every layer)."""
    return sum(t.numel() * t.element_size() for w in windows for t in (*w.keys, *w.values))


class MemoryCache:
    """Decoded windows per index run, least recently used evicted beyond ``budget_bytes`` (0: keep nothing)."""

    def __init__(self, budget_bytes: int) -> None:
        self.budget_bytes = max(0, int(budget_bytes))
        self._lock = threading.Lock()
        self._entries: OrderedDict[int, tuple[tuple[int, str], tuple[WindowMemory, ...], int]] = OrderedDict()
        self._hits = self._misses = 0

    def windows(self, db: sqlite_utils.Database, run: RunRow) -> tuple[WindowMemory, ...]:
        """The run's decoded windows: from the cache when the run has not changed since, else read and kept."""
        version = (run.windows_done, run.updated_at)
        with self._lock:
            entry = self._entries.get(run.id)
            if entry is not None and entry[0] == version:
                self._entries.move_to_end(run.id)
                self._hits += 1
                return entry[1]
            self._misses += 1
        from core.index import read_windows

        windows = tuple(read_windows(db, run.id))  # outside the lock: reading takes seconds on a long film
        size = window_bytes(windows)
        with self._lock:
            self._entries.pop(run.id, None)
            if size <= self.budget_bytes:
                self._entries[run.id] = (version, windows, size)
                self._evict()
        return windows

    def resize(self, budget_bytes: int) -> None:
        with self._lock:
            self.budget_bytes = max(0, int(budget_bytes))
            self._evict()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def stats(self) -> CacheStats:
        with self._lock:
            used = sum(e[2] for e in self._entries.values())
            return CacheStats(self._hits, self._misses, len(self._entries), used, self.budget_bytes)

    def _evict(self) -> None:
        while self._entries and sum(e[2] for e in self._entries.values()) > self.budget_bytes:
            self._entries.popitem(last=False)
