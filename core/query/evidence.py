"""Evidence lines for the prompt (Video-MME's subtitle setting): transcript, subtitle and OCR lines with times.

Before the evidence pass has run for a video, queries run on the video memory alone. The chosen lines go after the video and before the question, and each is named in ``why``.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass

import sqlite_utils

from core.errors import LongwatchError
from core.semantic import search_text
from core.timefmt import clock

log = logging.getLogger(__name__)
MAX_LINES = 12


@dataclass(frozen=True)
class EvidenceLine:
    start_s: float
    end_s: float
    source: str  # transcript, subtitles, ocr
    text: str

    def prompt_line(self) -> str:
        return f"[{clock(self.start_s)}-{clock(self.end_s)}] {self.source}: {self.text}"

    def why(self) -> str:
        return f"{self.source} at {clock(self.start_s)}: \"{self.text}\""


@dataclass(frozen=True)
class EvidenceContext:
    lines: tuple[EvidenceLine, ...] = ()

    @property
    def text(self) -> str | None:
        """The prompt text, or None when there is no evidence."""
        if not self.lines:
            return None
        return "Subtitles and on-screen text:\n" + "\n".join(line.prompt_line() for line in self.lines)

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(sorted({line.source for line in self.lines}))

    def overlapping(self, start_s: float, end_s: float) -> tuple[EvidenceLine, ...]:
        return tuple(line for line in self.lines if line.start_s < end_s and line.end_s > start_s)


def evidence_context(db: sqlite_utils.Database, video: str, question: str, *, limit: int = MAX_LINES) -> EvidenceContext:
    """The evidence lines most relevant to ``question``, in time order (empty without evidence)."""
    try:
        hits = search_text(db, video, question, limit=limit)
    except (sqlite3.Error, LongwatchError) as e:  # no evidence for this video yet, or no tables
        log.debug("no evidence for %s: %s", video, e)
        return EvidenceContext()
    lines = [EvidenceLine(float(h.start_s), float(h.end_s), str(h.source), " ".join(str(h.text).split()))
             for h in hits]
    return EvidenceContext(tuple(sorted(lines, key=lambda line: (line.start_s, line.end_s))))
