"""Spans shared by the segment formats: ads as Comskip-style Show/Commercial chapters, chapters as moments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.errors import UsageError
from core.results import Chapter, Moment

AD_LABEL = "ad"
SHOW_TITLE, COMMERCIAL_TITLE = "Show", "Commercial"  # Comskip's chapter titles


class SegmentFormatError(UsageError):
    """A segment file that cannot be written or read in the asked format."""


def one_line(text: str) -> str:
    return " ".join(text.split())


def chapters_to_moments(chapters: Sequence[Chapter]) -> list[Moment]:
    """Chapters as moments (label = title, why = the chapter text), to export them in any segment format."""
    return [
        Moment(c.start, max(c.start, c.end), 1.0, c.title, (c.text,) if c.text else ()) for c in chapters
    ]


@dataclass(frozen=True)
class Span:
    start: float  # seconds
    end: float  # seconds
    title: str


def is_ads(moments: Sequence[Moment]) -> bool:
    return bool(moments) and all(m.label == AD_LABEL for m in moments)


def as_chapters(moments: Sequence[Moment], duration_s: float | None) -> list[Span]:
    """Ads: Show/Commercial chapters over the whole duration (Comskip); else one chapter per moment."""
    ordered = sorted(moments, key=lambda m: (m.start, m.end))
    if not is_ads(ordered):
        return [Span(m.start, m.end, one_line(m.label)) for m in ordered]
    end_all = max(duration_s or 0.0, max(m.end for m in ordered))
    spans: list[Span] = []
    t = 0.0
    for m in ordered:
        start = max(m.start, t)  # overlapping ads merge into the running commercial
        if start > t:
            spans.append(Span(t, start, SHOW_TITLE))
        if m.end > start:
            if spans and spans[-1].title == COMMERCIAL_TITLE and spans[-1].end >= start:
                spans[-1] = Span(spans[-1].start, m.end, COMMERCIAL_TITLE)
            else:
                spans.append(Span(start, m.end, COMMERCIAL_TITLE))
        t = max(t, m.end)
    if end_all > t:
        spans.append(Span(t, end_all, SHOW_TITLE))
    return spans
