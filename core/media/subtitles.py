"""``read_subtitles``: timed text from subtitle streams inside the file and ``.srt``/``.vtt`` files next to it.

libav reads every text format (SubRip, mov_text, ASS/SSA, WebVTT, and the sidecar files through its srt/webvtt
demuxers) and hands back ASS "Dialogue" events, so one markup stripper covers them all: ASS override blocks
``{\\i1}``, HTML-ish tags ``<i>``, ``<font ...>``, WebVTT voice/class tags and inline timestamps, ``\\N`` line breaks.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import av.error
from av.container import InputContainer

from core.media.container import open_media, start_time_s, time_base_s
from core.media.probe import probe
from core.media.types import SubtitleLine, VideoInfo

_ASS_OVERRIDE = re.compile(r"\{[^}]*\}")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<\d{1,2}:\d{2}(?::\d{2})?[.,]\d{3}>")
_ASS_FIELDS_BEFORE_TEXT = 8  # ReadOrder, Layer, Style, Name, MarginL, MarginR, MarginV, Effect
MAX_SUBTITLE_PACKETS = 200_000
MAX_SIDECAR_BYTES = 20_000_000  # a subtitle file larger than this is not one


def clean_text(ass_dialogue: str) -> str:
    """Plain text of one ASS dialogue event (as libav's text decoders emit), markup stripped, lines joined by \\n.

    >>> clean_text(r"3,0,Default,,0,0,0,,{\\i1}Hello{\\i0}, <b>world</b>\\Nbye")
    'Hello, world\\nbye'
    """
    parts = ass_dialogue.split(",", _ASS_FIELDS_BEFORE_TEXT)
    text = parts[-1] if len(parts) > _ASS_FIELDS_BEFORE_TEXT else ass_dialogue
    text = _ASS_OVERRIDE.sub("", text)
    text = text.replace("\\N", "\n").replace("\\n", "\n").replace("\\h", " ")
    text = html.unescape(_TAG.sub("", text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def read_subtitles(path: str | Path, info: VideoInfo | None = None) -> list[SubtitleLine]:
    """Every text subtitle line of the video's streams and of its sidecar files, sorted by start time."""
    info = info or probe(path)
    lines: list[SubtitleLine] = []
    text_streams = {s.index for s in info.subtitles if s.is_text}
    if text_streams:
        with open_media(info.path) as container:
            streams = [s for s in container.streams.subtitles if s.index in text_streams]
            lines += _lines(container, streams, start_time_s(container), lambda i: f"stream:{i}")
    for sidecar in info.sidecar_subtitles:
        lines += _sidecar_lines(Path(sidecar))
    return sorted(lines, key=lambda line: (line.start_s, line.end_s, line.source))


def _sidecar_lines(path: Path) -> list[SubtitleLine]:
    """Lines of an .srt/.vtt file, re-encoded to UTF-8 first: libav's text decoders reject other encodings and
    older .srt files are often Windows-1252 or UTF-16. An unreadable sidecar gives no lines (never an error)."""
    try:
        data = path.read_bytes()[:MAX_SIDECAR_BYTES]
    except OSError:
        return []
    fmt = "webvtt" if path.suffix.lower() == ".vtt" else "srt"
    try:
        with av.open(io.BytesIO(_as_utf8(data)), mode="r", format=fmt) as container:
            return _lines(container, list(container.streams.subtitles), 0.0, lambda _i: str(path))
    except av.error.FFmpegError:
        return []


def _as_utf8(data: bytes) -> bytes:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace").encode("utf-8")
    try:
        return data.decode("utf-8-sig").encode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace").encode("utf-8")


def _lines(container: InputContainer, streams: list[Any], offset: float,
           source: Callable[[int], str]) -> list[SubtitleLine]:
    """Decoded lines of ``streams``; a damaged event is skipped, the rest kept."""
    out: list[SubtitleLine] = []
    if not streams:
        return out
    for n, packet in enumerate(container.demux(*streams)):
        if n > MAX_SUBTITLE_PACKETS:
            break
        if packet.pts is None or packet.size == 0:
            continue
        tb = time_base_s(packet.stream)
        start = packet.pts * tb - offset
        end = max(start, start + (packet.duration or 0) * tb)
        try:
            subs = packet.decode()
        except av.error.ExitError:
            raise
        except av.error.FFmpegError:
            continue
        for sub in subs:
            text = clean_text((getattr(sub, "ass", b"") or getattr(sub, "text", b"")).decode("utf-8", "replace"))
            if text:
                out.append(SubtitleLine(start_s=round(start, 6), end_s=round(end, 6), text=text,
                                        source=source(packet.stream.index)))
    return out
