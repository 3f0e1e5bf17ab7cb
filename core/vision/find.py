"""``visual_find``: moments whose frames look like a description, from the stored frame vectors.

The description is cleaned ("When does the dog appear?" -> "the dog"), embedded as a prompt ensemble with the
same model that embedded the frames, and every stored frame is scored (``core.vision.scoring``: calibrated per
video, 0..1). A frame stands for the picture from its time until the next embedded frame (at most
``2 x every_s``); runs of consecutive frames scoring at least ``min_score`` become one moment each, scored by
their best frame, with a ``why`` such as "frames look like 'a taxi' (0.71) at 1:15–1:23". The object detector's
moments (``core.vision.object_find``: "a car detected (0.82) at 1:15–1:23") are fused with them.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import sqlite_utils

from core.results import Moment
from core.vision import store
from core.vision.model import ImageTextModel, VisionModelMissing, load_model, missing_message
from core.vision.moments import FrameHit, fmt_time, frame_spans, fuse, runs
from core.vision.object_find import detector_for, object_find
from core.vision.options import VisionOptions
from core.vision.scoring import (
    DEFAULT_CALIBRATION,
    Calibration,
    clean_description,
    frame_scores,
    generic_vectors,
    query_vector,
)

LABEL = "visual"
__all__ = ["LABEL", "FrameHit", "fmt_time", "frame_spans", "runs", "score_frames", "visual_find"]


def score_frames(db: sqlite_utils.Database, fingerprint: str, description: str, model: ImageTextModel,
                 calibration: Calibration = DEFAULT_CALIBRATION) -> tuple[np.ndarray, np.ndarray]:
    """(times_s (n,), calibrated scores (n,)) of the video's frames embedded with ``model``."""
    times, mat = store.frames(db, fingerprint, model.identity)
    if times.size == 0:
        return times, np.zeros(0)
    q = query_vector(model, description)
    return times, frame_scores(mat, q, generic_vectors(db, model), model.logit_scale, calibration)


def _model_of_video(db: sqlite_utils.Database, fingerprint: str, options: VisionOptions) -> ImageTextModel:
    """The configured model, or, when the video's frames were embedded with another one that is still on disk
    (the setting changed since), that one: its vectors can only be compared with its own text vectors."""
    stored = store.models_with_frames(db, fingerprint)
    try:
        model = load_model(options)
    except VisionModelMissing:
        if not stored:
            raise
        model = None
    if model is not None and (model.identity in stored or not stored):
        return model
    for model_id in stored:
        row = store.model_row(db, model_id)
        if row is not None and Path(str(row["path"])).is_dir():
            return load_model(replace(options, model=str(row["path"]), quantization=model_id.rsplit(":", 1)[-1]))
    if model is None:
        raise VisionModelMissing(missing_message(options.model))
    return model


def _seen_by_clip(db: sqlite_utils.Database, fingerprint: str, description: str, limit: int,
                  options: VisionOptions, calibration: Calibration) -> list[Moment]:
    model = _model_of_video(db, fingerprint, options)
    times, scores = score_frames(db, fingerprint, description, model, calibration)
    if times.size == 0:
        return []
    hits = runs(times, frame_spans(times, options.every_s), scores, calibration.min_score)[:limit]
    shown = clean_description(description)
    return [Moment(h.start_s, max(h.end_s, h.start_s), min(1.0, max(0.0, h.score)), LABEL,
                   (f"frames look like '{shown}' ({h.score:.2f}) at {fmt_time(h.start_s)}–{fmt_time(h.end_s)}",))
            for h in hits]


def visual_find(db: sqlite_utils.Database, fingerprint: str, description: str, *, limit: int = 10,
                options: VisionOptions | None = None, calibration: Calibration = DEFAULT_CALIBRATION,
                objects: bool = True) -> list[Moment]:
    """Moments whose frames look like ``description``, best first, label "visual", scores calibrated 0..1.

    Two voices, fused (``moments.fuse``) where both cover the same time: the image-text model's frame vectors
    (when the vision stage ran with one) and the object detector's rows (``object_find``: when the description
    names one of the 80 COCO classes and the object stage ran; ``objects=False`` leaves them out).
    Empty when neither has anything; ``VisionModelMissing`` when no image-text model is installed and the
    video has no object detections either.
    """
    options = options or VisionOptions()
    seen = object_find(db, fingerprint, description, limit=limit, every_s=options.every_s) if objects else []
    try:
        clip = _seen_by_clip(db, fingerprint, description, limit, options, calibration)
    except VisionModelMissing:
        if not objects or detector_for(db, fingerprint) is None:
            raise
        clip = []
    return fuse(clip, seen)[:limit]
