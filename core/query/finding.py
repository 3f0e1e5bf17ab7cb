"""``find``: ranked moments for an event description, refined on densely sampled frames around the best ones."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.errors import UsageError
from core.media.errors import MediaError
from core.model import VideoXL
from core.progress import CancelToken, Progress, ProgressCallback, no_progress
from core.query.evidence import EvidenceContext
from core.query.memory import LoadedMemory
from core.query.refine import refine_moment
from core.query.scoring import moments_for
from core.results import Moment

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FindOptions:
    top_k: int = 5
    refine: int = 3  # how many of the best moments to refine on dense frames (0: none; needs the video file)
    evidence: bool = True

    def __post_init__(self) -> None:
        if self.top_k < 1:
            raise UsageError(f"top_k must be at least 1, got {self.top_k}.")
        if not 0 <= self.refine <= self.top_k:
            raise UsageError(f"refine must be in 0..top_k ({self.top_k}), got {self.refine}.")


def find(model: VideoXL, loaded: LoadedMemory, description: str, *, evidence: EvidenceContext | None = None,
         options: FindOptions | None = None, progress: ProgressCallback | None = None,
         cancel: CancelToken | None = None, window_scores: np.ndarray | None = None) -> list[Moment]:
    """Moments where ``description`` happens in the memory ``loaded``, best first.

    ``window_scores`` ((n_windows,) P(yes), from ``model.score_windows``) lets a caller that has them already
    avoid scoring the windows twice; ``evidence`` lines inside a moment are named in its ``why``.
    """
    opts = options or FindOptions()
    report = progress or no_progress
    if not description.strip():
        raise UsageError("The description is empty; describe the event to find.")
    report(Progress("score", 0, 1, unit="passes"))
    moments, _ = moments_for(model, loaded.memory, description, label=description, top_k=opts.top_k,
                             window_scores=window_scores)
    refined: list[Moment] = []
    for i, m in enumerate(moments):
        if i < opts.refine and Path(loaded.path).is_file():
            report(Progress("refine", i, opts.refine, unit="moments"))
            try:
                m = refine_moment(model, loaded.path, m, description, ratio=loaded.memory.ratio, cancel=cancel)
            except MediaError as e:  # the file changed or is damaged there: keep the coarse moment
                log.warning("could not refine %.1f-%.1f s: %s", m.start, m.end, e)
        refined.append(m)
    if opts.evidence and evidence is not None:
        ev = evidence
        refined = [Moment(m.start, m.end, m.score, m.label,
                          (*m.why, *(f"evidence: {line.why()}" for line in ev.overlapping(m.start, m.end))))
                   for m in refined]
    refined.sort(key=lambda m: (-m.score, m.start))
    return refined
