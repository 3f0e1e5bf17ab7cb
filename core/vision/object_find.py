"""``object_find``: moments where the objects a description names are detected ("a taxi" -> the frames with a
car), from the stored detections; no model is loaded at query time.

The description is read into object mentions (``coco.parse_objects``; none -> no moments); every looked-at
frame is scored (``objects.query_scores``, calibrated 0..1); a frame stands for the picture until the next one
(at most ``2 x every_s``); when some frames show every object named, frames showing only some are dropped (so
"a man in a car" is where both are seen, not the shots around it); runs of frames scoring at least ``min_score`` become one moment each, scored by
their best frame, with a ``why`` such as "a car detected (0.82) at 1:15–1:23".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sqlite_utils

from core.results import Moment
from core.vision import object_store
from core.vision.coco import parse_objects
from core.vision.moments import fmt_time, frame_spans, runs
from core.vision.objects import DEFAULT_OBJECT_CALIBRATION, ObjectCalibration, query_scores

LABEL = "visual"
EVERY_S = 3.0  # the stage's default seconds between looked-at frames inside a shot (a frame's longest span / 2)


def detector_for(db: sqlite_utils.Database, fingerprint: str) -> str | None:
    """The detector identity that looked at most of the video's frames, or None when none did."""
    models = object_store.models_with_objects(db, fingerprint)
    return models[0] if models else None


def object_find(db: sqlite_utils.Database, fingerprint: str, description: str, *, limit: int = 10,
                every_s: float = EVERY_S,
                calibration: ObjectCalibration = DEFAULT_OBJECT_CALIBRATION) -> list[Moment]:
    """Moments where the objects ``description`` names are detected, best first, label "visual", scores 0..1;
    [] when it names none of the 80 COCO classes or the object stage has not run on the video."""
    mentions = parse_objects(description)
    model = detector_for(db, fingerprint)
    if not mentions or model is None:
        return []
    frames = object_store.read(db, fingerprint, model)
    scored = query_scores(frames, mentions, calibration)
    score = scored.score
    complete = (scored.which >= 0).all(axis=1)  # (n,) frames showing every mention
    if len(mentions) > 1 and complete.any():
        score = np.where(complete, score, 0.0)  # "a man in a car": where both are seen, not the frames around
    times = frames.times_s
    hits = runs(times, frame_spans(times, every_s), score, calibration.min_score)[:limit]
    out = []
    for h in hits:
        peak = int(np.argmin(np.abs(times - h.peak_s)))
        why = f"{scored.describe(peak, mentions)} detected at {fmt_time(h.start_s)}–{fmt_time(h.end_s)}"
        out.append(Moment(h.start_s, max(h.end_s, h.start_s), float(min(1.0, max(0.0, h.score))), LABEL, (why,)))
    return out


@dataclass(frozen=True)
class ObjectCues:
    """Object features of one span for the advert detector (all from confident detections, calibrated >= 0.5).

    ``people``: mean persons per looked-at frame; ``classes``: distinct classes seen; ``products``: the best
    score of a thing adverts show close up (bottle, cup, wine glass, phone, laptop, television, car, food...);
    ``novelty``: 1 - cosine between the span's class histogram and the whole video's (0 = the programme's usual
    objects, 1 = none in common; 0 when either is empty)."""

    people: float
    classes: int
    products: float
    novelty: float


PRODUCT_CLASSES = ("bottle", "cup", "wine glass", "cell phone", "laptop", "tv", "car", "bowl", "cake",
                   "pizza", "donut", "sandwich", "banana", "apple", "orange", "toothbrush", "hair drier",
                   "refrigerator", "microwave", "oven", "toaster", "clock", "vase", "handbag", "suitcase")


def object_cues(db: sqlite_utils.Database, fingerprint: str, spans: Sequence[tuple[float, float]],
                calibration: ObjectCalibration = DEFAULT_OBJECT_CALIBRATION) -> list[ObjectCues]:
    """``ObjectCues`` for each (start_s, end_s) span; all zeros for spans with no looked-at frame, and for
    every span when the object stage has not run."""
    from core.vision.coco import CLASSES

    for a, b in spans:
        if not (0 <= a <= b):
            raise ValueError(f"spans are (start_s, end_s) with 0 <= start_s <= end_s, got {(a, b)}")
    model = detector_for(db, fingerprint)
    frames = object_store.read(db, fingerprint, model) if model else object_store.EMPTY
    confident = calibration.p(frames.score) >= 0.5 if frames.score.size else np.zeros(0, bool)
    whole = np.bincount(frames.cls[confident], minlength=len(CLASSES)).astype(np.float64)
    product_idx = np.array([CLASSES.index(c) for c in PRODUCT_CLASSES])
    out = []
    for a, b in spans:
        inside = np.flatnonzero((frames.times_s >= a - 1e-6) & (frames.times_s < max(b, a + 1e-3)))
        if inside.size == 0:
            out.append(ObjectCues(0.0, 0, 0.0, 0.0))
            continue
        sel = confident & np.isin(frames.frame, inside)
        hist = np.bincount(frames.cls[sel], minlength=len(CLASSES)).astype(np.float64)
        prod = sel & np.isin(frames.cls, product_idx)
        products = float(calibration.p(frames.score[prod]).max()) if prod.any() else 0.0
        norm = float(np.linalg.norm(hist) * np.linalg.norm(whole))
        novelty = 1.0 - float(hist @ whole) / norm if norm > 0 else 0.0
        out.append(ObjectCues(float(hist[0]) / inside.size, int((hist > 0).sum()), products, max(0.0, novelty)))
    return out
