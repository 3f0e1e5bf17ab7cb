"""A persisted memory ready for questions: which run, the windows read back from SQLite, the model's sink.

A query never re-encodes the video: it reads the windows the index committed (``core.index.store``) and adds the
model's sink (the fixed text before the video, recomputed from the weights in milliseconds). Which run answers a
video is the service's choice (``core.usecases``); ``load_memory`` is the plain way to read one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlite_utils

from core.errors import LongwatchError
from core.index import store
from core.model import VideoXL
from core.model.memory import VideoMemory, WindowMemory
from core.store import get_video_row


class NotIndexed(LongwatchError):
    """The video has no memory for this model yet."""


@dataclass(frozen=True)
class LoadedMemory:
    video: str  # fingerprint
    path: str  # last known location of the file
    duration_s: float
    run: store.RunRow
    memory: VideoMemory

    @property
    def complete(self) -> bool:
        return self.run.complete


def runs_for(db: sqlite_utils.Database, video: str, identity: str) -> list[store.RunRow]:
    """The video's runs made by the model ``identity`` with at least one window, finished first, newest first."""
    return [r for r in store.list_runs(db, video) if r.settings.get("model") == identity and r.windows_done > 0]


def memory_of(db: sqlite_utils.Database, run: store.RunRow, model: VideoXL,
              windows: Sequence[WindowMemory] | None = None) -> LoadedMemory:
    """``run`` as a memory for ``model``; ``windows`` are its decoded windows when the caller has them already
    (the service keeps recent ones warm), else they are read from the store."""
    row = get_video_row(db, run.video)
    if row is None:
        raise NotIndexed(f"Video {run.video[:12]} is not in the library; open or probe the file again.")
    if windows is None:
        windows = store.read_windows(db, run.id)  # on the CPU, where the model keeps memories
    memory = VideoMemory(sink=model.sink(), windows=tuple(windows), ratio=int(run.settings["ratio"]),
                         model_identity=model.identity)
    return LoadedMemory(video=run.video, path=row["path"], duration_s=float(row["duration_s"]), run=run,
                        memory=memory)


def load_memory(db: sqlite_utils.Database, video: str, model: VideoXL) -> LoadedMemory:
    """The video's memory for ``model`` (finished runs first, newest first; a partial one if that is all)."""
    mine = runs_for(db, video, model.identity)
    if not mine:
        row = get_video_row(db, video)
        hint = " with this model" if row is not None and store.list_runs(db, video) else ""
        raise NotIndexed(f"{row['name'] if row else video} is not indexed{hint} yet; "
                         "run: longwatch-cli index VIDEO --model DIR (with the same model folder).")
    return memory_of(db, mine[0], model)
