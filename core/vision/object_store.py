"""The object tables (migration m007_object_detections): frames the detector looked at, and its detections.

``read`` gives a video's detections as numpy arrays (``ObjectFrames``), kept per connection and re-read only
when the video's rows change, so a query over a 2-hour film does not re-read a few thousand rows each time.
Writers run inside the caller's ``db.atomic()`` block.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sqlite_utils

from core.vision.coco import CLASSES
from core.vision.detector import Detection

_INDEX = {c: i for i, c in enumerate(CLASSES)}


@dataclass(frozen=True)
class ObjectFrames:
    """A video's detections: ``times_s`` (n,) frames looked at, in order; per detection (m,) the frame's
    index into ``times_s``, the class index into ``coco.CLASSES``, the raw score and the box (m, 4) x0 y0 x1 y1
    as fractions of the frame."""

    times_s: np.ndarray
    frame: np.ndarray
    cls: np.ndarray
    score: np.ndarray
    box: np.ndarray

    def per_frame(self, class_index: int) -> list[np.ndarray]:
        """For every frame, the raw scores of class ``class_index`` in it, best first (n arrays)."""
        sel = self.cls == class_index
        order = np.lexsort((-self.score[sel], self.frame[sel]))
        frames, scores = self.frame[sel][order], self.score[sel][order]
        cuts = np.searchsorted(frames, np.arange(len(self.times_s) + 1))
        return [scores[cuts[i]:cuts[i + 1]] for i in range(len(self.times_s))]


EMPTY = ObjectFrames(np.zeros(0), np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32),
                     np.zeros((0, 4), np.float32))


def write_frames(db: sqlite_utils.Database, video: str, model: str,
                 frames: Sequence[tuple[float, Sequence[Detection]]]) -> None:
    """Store frames looked at and what was found in each."""
    db.conn.executemany("INSERT OR REPLACE INTO vision_object_frames (video, model, t_s) VALUES (?, ?, ?)",
                        [(video, model, float(t)) for t, _ in frames])
    db.conn.executemany(
        "INSERT INTO vision_objects (video, model, t_s, label, score, x0, y0, x1, y1) VALUES (?,?,?,?,?,?,?,?,?)",
        [(video, model, float(t), d.label, d.score, d.x0, d.y0, d.x1, d.y1) for t, ds in frames for d in ds])


def clear(db: sqlite_utils.Database, video: str, model: str, after_s: float = -1.0) -> None:
    """Drop the video's rows of detector ``model`` later than ``after_s`` (all of them by default)."""
    for table in ("vision_object_frames", "vision_objects"):
        db.execute(f"DELETE FROM {table} WHERE video = ? AND model = ? AND t_s > ?", [video, model, after_s])


def models_with_objects(db: sqlite_utils.Database, video: str) -> list[str]:
    """Detector identities that looked at the video's frames, most frames first."""
    return [str(r[0]) for r in db.execute(
        "SELECT model, count(*) AS n FROM vision_object_frames WHERE video = ? GROUP BY model ORDER BY n DESC",
        [video])]


def last_frame(db: sqlite_utils.Database, video: str, model: str) -> float | None:
    """Time of the last frame detector ``model`` looked at in the video, or None."""
    t = db.execute("SELECT max(t_s) FROM vision_object_frames WHERE video = ? AND model = ?",
                   [video, model]).fetchone()[0]
    return None if t is None else float(t)


def count_frames(db: sqlite_utils.Database, video: str) -> int:
    return int(db.execute("SELECT count(*) FROM vision_object_frames WHERE video = ?", [video]).fetchone()[0])


_CACHE: dict[tuple[int, str, str], tuple[tuple[int, int, float], ObjectFrames]] = {}
_CACHE_VIDEOS = 8


def read(db: sqlite_utils.Database, video: str, model: str) -> ObjectFrames:
    """The video's frames and detections of detector ``model`` (``EMPTY`` when none)."""
    n, last = db.execute("SELECT count(*), max(t_s) FROM vision_object_frames WHERE video = ? AND model = ?",
                         [video, model]).fetchone()
    if not n:
        return EMPTY
    m = int(db.execute("SELECT count(*) FROM vision_objects WHERE video = ? AND model = ?",
                       [video, model]).fetchone()[0])
    key, version = (id(db.conn), video, model), (int(n), m, float(last))
    hit = _CACHE.get(key)
    if hit is not None and hit[0] == version:
        return hit[1]
    times = np.array([r[0] for r in db.execute(
        "SELECT t_s FROM vision_object_frames WHERE video = ? AND model = ? ORDER BY t_s", [video, model])])
    rows = db.execute("SELECT t_s, label, score, x0, y0, x1, y1 FROM vision_objects WHERE video = ? AND model = ?",
                      [video, model]).fetchall()
    t = np.array([r[0] for r in rows], np.float64)
    frame = np.clip(np.searchsorted(times, t - 1e-9), 0, max(len(times) - 1, 0)).astype(np.int64)
    out = ObjectFrames(times, frame, np.array([_INDEX[r[1]] for r in rows], np.int64),
                       np.array([r[2] for r in rows], np.float32),
                       np.array([r[3:7] for r in rows], np.float32).reshape(len(rows), 4))
    if len(_CACHE) >= _CACHE_VIDEOS:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = (version, out)
    return out
