"""Sampling policies and the planner that turns one into target times (seconds).

Both policies cut the sampled range into equal slots and target the middle of each slot, so the plan never asks
for the very first frame (often black) or a time past the last frame, and a sample stands for its whole slot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from core.errors import UsageError
from core.media.types import VideoInfo


@dataclass(frozen=True)
class Uniform:
    """``n`` frames spread evenly over the video (or over ``start_s..end_s``)."""

    n: int

    def __post_init__(self) -> None:
        if not isinstance(self.n, int) or self.n < 1:
            raise UsageError(f"Uniform(n={self.n!r}): the frame count must be a whole number of at least 1.")


@dataclass(frozen=True)
class PerSecond:
    """``fps`` frames per second of video, at most ``max_frames`` (then spread uniformly instead)."""

    fps: float
    max_frames: int = 2048

    def __post_init__(self) -> None:
        if not (isinstance(self.fps, int | float) and math.isfinite(self.fps) and self.fps > 0):
            raise UsageError(f"PerSecond(fps={self.fps!r}): give a positive number of frames per second, e.g. 1 or 0.5.")
        if not isinstance(self.max_frames, int) or self.max_frames < 1:
            raise UsageError(f"PerSecond(max_frames={self.max_frames!r}): the cap must be a whole number of at least 1.")


SamplingPolicy = Uniform | PerSecond


def plan_times(
    policy: SamplingPolicy, info: VideoInfo, *, start_s: float | None = None, end_s: float | None = None
) -> tuple[float, ...]:
    """Target times in seconds (player time, 0 = first frame), ascending.

    The range ``[a, b)`` is ``[start_s or 0, end_s or duration)`` clipped to the video. ``Uniform(n)`` cuts it into
    ``n`` slots of ``(b - a) / n`` s; ``PerSecond(f, cap)`` into ``floor((b - a) * f)`` slots of ``1 / f`` s, or into
    ``cap`` equal slots when that is more than ``cap`` (one slot when the range is shorter than ``1 / f``). Each
    target is its slot's middle.

    Worked example: a 10.0 s video at 25 fps.
      - ``Uniform(4)``: slots of 2.5 s -> targets 1.25, 3.75, 6.25, 8.75 s; the frames shown then are frame
        ``floor(1.25 * 25) = 31`` (pts 1.24 s), 93 (3.72 s), 156 (6.24 s) and 218 (8.72 s).
      - ``PerSecond(2)``: 20 slots of 0.5 s -> 0.25, 0.75, ..., 9.75 s (frames 6, 18, ..., 243).
      - ``PerSecond(2, max_frames=8)``: 20 > 8, so 8 slots of 1.25 s -> 0.625, 1.875, ..., 9.375 s.
      - ``Uniform(2)`` with ``start_s=4, end_s=6``: slots of 1 s -> 4.5 and 5.5 s.
      - ``PerSecond(0.1)`` (one frame per 10 s) on a 2.0 s clip: shorter than a slot -> one target, 1.0 s.
    """
    duration = info.duration_s
    a = 0.0 if start_s is None else min(max(0.0, start_s), duration)
    b = duration if end_s is None else min(max(a, end_s), duration)
    if start_s is not None and end_s is not None and end_s <= start_s:
        raise UsageError(f"The time range {start_s:g}..{end_s:g} s is empty; give an end after the start.")
    span = b - a
    if span <= 0:
        return ()
    if isinstance(policy, Uniform):
        n = policy.n
    else:
        n_fit = math.floor(span * policy.fps + 1e-9)  # whole 1/fps slots in the range
        if 1 <= n_fit <= policy.max_frames:
            return tuple(a + (i + 0.5) / policy.fps for i in range(n_fit))
        n = policy.max_frames if n_fit > policy.max_frames else 1  # capped, or a range shorter than one slot
    slot = span / n
    return tuple(a + (i + 0.5) * slot for i in range(n))
