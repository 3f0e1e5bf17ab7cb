"""Which video a request is about: a file path (probed and added to the library, found again after a move by
its fingerprint) or the fingerprint of a video the library knows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from core.errors import UsageError
from core.media.types import VideoInfo
from core.store import get_video_row, upsert_video


@dataclass(frozen=True)
class VideoRef:
    """A video of the library: its fingerprint, where it was last seen, and whether the file is there now."""

    fingerprint: str
    path: str
    name: str
    duration_s: float

    @property
    def found(self) -> bool:
        return Path(self.path).is_file()


def open_video(db: sqlite_utils.Database, path: str | Path) -> VideoInfo:
    """Probe ``path`` and add it to the library (or update where a known video now lives)."""
    from core.media import probe

    p = Path(path).expanduser()
    info = probe(p.resolve() if p.exists() else p)  # probe says what is wrong with a missing or odd path
    upsert_video(db, info)
    return info


def find_video(db: sqlite_utils.Database, video: str | Path) -> VideoRef:
    """The library's video for a file path (fingerprinted; a moved file is found and its new place kept) or a
    fingerprint; a UsageError saying what to give otherwise."""
    from core.media import fingerprint

    p = Path(video).expanduser()
    if p.is_file():
        fp = fingerprint(p)
        row = get_video_row(db, fp)
        if row is None:
            info = open_video(db, p)
            return VideoRef(info.fingerprint, info.path, info.name, info.duration_s)
        where = str(p.resolve())
        if row["path"] != where:  # moved or renamed: remember where it is now
            with db.atomic():
                db.execute("UPDATE videos SET path = ?, name = ? WHERE fingerprint = ?", [where, p.name, fp])
        return VideoRef(fp, where, p.name, float(row["duration_s"]))
    row = get_video_row(db, str(video))
    if row is not None:
        return VideoRef(row["fingerprint"], row["path"], row["name"], float(row["duration_s"]))
    raise UsageError(f"{video} is neither a file nor a video in the library; give the video file's path.")
