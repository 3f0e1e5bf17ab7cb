"""What each shot shows: labels from the prompt vocabulary (and a caption when the optional captioning model
wrote one) and the objects the detector found ("2 people, a car"), as ``ShotDescription`` rows and as "visual"
evidence lines for search, chapters and summaries.

A shot's vector is the re-normalised mean of its embedded frames (the nearest frame when none falls inside it);
a label's score is its ``p_seen`` against the generic captions (``core.vision.scoring``), the model's own
zero-shot probability that the label fits better than "a photo." and the like. Labels scoring at least
``LABEL_MIN`` are kept, best first, at most ``top_k``. Objects: per class, the most instances confidently
detected in one of the shot's looked-at frames (``core.vision.objects.shot_objects``). Either part works alone:
a video with object detections and no image-text vectors (no CLIP model installed) gets object descriptions.
Everything is read from the database: the vocabulary's vectors were stored by the vision stage, so no model is
loaded here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import sqlite_utils

from core.errors import LongwatchError
from core.vision import object_store, store
from core.vision.object_find import detector_for
from core.vision.objects import ShotObjects, shot_objects
from core.vision.scoring import p_seen, stored_prompt_vectors
from core.vision.vocabulary import GENERIC, LABELS

LABEL_MIN = 0.5
TOP_K = 5
DEFAULT_SPAN_S = 3.0  # when a video has frames but no stored shots, each frame stands for this long at most


class VisionMissing(LongwatchError):
    """The video has no frame embeddings yet."""


@dataclass(frozen=True)
class ShotDescription:
    """One shot and what it shows: image-text (label, score 0..1) best first, a caption when one was written,
    and detected objects (COCO class, count, calibrated score 0..1) best first.

    Captions come from ``vision_captions`` (an optional shot-captioning model writes one line per keyframe
    there); no captioning stage is built yet, so ``caption`` is None for now and ``text()`` uses the labels
    and the objects.
    """

    start_s: float
    end_s: float
    labels: tuple[tuple[str, float], ...]
    caption: str | None = None
    objects: tuple[tuple[str, int, float], ...] = ()

    def __post_init__(self) -> None:
        if not (math.isfinite(self.start_s) and math.isfinite(self.end_s)) or self.end_s < self.start_s:
            raise ValueError(f"ShotDescription needs finite start_s <= end_s, got {self.start_s}..{self.end_s}")
        if any(not 0.0 <= s <= 1.0 for _, s in self.labels) or any(
                not (0.0 <= s <= 1.0 and n >= 1) for _, n, s in self.objects):
            raise ValueError(f"ShotDescription scores must be in 0..1 (and object counts >= 1), got "
                             f"{self.labels}, {self.objects}")

    def text(self) -> str:
        """One line a person (or a text model) reads: the caption, else the labels and the objects
        ("Seen: a city street, 2 people, a car.")."""
        if self.caption:
            return self.caption
        words = [label for label, _ in self.labels]
        words += [w for w in ShotObjects(self.objects).words() if w not in words]
        return "Seen: " + ", ".join(words) + "." if words else ""


def model_for(db: sqlite_utils.Database, fingerprint: str, model_id: str | None = None) -> str:
    """The model identity whose vectors describe the video (the one with most frames unless given)."""
    models = store.models_with_frames(db, fingerprint)
    if model_id is not None:
        if model_id not in models:
            raise VisionMissing(f"This video has no frame embeddings of {model_id}; run the evidence pass with "
                                "the vision stage on (core.evidence.EvidenceOptions(vision=True)) first.")
        return model_id
    if not models:
        raise VisionMissing("This video has no frame embeddings yet; run the evidence pass with the vision stage "
                            "on (core.evidence.EvidenceOptions(vision=True)) and an image-text model installed.")
    return models[0]


def shot_vectors(times_s: np.ndarray, mat: np.ndarray, spans: list[tuple[float, float]]) -> np.ndarray:
    """(len(spans), dim) unit mean vectors of the frames inside each span (the nearest frame if none)."""
    out = np.zeros((len(spans), mat.shape[1]), np.float32)
    for k, (a, b) in enumerate(spans):
        inside = (times_s >= a - 1e-6) & (times_s < max(b, a + 1e-3))
        rows = mat[inside] if inside.any() else mat[[int(np.argmin(np.abs(times_s - (a + b) / 2)))]]
        v = rows.mean(axis=0)
        out[k] = v / max(float(np.linalg.norm(v)), 1e-12)
    return out


def _spans(db: sqlite_utils.Database, fingerprint: str, times_s: np.ndarray) -> list[tuple[float, float]]:
    spans = store.shots(db, fingerprint)
    if spans:
        return spans
    ends = np.minimum(np.append(times_s[1:], times_s[-1] + DEFAULT_SPAN_S), times_s + DEFAULT_SPAN_S)
    return [(float(a), float(b)) for a, b in zip(times_s, ends, strict=True)]


def shot_descriptions(db: sqlite_utils.Database, fingerprint: str, *, top_k: int = TOP_K,
                      model_id: str | None = None) -> list[ShotDescription]:
    """Every shot of the video in time order with its labels, objects and caption; ``VisionMissing`` when the
    video has neither frame vectors nor object detections."""
    detector = detector_for(db, fingerprint)
    has_vectors = bool(store.models_with_frames(db, fingerprint))
    if detector is None or has_vectors or model_id is not None:
        shots = _labelled_shots(db, fingerprint, top_k, model_id)
    else:
        times = object_store.read(db, fingerprint, detector).times_s
        shots = [ShotDescription(a, b, ()) for a, b in _spans(db, fingerprint, times)]
    if detector is None:
        return shots
    frames = object_store.read(db, fingerprint, detector)
    objs = shot_objects(frames, [(s.start_s, s.end_s) for s in shots], top_k=top_k)
    return [ShotDescription(s.start_s, s.end_s, s.labels, s.caption, o.objects)
            for s, o in zip(shots, objs, strict=True)]


def _labelled_shots(db: sqlite_utils.Database, fingerprint: str, top_k: int,
                    model_id: str | None) -> list[ShotDescription]:
    """Shots with their image-text labels and captions (``VisionMissing`` without frame vectors)."""
    model_id = model_for(db, fingerprint, model_id)
    times, mat = store.frames(db, fingerprint, model_id)
    labels = stored_prompt_vectors(db, model_id, LABELS)
    generic = stored_prompt_vectors(db, model_id, GENERIC, ensembled=False)
    if labels is None or generic is None:
        raise VisionMissing("The vision stage of this video did not finish (its vocabulary is not stored); run "
                            "the evidence pass again to complete it.")
    scale = logit_scale_of(db, model_id)
    spans = _spans(db, fingerprint, times)
    vecs = shot_vectors(times, mat, spans)  # (shots, dim)
    generic_sims = vecs @ generic.T  # (shots, k)
    label_sims = vecs @ labels.T  # (shots, labels)
    caps = store.captions(db, fingerprint)
    out = []
    for k, (a, b) in enumerate(spans):
        p = p_seen(label_sims[k], np.repeat(generic_sims[k][None, :], len(LABELS), axis=0), scale)  # (labels,)
        order = [int(i) for i in np.argsort(-p)[:top_k] if p[i] >= LABEL_MIN]
        out.append(ShotDescription(a, b, tuple((LABELS[i], round(float(p[i]), 4)) for i in order), caps.get(a)))
    return out


def logit_scale_of(db: sqlite_utils.Database, model_id: str) -> float:
    """The model's logit scale as the vision stage stored it (100, CLIP's, when not stored)."""
    row = store.model_row(db, model_id)
    return float(row["logit_scale"]) if row else 100.0  # type: ignore[arg-type]


@dataclass(frozen=True)
class VisualLine:
    """A "visual" evidence line: what a shot shows, in words."""

    start_s: float
    end_s: float
    text: str


def visual_lines(db: sqlite_utils.Database, fingerprint: str) -> list[VisualLine]:
    """One line per shot that has a caption or labels, merging neighbours that say the same; [] without vectors."""
    try:
        shots = shot_descriptions(db, fingerprint)
    except VisionMissing:
        return []
    out: list[VisualLine] = []
    for s in shots:
        text = s.text()
        if not text:
            continue
        if out and out[-1].text == text and s.start_s - out[-1].end_s < 1.0:
            out[-1] = VisualLine(out[-1].start_s, s.end_s, text)
        else:
            out.append(VisualLine(s.start_s, s.end_s, text))
    return out
