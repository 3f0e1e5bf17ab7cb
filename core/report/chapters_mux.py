"""Write chapters into a copy of a video without re-encoding (remux with PyAV's ``Container.set_chapters``).

Every stream is copied packet by packet (video, audio, subtitles); the chapters go into the output container
(MKV, MP4/MOV: whatever the output extension picks). ffprobe ``-show_chapters`` reads them back (tested).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av

from core.report.collect import ReportError
from core.report.write import FILE_MODE
from core.results import Chapter, Moment

CHAPTER_TIME_BASE = Fraction(1, 1000)  # milliseconds
CHAPTER_CONTAINERS = (".mkv", ".mka", ".mp4", ".m4v", ".mov", ".webm")


def _chapter_dicts(chapters: Sequence[Chapter | Moment]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for i, c in enumerate(sorted(chapters, key=lambda c: c.start)):
        title = c.title if isinstance(c, Chapter) else c.label
        out.append({
            "id": i + 1,
            "start": round(c.start * 1000),
            "end": round(max(c.start, c.end) * 1000),
            "time_base": CHAPTER_TIME_BASE,
            "metadata": {"title": " ".join(title.split())},
        })
    return out


def write_chapters(src: str | Path, dst: str | Path, chapters: Sequence[Chapter | Moment], *,
                   tags: dict[str, str] | None = None) -> Path:
    """Copy ``src`` to ``dst`` with ``chapters`` (titles from Chapter.title or Moment.label), no re-encoding;
    ``tags`` are added to the container's metadata.

    Streams the output container cannot hold (e.g. a subtitle codec MP4 lacks) are left out. Raises
    ReportError with what to do when the file cannot be read or written.
    """
    src, dst = Path(src), Path(dst)
    if dst.suffix.lower() not in CHAPTER_CONTAINERS:
        raise ReportError(f"Chapters can be written into {', '.join(CHAPTER_CONTAINERS)} files, not "
                          f"{dst.name!r}; pick one of those extensions.")
    if src.resolve() == dst.resolve():
        raise ReportError("Write the chapters into a copy: the output must not be the input file.")
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", suffix=dst.suffix, dir=str(dst.parent))
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        _remux(src, tmp, _chapter_dicts(chapters), tags or {})
        os.chmod(tmp, FILE_MODE)  # a new file's usual mode, not mkstemp's private 0600
        os.replace(tmp, dst)
    except av.FFmpegError as e:
        raise ReportError(f"Cannot copy {src.name} with chapters: {e}. Try an .mkv output.") from e
    except OSError as e:
        raise ReportError(f"Cannot write {dst}: {e.strerror or e}; choose another folder.") from e
    finally:
        tmp.unlink(missing_ok=True)
    return dst


def container_tag(path: str | Path, name: str) -> str | None:
    """The value of container metadata tag ``name`` (any case) of ``path``, None when absent or unreadable."""
    try:
        with av.open(str(path)) as inp:
            tags = {k.lower(): v for k, v in inp.metadata.items()}
    except (av.FFmpegError, OSError):
        return None
    return tags.get(name.lower())


def _remux(src: Path, dst: Path, chapters: list[dict[str, object]], tags: dict[str, str]) -> None:
    with av.open(str(src)) as inp, av.open(str(dst), "w", format=_format_for(dst)) as out:
        mapping = {}
        for stream in inp.streams:
            if stream.type not in ("video", "audio", "subtitle"):
                continue
            try:
                mapping[stream.index] = out.add_stream_from_template(stream)
            except (ValueError, av.FFmpegError):
                continue  # a codec this container cannot hold
        if not mapping:
            raise ReportError(f"{src.name} has no stream that {dst.suffix} can hold; try an .mkv output.")
        out.metadata.update(dict(inp.metadata))
        out.metadata.update(tags)
        out.set_chapters(chapters)  # type: ignore[arg-type]
        for packet in inp.demux([inp.streams[i] for i in mapping]):
            if packet.dts is None:  # the demuxer's flush packet
                continue
            packet.stream = mapping[packet.stream.index]
            out.mux(packet)


def _format_for(path: Path) -> str | None:
    return {".mkv": "matroska", ".mka": "matroska", ".webm": "webm", ".m4v": "mp4", ".mp4": "mp4",
            ".mov": "mov"}.get(path.suffix.lower())
