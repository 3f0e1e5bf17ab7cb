"""YouTube chapter text: lines ``M:SS Title`` (``H:MM:SS`` past an hour) in a video description.

YouTube's rules (support.google.com/youtube/answer/9884579): the first timestamp is 0:00, there are at least
three, in ascending order, each chapter at least 10 seconds long. :func:`youtube_chapters` applies them and says
what it changed; :func:`parse_youtube` reads chapters from a description as YouTube does (lines that start
with a timestamp).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.report.spans import SegmentFormatError, as_chapters, one_line
from core.results import Moment

YOUTUBE_MIN_CHAPTERS = 3
YOUTUBE_MIN_CHAPTER_S = 10


@dataclass(frozen=True)
class YoutubeChapters:
    """YouTube chapter text and the adjustments made to follow YouTube's rules (empty when none)."""

    text: str
    starts_s: tuple[int, ...]  # whole seconds, as written
    adjustments: tuple[str, ...]


def _yt_time(seconds: int) -> str:
    h, rest = divmod(seconds, 3600)
    mi, s = divmod(rest, 60)
    return f"{h}:{mi:02d}:{s:02d}" if h else f"{mi}:{s:02d}"


def youtube_chapters(moments: Sequence[Moment], *, duration_s: float | None = None) -> YoutubeChapters:
    """Chapters for a YouTube description: first at 0:00, >= 3 chapters, each >= 10 s; says what was changed.

    Raises SegmentFormatError when fewer than 3 chapters of 10 s remain (YouTube would ignore them).
    """
    spans = as_chapters(moments, duration_s)
    end_all = max([duration_s or 0.0] + [s.end for s in spans])
    notes: list[str] = []
    items = [(math.floor(s.start), one_line(s.title) or "Chapter") for s in spans]
    if items and 0 < items[0][0] < YOUTUBE_MIN_CHAPTER_S:
        notes.append(f"moved '{items[0][1]}' from {_yt_time(items[0][0])} to 0:00 (the first chapter must "
                     "start at 0:00)")
        items[0] = (0, items[0][1])
    elif not items or items[0][0] > 0:
        notes.append("added a chapter 'Start' at 0:00 (YouTube's first chapter must start at 0:00)")
        items.insert(0, (0, "Start"))
    kept: list[tuple[int, str]] = []
    for start, title in items:
        if kept and start - kept[-1][0] < YOUTUBE_MIN_CHAPTER_S:
            if len(kept) == 1:  # the 0:00 chapter stays; the one too close after it goes
                notes.append(f"merged '{title}' at {_yt_time(start)} into '{kept[0][1]}' (the first chapter "
                             f"would be shorter than {YOUTUBE_MIN_CHAPTER_S} s)")
                continue
            short = kept.pop()
            notes.append(f"merged '{short[1]}' at {_yt_time(short[0])} into the chapter before (it is "
                         f"shorter than {YOUTUBE_MIN_CHAPTER_S} s)")
        kept.append((start, title))
    if len(kept) > 1 and end_all - kept[-1][0] < YOUTUBE_MIN_CHAPTER_S:
        start, title = kept.pop()
        notes.append(f"dropped the last chapter '{title}' at {_yt_time(start)} (shorter than "
                     f"{YOUTUBE_MIN_CHAPTER_S} s before the end)")
    if len(kept) < YOUTUBE_MIN_CHAPTERS:
        raise SegmentFormatError(
            f"YouTube needs at least {YOUTUBE_MIN_CHAPTERS} chapters of {YOUTUBE_MIN_CHAPTER_S} s or more; "
            f"only {len(kept)} remain. Export another format or add chapters."
        )
    text = "".join(f"{_yt_time(s)} {t}\n" for s, t in kept)
    return YoutubeChapters(text, tuple(s for s, _ in kept), tuple(notes))


_YT_LINE = re.compile(r"^\s*\(?((?:\d+:)?\d{1,2}:\d{2})\)?\s*[-–—:|]?\s*(.*)$")


def parse_youtube(text: str) -> list[Moment]:
    """Lines that start with a timestamp are chapters (as YouTube reads a description); others are ignored."""
    found: list[tuple[int, str]] = []
    for line in text.splitlines():
        m = _YT_LINE.match(line)
        if not m:
            continue
        parts = [int(p) for p in m.group(1).split(":")]
        seconds = parts[-1] + 60 * parts[-2] + (3600 * parts[-3] if len(parts) == 3 else 0)
        found.append((seconds, m.group(2).strip()))
    out = []
    for i, (start, title) in enumerate(found):
        end = found[i + 1][0] if i + 1 < len(found) else start
        out.append(Moment(float(start), float(max(start, end)), 1.0, title))
    return out
