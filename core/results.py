"""Result types shared by query, evidence, report and app: moments, chapters, answers.

A moment in JSON is ``{"start": s, "end": s, "score": 0..1, "label": str, "why": [str, ...]}`` (ARCHITECTURE.md);
an ad segment is a moment labelled "ad". Times are seconds from the start of the file as a player shows them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


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


@dataclass(frozen=True)
class Answer:
    """The answer to one question: the text, the moments that ground it, and what produced it."""

    question: str
    text: str
    moments: tuple[Moment, ...] = ()
    sources: tuple[str, ...] = ()  # e.g. ("video-llm", "transcript")
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "text": self.text,
            "moments": [m.to_json() for m in self.moments],
            "sources": list(self.sources),
        }


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
