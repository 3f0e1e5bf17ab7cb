"""Visual queries ("a red screen", "fade to black", "a flash", "a still title card", "fast cutting") matched
against per-frame colour and motion statistics.

``parse_visual`` finds the signals a description names; ``visual_moments`` scores every sampled frame for each
signal (0..1), keeps runs of frames above a threshold and returns one moment per run whose ``why`` names the
signal and its numbers. The statistics are the evidence pass's ``core.evidence.FrameStat`` (a caller that decodes
frames itself makes them with ``core.evidence.stats_of_frames``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.evidence import FrameStat
from core.results import Moment
from core.spans import runs_above

# Hue in degrees of the colour names people use.
COLOURS = {"red": 0.0, "orange": 30.0, "yellow": 58.0, "green": 120.0, "cyan": 180.0, "blue": 225.0,
           "purple": 275.0, "violet": 275.0, "magenta": 300.0, "pink": 330.0}
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("fade", r"\bfades?\b|\bfading\b|fade (?:to|out|in)"),
    ("black", r"\bblack (?:screen|frame|frames)\b|\bscreen goes black\b|\bblackout\b|\bgoes black\b"),
    ("white", r"\bwhite (?:screen|frame|frames)\b"),
    ("flash", r"\bflash(?:es|ing)?\b|\bstrobe\b"),
    ("still", r"\bstill\b|\bstatic\b|\btitle card\b|\bfrozen\b|\bfreeze frame\b|\bno motion\b"),
    ("fast_cutting", r"\bfast cut(?:s|ting)?\b|\brapid cut(?:s|ting)?\b|\bquick cuts?\b|\bmontage\b|\bmany cuts\b"),
    ("dark", r"\bdark\b|\bdim\b|\bnight\b"),
    ("bright", r"\bbright\b|\bbrightly\b"),
)
SIGNAL_NAMES = {"fade": "fade to black", "black": "black frames", "white": "white frames", "flash": "a flash",
                "still": "a still picture", "fast_cutting": "fast cutting", "dark": "dark frames",
                "bright": "bright frames"}
THRESHOLD = 0.5
MIN_LEN_S = {"still": 1.0, "fast_cutting": 2.0}  # shorter runs of these are not what people mean


@dataclass(frozen=True)
class VisualQuery:
    signals: tuple[str, ...]  # names in SIGNAL_NAMES or "colour:<name>"

    def __bool__(self) -> bool:
        return bool(self.signals)


def parse_visual(description: str) -> VisualQuery:
    text = description.lower()
    signals = [name for name, pat in _PATTERNS if re.search(pat, text)]
    if "fade" in signals and "black" in signals:
        signals.remove("black")
    signals += [f"colour:{c}" for c in COLOURS if re.search(rf"\b{c}\b", text)]
    return VisualQuery(tuple(signals))


def _colour_series(stats: Sequence[FrameStat], hue_deg: float) -> np.ndarray:
    """How much of each frame is the named hue, saturated and not dark: (n_frames,) in 0..1.

    From the frame's saturation-weighted hue histogram (12 bins of 30 degrees): the mass within 40 degrees of
    the hue, a whole saturated screen of it giving about 0.5 and more.
    """
    hist = np.stack([np.asarray(f.hue_hist, dtype=np.float64) for f in stats])  # (n, 12)
    centres = 15.0 + 30.0 * np.arange(hist.shape[1])  # (12,) degrees
    dist = np.minimum(np.abs(centres - hue_deg), 360 - np.abs(centres - hue_deg))
    mass = hist @ np.clip(1 - dist / 40.0, 0, 1)  # (n,)
    luma = np.array([f.luma for f in stats])
    return np.clip(mass / 0.4, 0, 1) * np.clip(luma / 0.2, 0, 1)


def _window_max(x: np.ndarray, k: int) -> np.ndarray:
    """Max of x[i-k+1 .. i] for every i (shorter at the start), shape of x."""
    padded = np.concatenate([np.full(k - 1, -np.inf), x])
    return np.lib.stride_tricks.sliding_window_view(padded, k).max(axis=1)


def _series(signal: str, stats: Sequence[FrameStat]) -> np.ndarray:
    """Per-frame score in 0..1 for one signal, shape (n_frames,)."""
    luma = np.array([f.luma for f in stats])
    motion = np.array([f.movement for f in stats])
    if signal.startswith("colour:"):
        return _colour_series(stats, COLOURS[signal.split(":", 1)[1]])
    if signal in ("black", "fade"):
        black = np.clip((0.12 - luma) / 0.08, 0, 1)
        if signal == "black":
            return black
        # a fade: black now, and luma falling over the previous few frames (not a hard cut to black)
        before = _window_max(np.concatenate([[0.0], luma[:-1]]), 4)
        return black * np.clip((before - luma) / 0.2, 0, 1)
    if signal == "white":
        return np.clip((luma - 0.8) / 0.12, 0, 1)
    if signal == "bright":
        return np.clip((luma - 0.55) / 0.25, 0, 1)
    if signal == "dark":
        return np.clip((0.35 - luma) / 0.2, 0, 1)
    if signal == "flash":
        padded = np.pad(luma, 5, mode="edge")
        base = np.median(np.lib.stride_tricks.sliding_window_view(padded, 11), axis=1)  # (n_frames,)
        return np.clip((luma - base - 0.25) / 0.3, 0, 1)
    if signal == "still":
        still = np.clip((0.01 - motion) / 0.008, 0, 1) * (luma > 0.04)  # a black screen is not a title card
        still[:1] = 0.0  # the first frame has no previous one to compare with
        return still
    if signal == "fast_cutting":
        t = np.array([f.t_s for f in stats])
        cut_t = t[np.array([f.cut for f in stats], dtype=bool)]
        rate = (np.searchsorted(cut_t, t + 5, side="right") - np.searchsorted(cut_t, t - 5)) / 10.0  # cuts/s
        return np.clip((rate - 0.3) / 0.5, 0, 1)
    raise ValueError(f"unknown visual signal {signal!r}")


def visual_moments(query: VisualQuery, stats: Sequence[FrameStat], *, min_len_s: float = 0.0) -> list[Moment]:
    """One moment per run of frames scoring >= THRESHOLD for each signal, best first."""
    if not query or not stats:
        return []
    times = np.array([f.t_s for f in stats])
    step = float(np.median(np.diff(times))) if len(times) > 1 else 1.0
    out: list[Moment] = []
    for signal in query.signals:
        score = _series(signal, stats)
        for i, j in runs_above(score, THRESHOLD):
            start, end = float(times[i]), float(times[j]) + step
            if end - start >= max(min_len_s, MIN_LEN_S.get(signal, 0.0)):
                out.append(_moment(signal, stats[i:j + 1], float(score[i:j + 1].mean()), start, end))
    return sorted(out, key=lambda m: -m.score)


def _moment(signal: str, run: Sequence[FrameStat], score: float, start: float, end: float) -> Moment:
    name = f"{signal.split(':')[1]} frames" if signal.startswith("colour:") else SIGNAL_NAMES[signal]
    r, g, b = (float(np.mean([f.rgb[i] for f in run])) for i in range(3))
    luma = float(np.mean([f.luma for f in run]))
    why = f"{name}: main colour r={r:.2f} g={g:.2f} b={b:.2f}, brightness {luma:.2f} over {end - start:.1f} s"
    return Moment(start, end, min(1.0, max(0.0, score)), "visual", (why,))
