"""What a summary is made from and how it is cut: ``SummaryInputs`` (rows read from the library, or built by a
caller) and ``ChapterOptions`` (checked once)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.semantic.segment import SegmentOptions
from core.semantic.types import EvidenceLine, FrameFeatures


@dataclass(frozen=True)
class ChapterOptions:
    """``window``: text lines on each side of a gap; ``min_chapter_s``: shortest chapter; ``snap_s``: how far a
    text boundary may move to meet a shot boundary; ``titles``: "auto" (SmolLM2 when installed) or
    "extractive"; ``scene_window_s``: seconds of shots compared on each side of a cut; ``min_score`` and
    ``chapters_per_sqrt_min``: see ``core.semantic.segment``."""

    window: int = 4
    min_chapter_s: float = 20.0
    max_chapters: int = 24
    snap_s: float = 5.0
    titles: str = "auto"
    overview_lines: int = 5
    scene_window_s: float = 30.0
    min_score: float = 1.2  # fitted on benchmarks/summary_quality.py --fit
    chapters_per_sqrt_min: float = 3.0  # fitted likewise

    def __post_init__(self) -> None:
        if self.window < 1:
            raise ValueError(f"ChapterOptions.window must be >= 1, got {self.window}")
        if self.titles not in ("auto", "extractive"):
            raise ValueError(f"ChapterOptions.titles must be 'auto' or 'extractive', got {self.titles!r}")
        if self.scene_window_s <= 0:
            raise ValueError(f"ChapterOptions.scene_window_s must be > 0, got {self.scene_window_s}")
        if self.overview_lines < 1:
            raise ValueError(f"ChapterOptions.overview_lines must be >= 1, got {self.overview_lines}")
        self.segment()  # checks the rest

    def segment(self) -> SegmentOptions:
        return SegmentOptions(self.min_chapter_s, self.max_chapters, self.snap_s, self.min_score,
                              self.chapters_per_sqrt_min)


@dataclass(frozen=True, eq=False)
class SummaryInputs:
    """Everything a summary is made from; ``vecs`` (n_lines, dim) row-aligned with ``lines`` (time order)."""

    duration_s: float
    lines: tuple[EvidenceLine, ...]
    vecs: np.ndarray
    shot_starts: tuple[float, ...] = ()
    frames: FrameFeatures = field(default_factory=FrameFeatures.empty)
    black_ends: tuple[float, ...] = ()
    stages: frozenset[str] = frozenset()  # evidence stages that ran ("speech", "ocr", ...)
    shot_labels: tuple[tuple[float, float, tuple[str, ...]], ...] = ()  # (start_s, end_s, labels) from vision
    embeddings: tuple[np.ndarray, np.ndarray] | None = None  # vision: frame times (m,), unit vectors (m, dim)
