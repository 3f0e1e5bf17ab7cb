"""Advertisements from the model: per-window P(yes) for "an advertisement or commercial", as data or moments.

``model_ad_scores`` is what the evidence layer's ``detect_ads(db, fingerprint, model_scores=...)`` combines with
black frames, silences and on-screen text; ``find_ads`` uses it when present and otherwise turns runs of windows
scoring at least ``threshold`` into moments labelled "ad".
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlite_utils

from core.errors import LongwatchError
from core.model import VideoXL
from core.query.history import record_query
from core.query.memory import load_memory
from core.query.moments import fmt_time
from core.results import Moment

log = logging.getLogger(__name__)

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


def model_ad_scores(db: sqlite_utils.Database, video: str, model: VideoXL) -> WindowScores:
    """P(yes) to "Does this part of the video show an advertisement or commercial break?" for every window."""
    loaded = load_memory(db, video, model)
    memory = loaded.memory
    p = np.asarray(model.score_windows(memory, AD_QUESTION), dtype=np.float64)
    starts = [w.start_s for w in memory.windows]
    ends = [*starts[1:], max(memory.windows[-1].end_s, loaded.duration_s)]  # each lasts until the next one
    return WindowScores(tuple(starts), tuple(ends), tuple(float(x) for x in p))


def ad_moments(scores: WindowScores, threshold: float = AD_THRESHOLD) -> list[Moment]:
    """Runs of consecutive windows scoring at least ``threshold``, as "ad" moments in time order."""
    out: list[Moment] = []
    i = 0
    while i < len(scores):
        if scores.score[i] < threshold:
            i += 1
            continue
        j = i
        while j + 1 < len(scores) and scores.score[j + 1] >= threshold:
            j += 1
        peak = max(scores.score[i:j + 1])
        out.append(Moment(scores.start_s[i], scores.end_s[j], peak, "ad",
                          (f"the model calls {fmt_time(scores.start_s[i])}-{fmt_time(scores.end_s[j])} an "
                           f"advertisement with p up to {peak:.2f}",)))
        i = j + 1
    return out


def find_ads(db: sqlite_utils.Database, video: str, model: VideoXL, *, threshold: float = AD_THRESHOLD) -> list[Moment]:
    """Ad segments: the evidence layer's detector fed with the model's scores when it exists, else the model's."""
    scores = model_ad_scores(db, video, model)
    detect: Any = None
    try:
        detect = getattr(importlib.import_module("core.evidence"), "detect_ads", None)
    except ImportError:
        detect = None
    moments: list[Moment] | None = None
    if detect is not None:
        try:
            moments = list(detect(db, video, model_scores=scores))
        except LongwatchError as e:  # no evidence pass for this video yet: the model's scores alone
            log.info("ads from the model only: %s", e)
    if moments is None:
        moments = ad_moments(scores, threshold)
    record_query(db, video, "ads", "", {"moments": [m.to_json() for m in moments],
                                         "model_scores": scores.to_json()})
    return moments
