"""Visual features for the advert detector: how unlike the programme a span looks, and how much it looks like
a product shot, a pack shot, a logo or a text card.

``visual_novelty`` is the cosine distance (1 - cos, 0..2; in practice 0..0.6) between a span's mean frame vector
and the programme's centroid, the mean of all the video's frame vectors: adverts are a minority of a recording,
so the centroid is the programme's look, and an advert's frames sit far from it. ``ad_cues`` adds, per span, the
best ``p_seen`` (core.vision.scoring) over the span's frames of each cue group in ``vocabulary.AD_CUES``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sqlite_utils

from core.vision import store
from core.vision.scoring import p_seen, stored_prompt_vectors
from core.vision.shots import VisionMissing, logit_scale_of, model_for, shot_vectors
from core.vision.vocabulary import AD_CUES, GENERIC


@dataclass(frozen=True)
class AdCues:
    """Visual features of one span (all 0..1 except ``novelty``, a cosine distance 0..2)."""

    novelty: float
    product: float
    pack_shot: float
    logo: float
    text_card: float


def _check_spans(spans: Sequence[tuple[float, float]]) -> None:
    for a, b in spans:
        if not (0 <= a <= b):
            raise ValueError(f"spans are (start_s, end_s) with 0 <= start_s <= end_s, got {(a, b)}")


def visual_novelty(db: sqlite_utils.Database, fingerprint: str, spans: Sequence[tuple[float, float]], *,
                   model_id: str | None = None) -> list[float]:
    """1 - cos(span's mean frame vector, programme centroid) for each (start_s, end_s) span.

    A span with no embedded frame inside takes the frame nearest its middle. ``VisionMissing`` when the video
    has no frame vectors.
    """
    _check_spans(spans)
    model_id = model_for(db, fingerprint, model_id)
    times, mat = store.frames(db, fingerprint, model_id)
    centroid = mat.mean(axis=0)
    centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
    vecs = shot_vectors(times, mat, list(spans))  # (spans, dim)
    return [float(1.0 - v @ centroid) for v in vecs]


def ad_cues(db: sqlite_utils.Database, fingerprint: str, spans: Sequence[tuple[float, float]], *,
            model_id: str | None = None) -> list[AdCues]:
    """``AdCues`` for each span (see the module docstring)."""
    _check_spans(spans)
    model_id = model_for(db, fingerprint, model_id)
    times, mat = store.frames(db, fingerprint, model_id)
    generic = stored_prompt_vectors(db, model_id, GENERIC, ensembled=False)
    groups = {name: stored_prompt_vectors(db, model_id, prompts) for name, prompts in AD_CUES.items()}
    if generic is None or any(v is None for v in groups.values()):
        raise VisionMissing("The vision stage of this video did not finish (its vocabulary is not stored); run "
                            "the evidence pass again to complete it.")
    scale = logit_scale_of(db, model_id)
    novelty = visual_novelty(db, fingerprint, spans, model_id=model_id)
    out = []
    for (a, b), nov in zip(spans, novelty, strict=True):
        inside = (times >= a - 1e-6) & (times < max(b, a + 1e-3))
        rows = mat[inside] if inside.any() else mat[[int(np.argmin(np.abs(times - (a + b) / 2)))]]
        gs = rows @ generic.T  # (frames, k)
        best = {}
        for name, vecs in groups.items():
            sims = rows @ vecs.T  # type: ignore[union-attr]  # (frames, prompts)
            best[name] = max(float(p_seen(sims[:, j], gs, scale).max()) for j in range(sims.shape[1]))
        out.append(AdCues(nov, best["product"], best["pack_shot"], best["logo"], best["text_card"]))
    return out
