"""Frame consumers of the one decode pass: colour / motion statistics, PySceneDetect cuts, black-frame runs.

Each sampled frame (RGB, any size) is reduced once to the analysis width; ``FrameAnalyzer.add`` returns its
``FrameStat`` and any shot cut that PySceneDetect confirmed with it. PySceneDetect's ContentDetector is fed frame
by frame from our pass (``process_frame``), so the file is decoded only once for every consumer.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Sequence

import cv2
import numpy as np
from scenedetect.common import FrameTimecode
from scenedetect.detectors import ContentDetector

from core.evidence.types import BlackFrames, FrameStat, Span

HUE_BINS = 12  # 30 degrees each


def resize_to_width(image: np.ndarray, width: int) -> np.ndarray:
    """(H, W, 3) uint8 -> (round(H*width/W), width, 3) uint8 with area averaging; unchanged if already narrower."""
    h, w = image.shape[:2]
    if w <= width:
        return image
    height = max(1, round(h * width / w))
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)


def frame_stat(t_s: float, rgb: np.ndarray, grey_prev: np.ndarray | None) -> tuple[FrameStat, np.ndarray]:
    """Statistics of one (H, W, 3) uint8 RGB frame; returns the stat and the grey image for the next motion."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)  # hue 0..179, sat 0..255
    hue = hsv[..., 0].astype(np.int32) * HUE_BINS // 180
    weights = hsv[..., 1].astype(np.float32) / 255.0
    hist = np.bincount(hue.ravel(), weights=weights.ravel(), minlength=HUE_BINS)[:HUE_BINS]
    hist = (hist / hue.size).astype(np.float32)  # (12,) sums to the mean saturation in 0..1
    coarse = (rgb // 64).astype(np.int32)  # 4 levels per channel
    codes = coarse[..., 0] * 16 + coarse[..., 1] * 4 + coarse[..., 2]
    top = int(np.bincount(codes.ravel(), minlength=64).argmax())
    r, g, b = (top // 16) * 64 + 32, (top // 4 % 4) * 64 + 32, (top % 4) * 64 + 32
    motion = 0.0
    if grey_prev is not None and grey_prev.shape == grey.shape:
        motion = float(cv2.absdiff(grey, grey_prev).mean())
    stat = FrameStat(
        t_s=t_s,
        luma_mean=float(grey.mean()),
        luma_p99=float(np.percentile(grey, 99)),
        sat_mean=float(hsv[..., 1].mean()),
        dominant_rgb=(r << 16) | (g << 8) | b,
        hue_hist=hist,
        motion=motion,
    )
    return stat, grey


class FrameAnalyzer:
    """Statistics and shot cuts for frames arriving in time order at about ``fps`` per second."""

    def __init__(self, fps: float, analysis_width: int, cut_threshold: float) -> None:
        self.fps = fps
        self.width = analysis_width
        # min_scene_len 0.5 s: fast ad cutting must still count; flashes shorter than that are merged.
        self._detector = ContentDetector(threshold=cut_threshold, min_scene_len=max(1, round(0.5 * fps)))
        self._n = 0
        self._times: dict[int, float] = {}
        self._grey: np.ndarray | None = None

    def add(self, t_s: float, rgb: np.ndarray) -> tuple[FrameStat, list[float]]:
        """Analyse one frame; returns its stat and the times of cuts confirmed now (first frame of a new shot)."""
        small = resize_to_width(rgb, self.width)
        stat, self._grey = frame_stat(t_s, small, self._grey)
        timecode = FrameTimecode(self._n, fps=self.fps)
        cuts = self._detector.process_frame(timecode, cv2.cvtColor(small, cv2.COLOR_RGB2BGR))
        score = float(getattr(self._detector, "_frame_score", 0.0) or 0.0)
        stat = FrameStat(stat.t_s, stat.luma_mean, stat.luma_p99, stat.sat_mean, stat.dominant_rgb,
                         stat.hue_hist, stat.motion, score)
        self._times[self._n] = t_s
        self._n += 1
        cut_times = [self._times[c.frame_num] for c in cuts if c.frame_num in self._times and c.frame_num > 0]
        for old in [k for k in self._times if k < self._n - 64]:  # the flash filter looks back a few frames
            del self._times[old]
        return stat, cut_times


def stats_of_frames(frames: Iterable[tuple[float, np.ndarray]], *, fps: float, analysis_width: int = 160,
                    cut_threshold: float = 27.0) -> list[FrameStat]:
    """``FrameStat`` rows (``cut`` set where a shot starts) from (t_s, (H, W, 3) uint8 RGB) pairs in time order, as
    the evidence pass computes them: for callers that decode frames themselves (tests, benchmarks)."""
    analyzer = FrameAnalyzer(float(fps), analysis_width, cut_threshold)
    stats: list[FrameStat] = []
    cut_times: set[float] = set()
    for t_s, rgb in frames:
        stat, cuts = analyzer.add(float(t_s), rgb)
        stats.append(stat)
        cut_times.update(round(c, 6) for c in cuts)
    return [dataclasses.replace(s, cut=round(s.t_s, 6) in cut_times) for s in stats]


def black_runs(stats: Iterable[FrameStat], black_luma: float, black_luma_p99: float,
               sample_s: float) -> list[BlackFrames]:
    """Runs of consecutive black samples; each run spans from its first sample to one interval after its last."""
    runs: list[BlackFrames] = []
    current: list[FrameStat] = []

    def close() -> None:
        if current:
            luma = float(np.mean([s.luma_mean for s in current]))
            runs.append(BlackFrames(current[0].t_s, current[-1].t_s + sample_s, luma))
            current.clear()

    for s in stats:
        is_black = s.luma_mean < black_luma and s.luma_p99 < black_luma_p99
        if is_black and current and s.t_s - current[-1].t_s > 2.5 * sample_s:
            close()
        if is_black:
            current.append(s)
        else:
            close()
    close()
    return runs


def shots_from_cuts(cuts: Sequence[float], duration_s: float) -> list[Span]:
    """Shots between consecutive cuts: [0, c1), [c1, c2), ..., [cn, duration)."""
    edges = [0.0, *sorted(c for c in cuts if 0.0 < c < duration_s), duration_s]
    return [Span(a, b) for a, b in itertools.pairwise(edges) if b > a]
