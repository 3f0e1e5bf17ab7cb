"""Advertisements from the model: per-window P(yes) for "an advertisement or commercial", as data or moments.

``model_ad_scores`` is what the evidence layer's ``detect_ad_breaks(db, fingerprint, model_scores=...)`` combines
with black frames, silences and on-screen text; without evidence, ``ad_moments`` turns runs of windows scoring at
least ``threshold`` into moments labelled "ad".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.model import VideoXL
from core.query.memory import LoadedMemory
from core.results import Moment
from core.spans import runs_above
from core.timefmt import clock

AD_QUESTION = "an advertisement or commercial break"
AD_THRESHOLD = 0.5


@dataclass(frozen=True)
class WindowScores:
    """One score per memory window with the window's time span, in time order."""

    start_s: tuple[float, ...]
    end_s: tuple[float, ...]
    score: tuple[float, ...]  # P(yes) in 0..1

    def __len__(self) -> int:
        return len(self.score)

    def at(self, t_s: float) -> float | None:
        """The score of the window covering ``t_s`` (None outside the memory)."""
        for a, b, s in zip(self.start_s, self.end_s, self.score, strict=True):
            if a <= t_s < b:
                return s
        return None

    def to_json(self) -> list[dict[str, float]]:
        return [{"start": round(a, 3), "end": round(b, 3), "score": round(s, 4)}
                for a, b, s in zip(self.start_s, self.end_s, self.score, strict=True)]


def model_ad_scores(model: VideoXL, loaded: LoadedMemory) -> WindowScores:
    """P(yes) to "Does this part of the video show an advertisement or commercial break?" for every window."""
    memory = loaded.memory
    p = np.asarray(model.score_windows(memory, AD_QUESTION), dtype=np.float64)
    starts = [w.start_s for w in memory.windows]
    ends = [*starts[1:], max(memory.windows[-1].end_s, loaded.duration_s)]  # each lasts until the next one
    return WindowScores(tuple(starts), tuple(ends), tuple(float(x) for x in p))


def ad_moments(scores: WindowScores, threshold: float = AD_THRESHOLD) -> list[Moment]:
    """Runs of consecutive windows scoring at least ``threshold``, as "ad" moments in time order."""
    out: list[Moment] = []
    for i, j in runs_above(scores.score, threshold):
        peak = max(scores.score[i:j + 1])
        out.append(Moment(scores.start_s[i], scores.end_s[j], peak, "ad",
                          (f"the model calls {clock(scores.start_s[i])}-{clock(scores.end_s[j])} an "
                           f"advertisement with p up to {peak:.2f}",)))
    return out
