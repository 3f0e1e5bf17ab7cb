"""The vision stage inside the evidence pass's one frame decode: pick frames, embed them in batches, store.

``FrameEmbedder.add(t_s, image)`` sees every decoded sample (4 per second by default) and keeps the frames
``core.vision.selection.FrameSelector`` picks (the first frame of each shot, one every ``every_s`` inside long
shots). Kept frames are embedded ``batch_size`` at a time;
``commit()`` embeds the partial batch and writes every vector so far (inside the caller's transaction, with the
stage's ``done_s``), so a killed pass keeps them and resumes after the last frame it had looked at. ``finish(shots)`` embeds what is left,
stores the shots and makes sure the vocabulary's vectors are there for this model.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sqlite_utils

from core.vision import store
from core.vision.model import ImageTextModel
from core.vision.options import VisionOptions
from core.vision.scoring import generic_vectors, prompt_vectors
from core.vision.selection import THUMB, FrameSelector, thumbnail
from core.vision.vocabulary import AD_PROMPTS, LABELS

__all__ = ["THUMB", "FrameEmbedder", "thumbnail"]


class FrameEmbedder:
    """Selects and embeds frames of one video for one model (see the module docstring)."""

    def __init__(self, db: sqlite_utils.Database, video: str, model: ImageTextModel, options: VisionOptions,
                 resume_after_s: float = 0.0) -> None:
        self.db, self.video, self.model, self.options = db, video, model, options
        self.after_s = resume_after_s if resume_after_s > 0 else -1.0
        with db.atomic():
            store.clear_frames(db, video, model.identity, self.after_s)  # rows past the resume point (none normally)
            store.write_model(db, model.identity, str(model.folder), model.kind, model.dim, model.logit_scale,
                              model.logit_bias)
        self._selector = FrameSelector(options.every_s, options.min_gap_s, options.change)
        if self.after_s > 0:
            self._selector.resume_from(store.last_frame(db, video, model.identity))
        self._batch: list[tuple[float, np.ndarray]] = []
        self._ready_t: list[float] = []
        self._ready_v: list[np.ndarray] = []
        self.embedded = 0

    def wants(self, t_s: float, image: np.ndarray) -> bool:
        """Whether the frame at ``t_s`` is kept (updates the selection state when it is). The caller offers
        only frames after the resume point."""
        return self._selector.wants(t_s, image)

    def add(self, t_s: float, image: np.ndarray) -> bool:
        """Offer one decoded frame; returns whether it was kept. Embeds a batch when one is full."""
        if not self.wants(t_s, image):
            return False
        self._batch.append((t_s, image))
        if len(self._batch) >= self.options.batch_size:
            self._embed()
        return True

    def _embed(self) -> None:
        if not self._batch:
            return
        vecs = self.model.encode_images([im for _, im in self._batch])  # (batch, dim)
        self._ready_t += [t for t, _ in self._batch]
        self._ready_v += list(vecs)
        self._batch = []

    def commit(self) -> None:
        """Embed the partial batch and write every vector so far (call inside ``db.atomic()``, together with
        the stage's ``done_s`` = the last frame offered: everything up to it is then stored or was skipped)."""
        self._embed()
        if self._ready_t:
            store.write_frames(self.db, self.video, self.model.identity, self._ready_t, np.stack(self._ready_v))
            self.embedded += len(self._ready_t)
        self._ready_t, self._ready_v = [], []

    def finish(self, shots: Sequence[tuple[float, float]]) -> None:
        """Store the shots and the vocabulary's vectors for this model (after the last ``commit``)."""
        prompt_vectors(self.db, self.model, LABELS)
        prompt_vectors(self.db, self.model, AD_PROMPTS)
        generic_vectors(self.db, self.model)
        with self.db.atomic():
            store.write_shots(self.db, self.video, shots)
