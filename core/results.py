"""Result types shared by query, evidence, report and app: moments, chapters, answers.

A moment in JSON is ``{"start": s, "end": s, "score": 0..1, "label": str, "why": [str, ...]}`` (ARCHITECTURE.md);
an ad segment is a moment labelled "ad". Times are seconds from the start of the file as a player shows them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.timefmt import clock


@dataclass(frozen=True)
class Moment:
    """A span of the video with a calibrated score in 0..1, a label and the reasons it was found."""

    start: float  # seconds
    end: float  # seconds
    score: float  # 0..1
    label: str
    why: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("start", "end", "score"):
            v = getattr(self, name)
            if not isinstance(v, int | float) or math.isnan(v) or math.isinf(v):
                raise ValueError(f"Moment.{name} must be a finite number, got {v!r}")
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"Moment needs 0 <= start <= end, got start={self.start} end={self.end}")
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"Moment.score must be in 0..1, got {self.score}")
        object.__setattr__(self, "why", tuple(self.why))

    @property
    def duration(self) -> float:
        return self.end - self.start

    def to_json(self) -> dict[str, Any]:
        return {
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "score": round(self.score, 4),
            "label": self.label,
            "why": list(self.why),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Moment:
        return cls(
            start=float(d["start"]),
            end=float(d["end"]),
            score=float(d["score"]),
            label=str(d["label"]),
            why=tuple(str(w) for w in d.get("why", ())),
        )


@dataclass(frozen=True)
class Chapter:
    """A chapter: a titled span with one or two sentences of text."""

    start: float  # seconds
    end: float  # seconds
    title: str
    text: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"start": round(self.start, 3), "end": round(self.end, 3), "title": self.title, "text": self.text}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Chapter:
        return cls(float(d["start"]), float(d["end"]), str(d["title"]), str(d.get("text", "")))


@dataclass(frozen=True)
class Summary:
    """Chapters in time order plus an overall summary."""

    chapters: tuple[Chapter, ...]
    overview: str
    sources: tuple[str, ...] = ()  # what produced it, e.g. ("video-llm",) or ("transcript", "shots")

    def to_json(self) -> dict[str, Any]:
        return {
            "chapters": [c.to_json() for c in self.chapters],
            "overview": self.overview,
            "sources": list(self.sources),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Summary:
        chapters = sorted((Chapter.from_json(c) for c in d.get("chapters", ())), key=lambda c: c.start)
        return cls(tuple(chapters), str(d.get("overview", "")), tuple(str(s) for s in d.get("sources", ())))


@dataclass(frozen=True)
class AdBreak:
    """An advert break (a moment labelled "ad") and the adverts it is made of (moments labelled "advert").

    A break runs from its first advert's first frame to its last advert's last frame. An advert spliced into a
    film with no separator is a break of one advert. In JSON a break is an ad moment with an ``adverts`` list.
    """

    start: float  # seconds
    end: float  # seconds
    score: float  # 0..1
    why: tuple[str, ...] = ()
    adverts: tuple[Moment, ...] = ()

    def __post_init__(self) -> None:
        self.moment()  # the same checks as a Moment
        object.__setattr__(self, "why", tuple(self.why))
        object.__setattr__(self, "adverts", tuple(sorted(self.adverts, key=lambda m: m.start)))
        for ad in self.adverts:
            if ad.start < self.start - 1e-6 or ad.end > self.end + 1e-6:
                raise ValueError(f"advert {ad.start}-{ad.end} s lies outside its break {self.start}-{self.end} s")

    def moment(self) -> Moment:
        return Moment(self.start, self.end, self.score, "ad", self.why)

    def to_json(self) -> dict[str, Any]:
        return {**self.moment().to_json(), "adverts": [m.to_json() for m in self.adverts]}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> AdBreak:
        m = Moment.from_json(d)
        return cls(m.start, m.end, m.score, m.why, tuple(Moment.from_json(a) for a in d.get("adverts", ())))


ANSWER_KINDS = ("ask", "find", "ads", "summary")


@dataclass(frozen=True)
class AnswerStats:
    """How much of a video-LLM memory an answer saw."""

    windows_used: int  # windows in the prompt (the most relevant ones when the memory does not fit)
    windows_total: int  # windows in the memory
    complete_index: bool  # False: the index was still running or was cancelled part-way

    def to_json(self) -> dict[str, Any]:
        return {"windows_used": self.windows_used, "windows_total": self.windows_total,
                "complete_index": self.complete_index}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> AnswerStats:
        return cls(int(d["windows_used"]), int(d["windows_total"]), bool(d["complete_index"]))


@dataclass(frozen=True)
class Answer:
    """The answer to one request of ``kind`` (ask, find, ads, summary): the text a person reads, the moments that
    ground it (chapters for a summary, breaks for ads), what produced it and what it could not use.

    ``to_json`` is also the stored record (``core.store.answers``), so everything here survives a restart.
    """

    question: str
    text: str
    moments: tuple[Moment, ...] = ()
    sources: tuple[str, ...] = ()  # e.g. ("video-llm", "speech")
    kind: str = "ask"
    summary: Summary | None = None  # kind "summary"
    breaks: tuple[AdBreak, ...] = ()  # kind "ads": each break with its adverts
    notes: tuple[str, ...] = ()  # one sentence each: what was not used and why, what would add more
    evidence: tuple[str, ...] = ()  # evidence lines put into the video-LLM's prompt
    stats: AnswerStats | None = None  # video-LLM answers only

    def __post_init__(self) -> None:
        if self.kind not in ANSWER_KINDS:
            raise ValueError(f"Answer.kind must be one of {ANSWER_KINDS}, got {self.kind!r}")
        for name in ("moments", "sources", "breaks", "notes", "evidence"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "question": self.question,
            "text": self.text,
            "moments": [m.to_json() for m in self.moments],
            "sources": list(self.sources),
        }
        if self.summary is not None:
            out["summary"] = self.summary.to_json()
        if self.breaks:
            out["breaks"] = [b.to_json() for b in self.breaks]
        if self.notes:
            out["notes"] = list(self.notes)
        if self.evidence:
            out["evidence"] = list(self.evidence)
        if self.stats is not None:
            out["stats"] = self.stats.to_json()
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Answer:
        return cls(
            question=str(d.get("question", "")),
            text=str(d.get("text", "")),
            moments=tuple(Moment.from_json(m) for m in d.get("moments", ())),
            sources=tuple(str(s) for s in d.get("sources", ())),
            kind=str(d.get("kind", "ask")),
            summary=Summary.from_json(d["summary"]) if d.get("summary") is not None else None,
            breaks=tuple(AdBreak.from_json(b) for b in d.get("breaks", ())),
            notes=tuple(str(n) for n in d.get("notes", ())),
            evidence=tuple(str(e) for e in d.get("evidence", ())),
            stats=AnswerStats.from_json(d["stats"]) if d.get("stats") is not None else None,
        )


def moments_text(moments: Sequence[Moment], noun: str) -> str:
    """The answer text of a list of found moments: "Found 2 ad breaks:" then one line per moment, with times the
    app and the HTML report turn into links.

    >>> moments_text([Moment(61, 122.5, 0.91, "ad")], "ad break")
    'Found 1 ad break:\\n• 1:01–2:02 ad (91%)'
    """
    if not moments:
        return f"No {noun} found."
    lines = [f"Found {len(moments)} {noun}{'s' if len(moments) != 1 else ''}:"]
    lines += [f"• {clock(m.start)}–{clock(m.end)} {m.label} ({m.score:.0%})" for m in moments]
    return "\n".join(lines)


def summary_text(summary: Summary) -> str:
    """The answer text of a summary: the overview, then one line per chapter with its start time."""
    lines = [summary.overview.strip(), ""] + [f"{clock(c.start)} {c.title}" for c in summary.chapters]
    return "\n".join(lines).strip()


def chapter_moments(summary: Summary) -> tuple[Moment, ...]:
    """A summary's chapters as moments (for the timeline and the answer's links)."""
    return tuple(Moment(c.start, max(c.start, c.end), 1.0, c.title, (c.text,) if c.text else ())
                 for c in summary.chapters)
