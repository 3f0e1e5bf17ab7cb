"""The object stage inside the evidence pass's one frame decode: pick frames, detect COCO objects, store.

``ObjectStage.add(t_s, image)`` sees every decoded sample and keeps the frames ``FrameSelector`` picks (the
same rule, and so the same frames, as the image-text stage: the first frame of each shot, one every
``every_s`` inside long shots); each kept frame is run through the detector at once (one frame per call: the
model's input is one 416x416 picture). ``commit()`` writes the frames and detections so far (inside the
caller's transaction, with the stage's ``done_s``), so a killed pass keeps them and resumes after the last frame
it had looked at. ``finish(shots)`` stores the shots (shot descriptions group detections by them).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sqlite_utils

from core.vision import object_store, store
from core.vision.detector import Detection, ObjectDetector
from core.vision.options import ObjectOptions
from core.vision.selection import FrameSelector


class ObjectStage:
    """Selects frames of one video and stores what the detector finds in them (see the module docstring)."""

    def __init__(self, db: sqlite_utils.Database, video: str, detector: ObjectDetector, options: ObjectOptions,
                 resume_after_s: float = 0.0) -> None:
        self.db, self.video, self.detector, self.options = db, video, detector, options
        self.after_s = resume_after_s if resume_after_s > 0 else -1.0
        with db.atomic():
            object_store.clear(db, video, detector.identity, self.after_s)  # rows past the resume point
        self._selector = FrameSelector(options.every_s, options.min_gap_s, options.change)
        if self.after_s > 0:
            self._selector.resume_from(object_store.last_frame(db, video, detector.identity))
        self._ready: list[tuple[float, list[Detection]]] = []
        self.frames = 0  # frames looked at and stored by this stage object

    def add(self, t_s: float, image: np.ndarray) -> bool:
        """Offer one decoded frame (after the resume point); returns whether it was looked at."""
        if not self._selector.wants(t_s, image):
            return False
        self._ready.append((t_s, self.detector.detect(image, self.options.min_score)))
        return True

    def commit(self) -> None:
        """Write every frame looked at so far (call inside ``db.atomic()``, with the stage's ``done_s``)."""
        if self._ready:
            object_store.write_frames(self.db, self.video, self.detector.identity, self._ready)
            self.frames += len(self._ready)
        self._ready = []

    def finish(self, shots: Sequence[tuple[float, float]]) -> None:
        """Store the shots (after the last ``commit``)."""
        with self.db.atomic():
            store.write_shots(self.db, self.video, shots)
