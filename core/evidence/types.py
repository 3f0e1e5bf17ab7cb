"""What the evidence layer stores and returns: typed, frozen rows with times in seconds from the start of the file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

# The sources a text hit can come from (also the ``source`` column of the FTS5 table).
TEXT_SOURCES = ("speech", "subtitle", "ocr")


@dataclass(frozen=True)
class Span:
    """A stretch of the video: a shot, a run of black frames, a silence."""

    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class BlackFrames(Span):
    luma_mean: float  # 0..255, mean over the run


@dataclass(frozen=True)
class Silence(Span):
    rms_db: float  # dBFS, mean over the run


@dataclass(frozen=True, eq=False)
class FrameStat:
    """Colour and motion statistics of one sampled frame (the analysis size, ~160 px wide): the one frame
    statistic of the engine (the ad detector, the visual queries and the chapters all read these)."""

    t_s: float
    luma_mean: float  # 0..255
    luma_p99: float  # 0..255
    sat_mean: float  # 0..255
    dominant_rgb: int  # 0xRRGGBB
    hue_hist: np.ndarray = field(repr=False)  # (12,) float32, saturation-weighted, sums to <= 1
    motion: float = 0.0  # mean |grey difference| to the previous sample, 0..255
    cut_score: float = 0.0  # PySceneDetect ContentDetector score against the previous sample
    cut: bool = False  # a shot starts on this sample (set by the readers from the stored cuts)

    @property
    def luma(self) -> float:
        """Mean brightness in 0..1."""
        return self.luma_mean / 255.0

    @property
    def saturation(self) -> float:
        """Mean saturation in 0..1."""
        return self.sat_mean / 255.0

    @property
    def movement(self) -> float:
        """Mean grey change from the previous sample in 0..1."""
        return self.motion / 255.0

    @property
    def rgb(self) -> tuple[float, float, float]:
        """The dominant colour in 0..1 per channel."""
        c = int(self.dominant_rgb)
        return (c >> 16) / 255.0, (c >> 8 & 255) / 255.0, (c & 255) / 255.0


@dataclass(frozen=True)
class Level:
    """Loudness of one 0.5 s block."""

    t_s: float
    rms_db: float  # dBFS


@dataclass(frozen=True)
class Word:
    start_s: float
    end_s: float
    word: str
    probability: float


@dataclass(frozen=True)
class TranscriptSegment:
    start_s: float
    end_s: float
    text: str
    avg_logprob: float
    no_speech_prob: float
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class TextLine:
    """A line of text on a time span: a subtitle, or on-screen text seen over several frames."""

    start_s: float
    end_s: float
    text: str
    source: str  # "ocr", "subtitle"
    score: float = 1.0  # OCR confidence 0..1 (1 for subtitles)


@dataclass(frozen=True)
class TextHit:
    """One full-text search hit. ``score`` is larger for better matches (the negated FTS5 bm25)."""

    start_s: float
    end_s: float
    text: str
    source: str  # "speech", "subtitle" or "ocr"
    score: float
    snippet: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "start": round(self.start_s, 3),
            "end": round(self.end_s, 3),
            "text": self.text,
            "source": self.source,
            "score": round(self.score, 4),
            "snippet": self.snippet,
        }


@dataclass(frozen=True)
class EvidenceSummary:
    """What one ``run_evidence`` call did and what the store now holds for the video."""

    fingerprint: str
    duration_s: float
    stages_run: tuple[str, ...]  # stages this call computed (empty: everything was already done)
    stages_done: tuple[str, ...]  # stages complete in the store
    counts: tuple[tuple[str, int], ...]  # e.g. (("shots", 12), ("black", 3), ...)
    seconds: float  # wall-clock time of this call

    def to_json(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "duration_s": self.duration_s,
            "stages_run": list(self.stages_run),
            "stages_done": list(self.stages_done),
            "counts": dict(self.counts),
            "seconds": round(self.seconds, 3),
        }
