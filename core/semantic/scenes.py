"""Scene changes from the picture: how unlike the shots after a cut are to the shots before it.

A scene is a run of shots in one place and time; inside it the camera cuts back and forth (shot / reverse shot,
wide / close), so some shot after any cut inside a scene looks like some shot before it. At a scene change none
does. This is the "overlapping links" idea of Hanjalic, Lagendijk & Biemond (1999, "Automated high-level movie
segmentation for advanced video-retrieval systems"), scored instead of thresholded: at each shot start, the
scene-change score is the smallest distance between a shot in the ``window_s`` before and a shot in the
``window_s`` after, divided by the video's typical distance between neighbouring shots. Fades to black are
evidence of their own (``black_starts``; ``segment`` weighs them), not a change of picture.

Shot vectors are the mean of per-frame vectors (colour statistics from the evidence pass, or image embeddings
when the vision stage stored them), each feature group standardised over the video so none dominates. Written
by hand: PySceneDetect finds shots, not scenes, and no maintained library groups shots into scenes from
per-frame features we already have.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MIN_SHOT_FRAMES = 1


@dataclass(frozen=True)
class Shots:
    """Shots of a video with one feature row each: ``vectors`` (n_shots, dim) float32."""

    starts: tuple[float, ...]  # seconds
    ends: tuple[float, ...]  # seconds
    vectors: np.ndarray

    def __post_init__(self) -> None:
        if not len(self.starts) == len(self.ends) == len(self.vectors):
            raise ValueError(f"Shots needs one start, end and vector per shot, got {len(self.starts)}, "
                             f"{len(self.ends)}, {len(self.vectors)}")

    def __len__(self) -> int:
        return len(self.starts)


def standardise(features: np.ndarray, groups: Sequence[slice]) -> np.ndarray:
    """Each column z-scored over the rows, then each group scaled to unit mean squared norm per row:
    (n, dim) -> (n, dim). A group of 12 histogram bins and a group of one brightness value then weigh the same."""
    x = features.astype(np.float64)
    x = (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-6)
    for g in groups:
        width = x[:, g].shape[1]
        if width:
            x[:, g] /= np.sqrt(width)
    return x.astype(np.float32)


def shot_vectors(frame_t: np.ndarray, frame_vecs: np.ndarray, starts: Sequence[float],
                 duration_s: float) -> Shots:
    """Mean frame vector per shot; frame_t (n_frames,) seconds, frame_vecs (n_frames, dim).

    Shots are [start_k, start_{k+1}); one with no sampled frame takes its nearest frame. ``starts`` must begin
    at 0 (it is added when missing).
    """
    edges = sorted({0.0, *(float(s) for s in starts if 0.0 < s < duration_s)})
    ends = [*edges[1:], duration_s]
    vecs = np.zeros((len(edges), frame_vecs.shape[1] if frame_vecs.ndim == 2 else 0), dtype=np.float32)
    for k, (a, b) in enumerate(zip(edges, ends, strict=True)):
        i, j = bisect.bisect_left(frame_t, a), bisect.bisect_left(frame_t, b)
        if j - i >= MIN_SHOT_FRAMES:
            vecs[k] = frame_vecs[i:j].mean(axis=0)
        elif len(frame_t):
            vecs[k] = frame_vecs[int(np.argmin(np.abs(frame_t - (a + b) / 2)))]
    return Shots(tuple(edges), tuple(ends), vecs)


def change_scores(shots: Shots, window_s: float = 30.0) -> np.ndarray:
    """Scene-change score at each shot start, shape (n_shots,); the first shot's score is 0.

    Score = min distance between a shot starting in [t - window_s, t) and one in [t, t + window_s), over the
    median distance of consecutive shots.
    """
    n = len(shots)
    out = np.zeros(n, dtype=np.float32)
    if n < 2:
        return out
    v = shots.vectors.astype(np.float64)
    consecutive = np.linalg.norm(np.diff(v, axis=0), axis=1)
    scale = float(np.median(consecutive)) or float(consecutive.mean()) or 1.0
    starts = np.asarray(shots.starts)
    for k in range(1, n):
        t = starts[k]
        before = [i for i in range(k - 1, -1, -1) if starts[i] >= t - window_s] or [k - 1]
        after = [j for j in range(k, n) if starts[j] < t + window_s]
        d = np.linalg.norm(v[before][:, None, :] - v[after][None, :, :], axis=2)
        out[k] = float(d.min()) / scale
    return out


def black_starts(starts: Sequence[float], black_ends: Sequence[float], tol_s: float = 1.5) -> np.ndarray:
    """(n_shots,) bool: black frames end within ``tol_s`` of the shot's start (a fade to black before it)."""
    out = np.zeros(len(starts), bool)
    s = np.asarray(starts, np.float64)
    for t_black in black_ends if len(s) else ():
        k = int(np.argmin(np.abs(s - t_black)))
        if k > 0 and abs(s[k] - t_black) <= tol_s:
            out[k] = True
    return out
