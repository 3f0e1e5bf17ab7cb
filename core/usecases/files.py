"""Which files in a folder are recordings to analyse: video extensions, and not a partial download or a temporary
name (what a DVR, a browser or a download tool leaves while it is still writing)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

VIDEO_EXTENSIONS = frozenset({
    ".ts", ".m2ts", ".mts", ".tp", ".trp", ".mpg", ".mpeg", ".vob", ".mkv", ".mk3d", ".webm", ".mp4", ".m4v",
    ".mov", ".avi", ".wmv", ".asf", ".flv", ".ogv", ".3gp", ".wtv", ".dvr-ms", ".divx", ".rmvb",
})
# Names of files still being written: browsers, torrent clients, rsync/scp, editors, download managers.
PARTIAL_SUFFIXES = (".part", ".partial", ".crdownload", ".download", ".tmp", ".temp", ".!qb", ".!ut", ".filepart",
                    ".aria2", ".inprogress", ".incomplete", "~")
PARTIAL_DIRS = frozenset({".grab", "@eadir", ".trash", ".trashes", "$recycle.bin", "lost+found", ".tmp"})


def is_partial_name(path: Path) -> bool:
    """A temporary or partial name: hidden (``.name``, rsync's ``.name.XXXXXX``), a partial-download suffix, an
    aria2 control file beside it, or inside a folder DVRs write into before they move the finished file (Plex
    records into ``.grab``)."""
    name = path.name.lower()
    if name.startswith((".", "~$")) or name.endswith(PARTIAL_SUFFIXES):
        return True
    if any(part.lower() in PARTIAL_DIRS for part in path.parent.parts):
        return True
    return path.with_name(path.name + ".aria2").exists()


def is_video_name(path: Path) -> bool:
    return path.suffix.lower() in VIDEO_EXTENSIONS and not is_partial_name(path)


def video_files(folder: Path) -> Iterator[Path]:
    """The video files under ``folder`` (recursively, hidden folders skipped), in name order."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d.lower() not in PARTIAL_DIRS)
        for name in sorted(files):
            p = Path(root) / name
            if is_video_name(p):
                yield p
