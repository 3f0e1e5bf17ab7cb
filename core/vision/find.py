"""``visual_find``: moments whose frames look like a description, from the stored frame vectors.

The description is cleaned ("When does the dog appear?" -> "the dog"), embedded as a prompt ensemble with the
same model that embedded the frames, and every stored frame is scored (``core.vision.scoring``: calibrated per
video, 0..1). A frame stands for the picture from its time until the next embedded frame (at most
``2 x every_s``); runs of consecutive frames scoring at least ``min_score`` become one moment each, scored by
their best frame, with a ``why`` such as "frames look like 'a taxi' (0.71) at 1:15–1:23".
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import sqlite_utils

from core.results import Moment
from core.vision import store
from core.vision.model import ImageTextModel, VisionModelMissing, load_model, missing_message
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


def fmt_time(seconds: float) -> str:
    """m:ss, or h:mm:ss from one hour."""
    s = int(max(0.0, seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def frame_spans(times_s: np.ndarray, every_s: float) -> np.ndarray:
    """End time of each embedded frame's span: the next frame's time, at most ``2 x every_s`` later; (n,)."""
    if times_s.size == 0:
        return times_s
    nxt = np.append(times_s[1:], times_s[-1] + every_s)
    return np.minimum(nxt, times_s + 2 * every_s)


@dataclass(frozen=True)
class FrameHit:
    """One run of frames that look like the description."""

    start_s: float
    end_s: float
    score: float  # 0..1, the best frame's
    peak_s: float  # time of the best frame


def runs(times_s: np.ndarray, ends_s: np.ndarray, scores: np.ndarray, min_score: float) -> list[FrameHit]:
    """Runs of consecutive frames with score >= min_score, best first."""
    out: list[FrameHit] = []
    i, n = 0, len(scores)
    while i < n:
        if scores[i] < min_score:
            i += 1
            continue
        j = i
        while j + 1 < n and scores[j + 1] >= min_score and times_s[j + 1] <= ends_s[j] + 1e-6:
            j += 1
        k = i + int(np.argmax(scores[i:j + 1]))
        out.append(FrameHit(float(times_s[i]), float(ends_s[j]), float(scores[k]), float(times_s[k])))
        i = j + 1
    return sorted(out, key=lambda h: -h.score)


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


def visual_find(db: sqlite_utils.Database, fingerprint: str, description: str, *, limit: int = 10,
                options: VisionOptions | None = None, calibration: Calibration = DEFAULT_CALIBRATION) -> list[Moment]:
    """Moments whose frames look like ``description``, best first, label "visual", scores calibrated 0..1.

    Empty when the video has no frame vectors of this model (the evidence pass's vision stage has not run);
    ``VisionModelMissing`` when the model itself is not installed.
    """
    options = options or VisionOptions()
    model = _model_of_video(db, fingerprint, options)
    times, scores = score_frames(db, fingerprint, description, model, calibration)
    if times.size == 0:
        return []
    hits = runs(times, frame_spans(times, options.every_s), scores, calibration.min_score)[:limit]
    shown = clean_description(description)
    return [Moment(h.start_s, max(h.end_s, h.start_s), min(1.0, max(0.0, h.score)), LABEL,
                   (f"frames look like '{shown}' ({h.score:.2f}) at {fmt_time(h.start_s)}–{fmt_time(h.end_s)}",))
            for h in hits]
