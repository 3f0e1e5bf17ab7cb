"""Per-second profile of a video for ad detection: colour, brightness, loudness and cut rate, with range means.

``Profile.distance(a, b)`` compares two time ranges; each term is scaled so that about 1 means "clearly a
different kind of picture or sound": hue histograms by half their L1 distance over 0.3, brightness by 48 of 255,
saturation by 64 of 255, loudness by 9 dB. ``novelty(t)`` is the distance between the ``w`` seconds before and
after ``t``; its peaks are the change points where an advert inserted without black frames starts and ends.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.evidence.frames import HUE_BINS
from core.evidence.types import FrameStat, Level


@dataclass(frozen=True, eq=False)
class Profile:
    """Per-second means (index i covers [i, i+1) s) and prefix sums for O(1) range means."""

    duration_s: float
    cum_hist: np.ndarray  # (n+1, 12) prefix sums of the per-second hue histogram
    cum_luma: np.ndarray  # (n+1,) prefix sums of mean luma (0..255)
    cum_sat: np.ndarray  # (n+1,) prefix sums of mean saturation (0..255)
    cum_vis: np.ndarray  # (n+1,) prefix count of seconds with a frame
    cum_db: np.ndarray  # (n+1,) prefix sums of loudness (dBFS, floored at -70)
    cum_aud: np.ndarray  # (n+1,) prefix count of seconds with audio levels
    cuts: np.ndarray  # (n_cuts,) sorted cut times

    @classmethod
    def build(cls, duration_s: float, stats: Sequence[FrameStat], levels: Sequence[Level],
              cuts: Sequence[float]) -> Profile:
        n = max(1, math.ceil(duration_s))
        hist = np.zeros((n, HUE_BINS))
        luma, sat, vis, db, aud = (np.zeros(n) for _ in range(5))
        for s in stats:
            i = min(n - 1, max(0, int(s.t_s)))
            hist[i] += s.hue_hist
            luma[i] += s.luma_mean
            sat[i] += s.sat_mean
            vis[i] += 1
        for lv in levels:
            i = min(n - 1, max(0, int(lv.t_s)))
            db[i] += max(-70.0, lv.rms_db)
            aud[i] += 1
        has_v, has_a = vis > 0, aud > 0
        hist[has_v] /= vis[has_v, None]
        luma[has_v] /= vis[has_v]
        sat[has_v] /= vis[has_v]
        db[has_a] /= aud[has_a]

        def cum(x: np.ndarray) -> np.ndarray:
            return np.concatenate([np.zeros((1, *x.shape[1:])), np.cumsum(x, axis=0)])

        return cls(duration_s, cum(hist), cum(luma), cum(sat), cum(has_v.astype(float)), cum(db),
                   cum(has_a.astype(float)), np.sort(np.asarray(cuts, float)))

    @property
    def n(self) -> int:
        return len(self.cum_luma) - 1

    def _range(self, a: float, b: float) -> tuple[int, int]:
        return max(0, min(self.n, round(a))), max(0, min(self.n, round(b)))

    def mean(self, a: float, b: float) -> dict[str, float | np.ndarray] | None:
        """Means over [a, b) seconds, or None when no frame falls in it."""
        i, j = self._range(a, b)
        nv = self.cum_vis[j] - self.cum_vis[i]
        if j <= i or nv <= 0:
            return None
        na = self.cum_aud[j] - self.cum_aud[i]
        return {
            "hist": (self.cum_hist[j] - self.cum_hist[i]) / nv,
            "luma": float(self.cum_luma[j] - self.cum_luma[i]) / nv,
            "sat": float(self.cum_sat[j] - self.cum_sat[i]) / nv,
            "db": float(self.cum_db[j] - self.cum_db[i]) / na if na > 0 else math.nan,
        }

    def distance(self, a: tuple[float, float], b: tuple[float, float]) -> float:
        ma, mb = self.mean(*a), self.mean(*b)
        if ma is None or mb is None:
            return 0.0
        d_hist = 0.5 * float(np.abs(np.asarray(ma["hist"]) - np.asarray(mb["hist"])).sum()) / 0.3
        d_luma = abs(float(ma["luma"]) - float(mb["luma"])) / 48.0
        d_sat = abs(float(ma["sat"]) - float(mb["sat"])) / 64.0
        d_db = 0.0
        if not (math.isnan(float(ma["db"])) or math.isnan(float(mb["db"]))):
            d_db = abs(float(ma["db"]) - float(mb["db"])) / 9.0
        return math.sqrt(d_hist**2 + d_luma**2 + d_sat**2 + d_db**2)

    def loudness(self, a: float, b: float) -> float:
        m = self.mean(a, b)
        return math.nan if m is None else float(m["db"])

    def cut_rate(self, a: float, b: float) -> float:
        """Cuts per minute in [a, b)."""
        if b <= a:
            return 0.0
        k = int(np.searchsorted(self.cuts, b) - np.searchsorted(self.cuts, a))
        return 60.0 * k / (b - a)

    def novelty(self, w: float = 4.0) -> np.ndarray:
        """(n,) distance between [t-w, t) and [t, t+w) for each whole second t (0 near the ends)."""
        out = np.zeros(self.n)
        for t in range(int(w), self.n - int(w) + 1):
            out[min(t, self.n - 1)] = self.distance((t - w, t), (t, t + w))
        return out


def change_points(novelty: np.ndarray, min_novelty: float = 0.8, min_gap_s: int = 3) -> list[int]:
    """Whole seconds where the novelty curve has a local maximum (over +-``min_gap_s``) above ``min_novelty``."""
    picked: list[int] = []
    for t in np.argsort(-novelty):
        lo, hi = max(0, t - min_gap_s), min(len(novelty), t + min_gap_s + 1)
        if novelty[t] < min_novelty:
            break
        if novelty[t] >= novelty[lo:hi].max() and all(abs(int(t) - p) >= min_gap_s for p in picked):
            picked.append(int(t))
    return sorted(picked)
