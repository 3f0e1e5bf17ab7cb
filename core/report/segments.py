"""Segment lists that other tools read: EDL, ffmetadata chapters, LosslessCut CSV, SRT, YouTube chapters, JSON.

``format_segments(moments, fmt)`` writes one of :data:`SEGMENT_FORMATS`; ``parse_segments(text, fmt)`` reads it
back (round trips in tests; the ffmetadata and chapter outputs are also checked with ffmpeg/ffprobe). Times are
seconds from the start of the file as a player shows them.

Formats, and the rules followed:

- ``edl``: Kodi / MPlayer / Comskip edit decision list, one ``start<TAB>end<TAB>action`` line per moment, times
  in seconds with millisecond precision, action 3 ("commercial break", Kodi skips it and shows a marker).
  The reader accepts what Kodi accepts: seconds, ``[[HH:]MM:]SS[.mmm]`` timestamps, actions 0-3 (0 cut, 1 mute,
  2 scene marker, 3 commercial break); frame numbers (``#123``) need a frame rate and are refused.
- ``ffmetadata``: FFmpeg's metadata file (``;FFMETADATA1``) with ``[CHAPTER]`` blocks, ``TIMEBASE=1/1000``.
  For ads (every moment labelled "ad") the chapters cover the whole duration and alternate "Show" /
  "Commercial" as Comskip's chapter output does; otherwise there is one chapter per moment titled by its label.
  ``=``, ``;``, ``#``, ``\\`` and newlines are escaped with a backslash (FFmpeg's rules).
- ``csv``: LosslessCut's segment CSV: ``start,end,label`` per line, seconds, no header, RFC 4180 quoting.
- ``srt``: SubRip cues ``HH:MM:SS,mmm --> HH:MM:SS,mmm`` numbered from 1, text = label.
- ``youtube``: chapter lines ``M:SS Title`` (``H:MM:SS`` past an hour) following YouTube's rules: the first
  chapter starts at 0:00, at least 3 chapters, each at least 10 s long. :func:`youtube_chapters` says what it
  had to adjust to meet them.
- ``json``: a list of moment dicts ``{"start", "end", "score", "label", "why"}`` (core.results.Moment.to_json).

Formats without a score (all but json) read back with score 1.0; formats without a label for ads read back
label "ad".
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path

from core.report.spans import (
    AD_LABEL,
    COMMERCIAL_TITLE,
    SHOW_TITLE,
    SegmentFormatError,
    Span,
    as_chapters,
    chapters_to_moments,
    one_line,
)
from core.report.youtube import YoutubeChapters, parse_youtube, youtube_chapters
from core.results import Moment

__all__ = [
    "AD_LABEL",
    "SEGMENT_EXTENSIONS",
    "SEGMENT_FORMATS",
    "SegmentFormatError",
    "YoutubeChapters",
    "chapters_to_moments",
    "format_segments",
    "parse_segments",
    "segment_format_for",
    "youtube_chapters",
]

SEGMENT_FORMATS: tuple[str, ...] = ("json", "edl", "ffmetadata", "csv", "srt", "youtube")

# File name extension for each format (what a "save as" dialog or the CLI proposes).
SEGMENT_EXTENSIONS: dict[str, str] = {
    "json": ".json",
    "edl": ".edl",
    "ffmetadata": ".ffmetadata.txt",
    "csv": ".csv",
    "srt": ".srt",
    "youtube": ".youtube.txt",
}

EDL_ACTIONS = {0: "cut", 1: "mute", 2: "scene", 3: AD_LABEL}  # Kodi's EDL action numbers


def segment_format_for(path: str | Path) -> str:
    """The segment format a file name asks for (``chapters.youtube.txt`` -> "youtube", ``ads.edl`` -> "edl")."""
    name = Path(path).name.lower()
    for fmt, ext in sorted(SEGMENT_EXTENSIONS.items(), key=lambda kv: -len(kv[1])):
        if name.endswith(ext):
            return fmt
    if name.endswith((".ffmeta", ".ffmetadata")):
        return "ffmetadata"
    known = ", ".join(sorted(SEGMENT_EXTENSIONS.values(), key=len))
    raise SegmentFormatError(f"Cannot tell the segment format from {Path(path).name!r}; end it with one of {known}.")


def _check_format(fmt: str) -> None:
    if fmt not in SEGMENT_FORMATS:
        raise SegmentFormatError(f"Unknown segment format {fmt!r}; use one of: {', '.join(SEGMENT_FORMATS)}.")


# ---- EDL --------------------------------------------------------------------------------------------------


def _format_edl(moments: Sequence[Moment]) -> str:
    rows = sorted(moments, key=lambda m: (m.start, m.end))
    return "".join(f"{m.start:.3f}\t{m.end:.3f}\t3\n" for m in rows)


_EDL_TIME = re.compile(r"^(?:(?:(\d+):)?(\d+):)?(\d+(?:\.\d*)?)$")


def _edl_time(token: str, lineno: int) -> float:
    if token.startswith("#"):
        raise SegmentFormatError(f"EDL line {lineno}: frame numbers ({token}) need the frame rate; use seconds.")
    m = _EDL_TIME.match(token)
    if not m:
        raise SegmentFormatError(f"EDL line {lineno}: {token!r} is not a time in seconds or HH:MM:SS.mmm.")
    h, mi, s = m.groups()
    return int(h or 0) * 3600 + int(mi or 0) * 60 + float(s)


def _parse_edl(text: str) -> list[Moment]:
    out: list[Moment] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) not in (2, 3):
            raise SegmentFormatError(f"EDL line {lineno}: expected 'start end action', got {line!r}.")
        start, end = _edl_time(parts[0], lineno), _edl_time(parts[1], lineno)
        action = int(parts[2]) if len(parts) == 3 and parts[2].isdigit() else -1
        if len(parts) == 2:
            action = 0  # MPlayer: a missing action means skip
        if action not in EDL_ACTIONS:
            raise SegmentFormatError(f"EDL line {lineno}: action must be 0, 1, 2 or 3, got {parts[2]!r}.")
        if end < start:
            raise SegmentFormatError(f"EDL line {lineno}: end {end} is before start {start}.")
        out.append(Moment(start, end, 1.0, EDL_ACTIONS[action]))
    return out


# ---- ffmetadata -------------------------------------------------------------------------------------------

_FFMETA_SPECIAL = re.compile(r"([=;#\\\n])")


def _ffmeta_escape(value: str) -> str:
    return _FFMETA_SPECIAL.sub(r"\\\1", value)


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def _format_ffmetadata(moments: Sequence[Moment], duration_s: float | None, title: str) -> str:
    lines = [";FFMETADATA1"]
    if title:
        lines.append(f"title={_ffmeta_escape(title)}")
    for span in as_chapters(moments, duration_s):
        lines += [
            "",
            "[CHAPTER]",
            "TIMEBASE=1/1000",
            f"START={_ms(span.start)}",
            f"END={_ms(span.end)}",
            f"title={_ffmeta_escape(span.title)}",
        ]
    return "\n".join(lines) + "\n"


def _ffmeta_logical_lines(text: str) -> list[str]:
    """Join backslash-continued lines and drop comments, keeping escapes for the key/value split."""
    out: list[str] = []
    buf = ""
    for raw in text.split("\n"):
        buf += raw
        # an odd number of trailing backslashes escapes the newline
        if (len(raw) - len(raw.rstrip("\\"))) % 2 == 1:
            buf = buf[:-1] + "\\\n"
            continue
        out.append(buf)
        buf = ""
    if buf:
        out.append(buf)
    return out


def _ffmeta_split(line: str) -> tuple[str, str]:
    key: list[str] = []
    value: list[str] = []
    esc = seen_eq = False
    for ch in line:
        if esc:
            (value if seen_eq else key).append(ch)
            esc = False
        elif ch == "\\":
            esc = True
        elif ch == "=" and not seen_eq:
            seen_eq = True
        else:
            (value if seen_eq else key).append(ch)
    return "".join(key), "".join(value)


def _parse_ffmetadata(text: str) -> list[Moment]:
    if not text.startswith(";FFMETADATA1"):
        raise SegmentFormatError("Not an FFmpeg metadata file: the first line must be ';FFMETADATA1'.")
    chapters: list[dict[str, str]] = []
    for line in _ffmeta_logical_lines(text)[1:]:
        if not line or line[0] in ";#":
            continue
        if line == "[CHAPTER]":
            chapters.append({})
        elif line.startswith("[") and line.endswith("]"):
            chapters.append({"_section": line})  # [STREAM]: not a chapter, ignored below
        elif chapters:
            key, value = _ffmeta_split(line)
            chapters[-1][key] = value
    spans: list[Span] = []
    for ch in chapters:
        if "_section" in ch:
            continue
        try:
            tb = Fraction(ch.get("TIMEBASE", "1/1000000000"))  # FFmpeg's default chapter time base is 1 ns
            start, end = float(int(ch["START"]) * tb), float(int(ch["END"]) * tb)
        except (KeyError, ValueError, ZeroDivisionError) as e:
            raise SegmentFormatError(f"ffmetadata chapter {ch!r}: needs START, END and a TIMEBASE like 1/1000.") from e
        spans.append(Span(start, end, ch.get("title", "")))
    titles = {s.title for s in spans}
    if spans and titles <= {SHOW_TITLE, COMMERCIAL_TITLE}:
        return [Moment(s.start, s.end, 1.0, AD_LABEL) for s in spans if s.title == COMMERCIAL_TITLE]
    return [Moment(s.start, max(s.start, s.end), 1.0, s.title) for s in spans]


# ---- LosslessCut CSV --------------------------------------------------------------------------------------


def _format_csv(moments: Sequence[Moment]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for m in sorted(moments, key=lambda m: (m.start, m.end)):
        writer.writerow([f"{m.start:.3f}", f"{m.end:.3f}", one_line(m.label)])
    return buf.getvalue()


def _parse_csv(text: str) -> list[Moment]:
    out: list[Moment] = []
    for lineno, row in enumerate(csv.reader(io.StringIO(text)), 1):
        if not row:
            continue
        if len(row) < 2:
            raise SegmentFormatError(f"CSV line {lineno}: expected 'start,end,label', got {row!r}.")
        try:
            start = float(row[0]) if row[0] else 0.0
            end = float(row[1]) if row[1] else start
        except ValueError as e:
            raise SegmentFormatError(f"CSV line {lineno}: times must be seconds, got {row[:2]!r}.") from e
        out.append(Moment(start, end, 1.0, row[2] if len(row) > 2 else ""))
    return out


# ---- SRT --------------------------------------------------------------------------------------------------


def _srt_time(seconds: float) -> str:
    ms = _ms(seconds)
    h, rest = divmod(ms, 3_600_000)
    mi, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{mi:02d}:{s:02d},{ms:03d}"


def _srt_text(m: Moment) -> str:
    # A blank line ends a cue: keep the label's lines but never an empty one.
    lines = [ln.strip() for ln in m.label.splitlines() if ln.strip()]
    return "\n".join(lines) or "-"


def _format_srt(moments: Sequence[Moment]) -> str:
    cues = []
    for i, m in enumerate(sorted(moments, key=lambda m: (m.start, m.end)), 1):
        cues.append(f"{i}\n{_srt_time(m.start)} --> {_srt_time(m.end)}\n{_srt_text(m)}\n\n")
    return "".join(cues)


_SRT_TIMING = re.compile(r"^(\d+):(\d{2}):(\d{2})[,.](\d{3})\s+-->\s+(\d+):(\d{2}):(\d{2})[,.](\d{3})")


def _parse_srt(text: str) -> list[Moment]:
    out: list[Moment] = []
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    for block in blocks:
        lines = block.split("\n")
        if not block.strip():
            continue
        if len(lines) < 2 or not lines[0].strip().isdigit():
            raise SegmentFormatError(f"SRT cue {block[:40]!r}: expected a number, then a timing line.")
        m = _SRT_TIMING.match(lines[1].strip())
        if not m:
            raise SegmentFormatError(f"SRT cue {lines[0]}: bad timing line {lines[1]!r}.")
        g = [int(x) for x in m.groups()]
        start = g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 1000
        end = g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 1000
        out.append(Moment(start, end, 1.0, "\n".join(lines[2:])))
    return out


# ---- JSON and the public entry points ---------------------------------------------------------------------


def _parse_json(text: str) -> list[Moment]:
    try:
        data = json.loads(text)
        return [Moment.from_json(d) for d in data]
    except (ValueError, KeyError, TypeError) as e:
        raise SegmentFormatError(f"Not a JSON list of moments ({e}).") from e


# (moments, duration_s, title) -> text, one writer per format (the parsers are a registry too, below).
Writer = Callable[[Sequence[Moment], float | None, str], str]


def _format_json(moments: Sequence[Moment], _duration_s: float | None, _title: str) -> str:
    return json.dumps([m.to_json() for m in moments], ensure_ascii=False, indent=2) + "\n"


WRITERS: dict[str, Writer] = {
    "json": _format_json,
    "edl": lambda moments, _d, _t: _format_edl(moments),
    "ffmetadata": _format_ffmetadata,
    "csv": lambda moments, _d, _t: _format_csv(moments),
    "srt": lambda moments, _d, _t: _format_srt(moments),
    "youtube": lambda moments, duration_s, _t: youtube_chapters(moments, duration_s=duration_s).text,
}
PARSERS: dict[str, Callable[[str], list[Moment]]] = {
    "json": _parse_json,
    "edl": _parse_edl,
    "ffmetadata": _parse_ffmetadata,
    "csv": _parse_csv,
    "srt": _parse_srt,
    "youtube": parse_youtube,
}


def format_segments(
    moments: Sequence[Moment], fmt: str, *, duration_s: float | None = None, title: str = ""
) -> str:
    """Write moments in one of :data:`SEGMENT_FORMATS`.

    ``duration_s`` lets ad chapters (ffmetadata, youtube) run to the end of the file; ``title`` becomes the
    ffmetadata file title. YouTube's adjustments are silent here: call :func:`youtube_chapters` to list them.
    """
    _check_format(fmt)
    return WRITERS[fmt](moments, duration_s, title)


def parse_segments(text: str, fmt: str) -> list[Moment]:
    """Read a segment file written by :func:`format_segments` (or by the tools that use the format)."""
    _check_format(fmt)
    return PARSERS[fmt](text)
