"""Loading a persisted memory for a question: which video, which run, the windows read back from SQLite.

A query never re-encodes the video: it reads the windows the index committed (``core.index.store``) and adds the
model's sink (the fixed text before the video, recomputed from the weights in milliseconds).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from core.errors import LongwatchError, UsageError
from core.index import store
from core.model import VideoXL
from core.model.memory import VideoMemory
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


def resolve_video(db: sqlite_utils.Database, video: str | Path) -> str:
    """The fingerprint of ``video``: a file path (fingerprinted, so a moved file is found) or a fingerprint."""
    from core.media import fingerprint

    p = Path(video).expanduser()
    if p.is_file():
        fp = fingerprint(p)
        row = get_video_row(db, fp)
        if row is not None and row["path"] != str(p):  # moved or renamed: remember where it is now
            with db.atomic():
                db.execute("UPDATE videos SET path = ?, name = ? WHERE fingerprint = ?", [str(p), p.name, fp])
        return fp
    if get_video_row(db, str(video)) is not None:
        return str(video)
    raise UsageError(f"{video} is neither a file nor a video in the library; give the video file's path.")


def load_memory(db: sqlite_utils.Database, video: str, model: VideoXL) -> LoadedMemory:
    """The video's memory for ``model`` (finished runs first, newest first; a partial one if that is all)."""
    row = get_video_row(db, video)
    runs = store.list_runs(db, video)
    mine = [r for r in runs if r.settings.get("model") == model.identity and r.windows_done > 0]
    if row is None or not mine:
        hint = " with this model" if runs else ""
        raise NotIndexed(
            f"{row['name'] if row else video} is not indexed{hint} yet; "
            "run: longwatch-cli index VIDEO --model DIR (with the same model folder)."
        )
    run = mine[0]
    windows = store.read_windows(db, run.id)  # on the CPU, where the model keeps memories
    memory = VideoMemory(sink=model.sink(), windows=tuple(windows), ratio=int(run.settings["ratio"]),
                         model_identity=model.identity)
    return LoadedMemory(video=video, path=row["path"], duration_s=float(row["duration_s"]), run=run, memory=memory)
