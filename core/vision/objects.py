"""What the object detector's rows mean: calibrated scores, how well a frame matches a query's objects, and
which objects a shot shows ("2 people, a car").

Calibration: the detector's raw score s (Generalized Focal Loss: a classification score trained to predict the
box's IoU, so 0.3-0.5 is already a fair detection) is mapped to p = sigmoid((s - MID) / SCALE). MID = 0.35 is
upstream NanoDet's own operating threshold (its demo draws boxes scoring at least 0.35), so p = 0.5 there;
SCALE = 0.08 puts p at 0.87 for s = 0.5 and 0.12 for s = 0.2. The constants are not fitted on the held-out
recordings of benchmarks/find_quality.py (see ``ObjectCalibration``).

A frame's score for a query with mentions m_1..m_k (``coco.parse_objects``): for each mention, the calibrated
score of its ``count``-th best detection of any of its classes in the frame (0 when fewer), times its weight;
then the geometric mean over mentions with a floor of ``FLOOR`` for a mention not seen, so "a man in a car"
ranks frames with both above frames with only one, and frames with only one above frames with neither.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.vision.coco import CLASSES, ObjectMention, phrase
from core.vision.object_store import ObjectFrames

FLOOR = 0.1  # a mention not seen in a frame counts as this much in the geometric mean (when another is seen)


@dataclass(frozen=True)
class ObjectCalibration:
    """Raw detector score -> 0..1 (see the module docstring); ``min_score``: calibrated score of a moment."""

    mid: float = 0.35
    scale: float = 0.08
    min_score: float = 0.3

    def __post_init__(self) -> None:
        if not (0 < self.mid < 1 and self.scale > 0 and 0 <= self.min_score < 1):
            raise ValueError(f"ObjectCalibration needs mid in (0, 1), scale > 0, min_score in 0..1, got {self}")

    def p(self, raw: np.ndarray) -> np.ndarray:
        """Calibrated scores, shape of ``raw``."""
        return np.asarray(1.0 / (1.0 + np.exp(-(np.asarray(raw, np.float64) - self.mid) / self.scale)))


DEFAULT_OBJECT_CALIBRATION = ObjectCalibration()
_INDEX = {c: i for i, c in enumerate(CLASSES)}


def mention_scores(frames: ObjectFrames, mention: ObjectMention,
                   calibration: ObjectCalibration = DEFAULT_OBJECT_CALIBRATION) -> tuple[np.ndarray, np.ndarray]:
    """(scores (n,), class index (n,)) per frame for one mention: the weighted calibrated score of the
    ``count``-th best detection of the best of its classes (0 and -1 where there are fewer)."""
    n = len(frames.times_s)
    best, which = np.zeros(n), np.full(n, -1, np.int64)
    k = mention.count - 1
    for name in mention.classes:
        ci = _INDEX[name]
        raw = np.array([s[k] if len(s) > k else -1.0 for s in frames.per_frame(ci)])  # (n,)
        p = np.where(raw >= 0, calibration.p(np.maximum(raw, 0)), 0.0) * mention.weight
        better = p > best
        best[better], which[better] = p[better], ci
    return best, which


@dataclass(frozen=True)
class QueryScores:
    """A query's scores over a video's looked-at frames: ``score`` (n,), and per mention (n, k) its
    ``each`` score and the class index ``which`` that gave it (-1: not seen)."""

    score: np.ndarray
    each: np.ndarray
    which: np.ndarray

    def describe(self, i: int, mentions: list[ObjectMention]) -> str:
        """"a car (0.82)" or "a person (0.80) and a car (0.40)" for frame ``i``."""
        parts = [f"{phrase(CLASSES[int(c)], m.count)} ({s:.2f})"
                 for m, s, c in zip(mentions, self.each[i], self.which[i], strict=True) if c >= 0 and s > 0]
        return " and ".join(parts) if parts else "nothing"


def query_scores(frames: ObjectFrames, mentions: list[ObjectMention],
                 calibration: ObjectCalibration = DEFAULT_OBJECT_CALIBRATION) -> QueryScores:
    """Every frame's score for the query's mentions (see the module docstring)."""
    n = len(frames.times_s)
    if not mentions or n == 0:
        k = len(mentions)
        return QueryScores(np.zeros(n), np.zeros((n, k)), np.full((n, k), -1, np.int64))
    parts = [mention_scores(frames, m, calibration) for m in mentions]
    each = np.stack([p[0] for p in parts], axis=1)  # (n, k)
    which = np.stack([p[1] for p in parts], axis=1)  # (n, k)
    geo = np.exp(np.log(np.maximum(each, FLOOR)).mean(axis=1))
    return QueryScores(np.where(each.max(axis=1) > 0, geo, 0.0), each, which)


@dataclass(frozen=True)
class ShotObjects:
    """What a shot shows: (class, count, calibrated score) best first."""

    objects: tuple[tuple[str, int, float], ...]

    def words(self) -> list[str]:
        """["2 people", "a car", ...]."""
        return [phrase(label, count) for label, count, _ in self.objects]


def shot_objects(frames: ObjectFrames, spans: list[tuple[float, float]], *, top_k: int = 5,
                 calibration: ObjectCalibration = DEFAULT_OBJECT_CALIBRATION) -> list[ShotObjects]:
    """Per (start_s, end_s) span: the classes confidently seen (calibrated >= 0.5) in its frames (the frame
    nearest its middle when none falls inside), each with the most instances seen in one frame."""
    out = []
    p = calibration.p(frames.score) if frames.score.size else np.zeros(0)
    times = frames.times_s
    for a, b in spans:
        if times.size == 0:
            out.append(ShotObjects(()))
            continue
        inside = np.flatnonzero((times >= a - 1e-6) & (times < max(b, a + 1e-3)))
        if inside.size == 0:
            inside = np.array([int(np.argmin(np.abs(times - (a + b) / 2)))])
        sel = np.isin(frames.frame, inside) & (p >= 0.5)
        found: dict[int, tuple[int, float]] = {}
        for ci in np.unique(frames.cls[sel]):
            mine = sel & (frames.cls == ci)
            count = int(np.bincount(frames.frame[mine]).max())
            found[int(ci)] = (count, float(p[mine].max()))
        ranked = sorted(found.items(), key=lambda kv: -kv[1][1])[:top_k]
        out.append(ShotObjects(tuple((CLASSES[ci], c, round(s, 4)) for ci, (c, s) in ranked)))
    return out
