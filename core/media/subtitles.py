"""``read_subtitles``: timed text from subtitle streams inside the file and ``.srt``/``.vtt`` files next to it.

libav reads every text format (SubRip, mov_text, ASS/SSA, WebVTT, and the sidecar files through its srt/webvtt
demuxers) and hands back ASS "Dialogue" events, so one markup stripper covers them all: ASS override blocks
``{\\i1}``, HTML-ish tags ``<i>``, ``<font ...>``, WebVTT voice/class tags and inline timestamps, ``\\N`` line breaks.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import av.error

from core.media.container import open_media, start_time_s, time_base_s
from core.media.errors import MediaError
from core.media.probe import TEXT_SUBTITLE_CODECS, probe
from core.media.types import SubtitleLine, VideoInfo

_ASS_OVERRIDE = re.compile(r"\{[^}]*\}")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<\d{1,2}:\d{2}(?::\d{2})?[.,]\d{3}>")
_ASS_FIELDS_BEFORE_TEXT = 8  # ReadOrder, Layer, Style, Name, MarginL, MarginR, MarginV, Effect
MAX_SUBTITLE_PACKETS = 200_000


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
    text_streams = [s.index for s in info.subtitles if s.is_text]
    if text_streams:
        lines += _read_streams(Path(info.path), text_streams, lambda i: f"stream:{i}")
    for sidecar in info.sidecar_subtitles:
        try:
            lines += _read_streams(Path(sidecar), None, lambda _i, s=sidecar: s)
        except MediaError:
            continue  # an unreadable sidecar is skipped; the video's own streams still count
    return sorted(lines, key=lambda line: (line.start_s, line.end_s, line.source))


def _read_streams(path: Path, indices: list[int] | None, source: object) -> list[SubtitleLine]:
    """Lines from the subtitle streams ``indices`` (all text streams when None) of ``path``."""
    out: list[SubtitleLine] = []
    with open_media(path) as container:
        streams = [s for s in container.streams.subtitles
                   if (indices is None and (s.codec_context is not None and s.codec_context.name in TEXT_SUBTITLE_CODECS))
                   or (indices is not None and s.index in indices)]
        if not streams:
            return out
        offset = start_time_s(container) if indices is not None else 0.0
        for n, packet in enumerate(container.demux(*streams)):
            if n > MAX_SUBTITLE_PACKETS:
                break
            if packet.pts is None or packet.size == 0:
                continue
            stream = packet.stream
            tb = time_base_s(stream)
            start = packet.pts * tb - offset
            end = start + (packet.duration or 0) * tb
            try:
                subs = packet.decode()
            except av.error.ExitError:
                raise
            except av.error.FFmpegError:
                continue  # one damaged event; keep the rest
            for sub in subs:
                raw = getattr(sub, "ass", b"") or getattr(sub, "text", b"")
                text = clean_text(raw.decode("utf-8", "replace"))
                if text:
                    label = source(stream.index) if callable(source) else str(source)
                    out.append(SubtitleLine(start_s=round(start, 6), end_s=round(max(end, start), 6), text=text, source=label))
    return out
