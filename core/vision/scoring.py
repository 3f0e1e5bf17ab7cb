"""Scores of frames for a text, calibrated so 0..1 means the same on a dark film and on a bright cartoon.

For frame i with vector f_i, the description's ensemble vector q and the generic captions g_1..g_k (``GENERIC``):

- ``p_seen`` = softmax over (tau f_i.q, tau f_i.g_1, ..., tau f_i.g_k), the query's share: the probability that
  the description fits the frame better than "a photo." / "a cartoon." / ... do. tau is the model's own
  logit scale (CLIP 100), so this is the model's zero-shot probability against captions that fit anything;
  it is absolute (a frame that merely looks like a photo gets little).
- ``z`` = (f_i.q - median_j f_j.q) / (1.4826 MAD_j): how unusual the frame is for this query within this video,
  so a film whose every frame is dim and blue does not rank every frame alike.
- score = sqrt(p_seen * sigmoid((z - Z0) / Z_SCALE)): both must hold. Z0 and Z_SCALE are the constants fitted
  on the training recordings of benchmarks/find_quality.py (``Calibration``); a frame 2.5 robust deviations
  above its video's median reads 0.5 of the relative part.

Vectors of the vocabulary and of the generic captions are stored once per model in ``vision_prompts``, so
shot descriptions need no model at read time.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import sqlite_utils

from core.vision import store
from core.vision.model import ImageTextModel
from core.vision.vocabulary import GENERIC, ensemble, key


@dataclass(frozen=True)
class Calibration:
    """Constants of the score (see the module docstring)."""

    z0: float = 2.5  # robust deviations above the video's median at which the relative part is 0.5
    z_scale: float = 0.75
    min_score: float = 0.2  # frames below this are not a moment

    def __post_init__(self) -> None:
        if not (self.z_scale > 0 and math.isfinite(self.z0) and 0 <= self.min_score < 1):
            raise ValueError(f"Calibration needs z_scale > 0, finite z0 and min_score in 0..1, got {self}")


DEFAULT_CALIBRATION = Calibration()


_QUESTION = re.compile(
    r"^\s*(?:when|where|at what (?:time|point)|in which (?:scene|part)|show me|find|is there|are there|"
    r"does|do|did|is|are)\b\s*(?:does|do|did|is|are|we see|you see|i see)?\s*", re.I)
_TAIL = re.compile(r"\s*\b(?:appears?|show up|shows up|happens?|is shown|are shown|is seen|are seen|"
                   r"come on|comes on|on screen|in the (?:film|video|movie))\b\s*$", re.I)


def clean_description(text: str) -> str:
    """What to show the model of a question: "When does the dog appear?" -> "the dog"; a description as is."""
    t = " ".join(text.strip().rstrip("?!.").split())
    stripped = _TAIL.sub("", _QUESTION.sub("", t)).strip(" ,")
    return stripped or t


def embed_ensemble(model: ImageTextModel, texts: Sequence[str]) -> np.ndarray:
    """(len(texts), dim) unit vectors, each the re-normalised mean of its prompt ensemble."""
    groups = [ensemble(t) for t in texts]
    flat = model.encode_texts([p for g in groups for p in g])  # (sum of ensemble sizes, dim)
    out, i = [], 0
    for g in groups:
        v = flat[i:i + len(g)].mean(axis=0)
        out.append(v / max(float(np.linalg.norm(v)), 1e-12))
        i += len(g)
    return np.asarray(out, np.float32).reshape(len(texts), model.dim)


def _key(label: str, ensembled: bool) -> str:
    return key(label) if ensembled else f"raw:{label}"


def prompt_vectors(db: sqlite_utils.Database, model: ImageTextModel, labels: Sequence[str], *,
                   ensembled: bool = True) -> np.ndarray:
    """(len(labels), dim) vectors of ``labels`` (prompt ensembles, or each text as it is), embedded once per
    model and kept in the database."""
    keys = [_key(lb, ensembled) for lb in labels]
    have = store.prompts(db, model.identity, keys)
    missing = [lb for lb, k in zip(labels, keys, strict=True) if k not in have]
    if missing:
        vecs = embed_ensemble(model, missing) if ensembled else model.encode_texts(missing)
        with db.atomic():
            store.write_prompts(db, model.identity, [_key(lb, ensembled) for lb in missing], vecs)
        have.update({_key(lb, ensembled): v for lb, v in zip(missing, vecs, strict=True)})
    return np.stack([have[k] for k in keys]).astype(np.float32)


def stored_prompt_vectors(db: sqlite_utils.Database, model_id: str, labels: Sequence[str], *,
                          ensembled: bool = True) -> np.ndarray | None:
    """Like ``prompt_vectors`` without a model: None unless every label is stored for ``model_id``."""
    keys = [_key(lb, ensembled) for lb in labels]
    have = store.prompts(db, model_id, keys)
    return np.stack([have[k] for k in keys]).astype(np.float32) if len(have) == len(keys) else None


@lru_cache(maxsize=256)
def _query_vector(model: ImageTextModel, description: str) -> np.ndarray:
    return embed_ensemble(model, [description])[0]


def query_vector(model: ImageTextModel, description: str) -> np.ndarray:
    """The (dim,) ensemble vector of a cleaned description (cached per model and text)."""
    return _query_vector(model, clean_description(description))


def p_seen(sims: np.ndarray, generic_sims: np.ndarray, logit_scale: float) -> np.ndarray:
    """The query's softmax share against the generic captions: sims (n,), generic_sims (n, k) -> (n,) in 0..1."""
    diff = logit_scale * (generic_sims - sims[:, None])  # (n, k)
    return 1.0 / (1.0 + np.exp(np.clip(diff, -60, 60)).sum(axis=1))


def robust_z(sims: np.ndarray) -> np.ndarray:
    """(sims - median) / (1.4826 MAD), with a floor on the spread so a flat video gives small z, shape of sims."""
    med = float(np.median(sims)) if sims.size else 0.0
    mad = float(np.median(np.abs(sims - med))) if sims.size else 0.0
    return (sims - med) / max(1.4826 * mad, 0.005)


def frame_scores(frames: np.ndarray, query: np.ndarray, generic: np.ndarray, logit_scale: float,
                 calibration: Calibration = DEFAULT_CALIBRATION) -> np.ndarray:
    """Calibrated 0..1 score of every frame: frames (n, dim), query (dim,), generic (k, dim) -> (n,)."""
    if frames.shape[0] == 0:
        return np.zeros(0)
    sims = frames @ query  # (n,)
    seen = p_seen(sims, frames @ generic.T, logit_scale)  # (n,)
    rel = 1.0 / (1.0 + np.exp(-(robust_z(sims) - calibration.z0) / calibration.z_scale))
    return np.sqrt(seen * rel)


def generic_vectors(db: sqlite_utils.Database, model: ImageTextModel) -> np.ndarray:
    """(len(GENERIC), dim) vectors of the generic captions (each one embedded as it is, no ensemble)."""
    return prompt_vectors(db, model, GENERIC, ensembled=False)
