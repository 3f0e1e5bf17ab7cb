"""What is known about a stretch of video when nobody speaks: plain words from what was measured, never guessed.

``describe_span`` turns the frame features of a span (brightness, colour, motion), its cut rate, whether speech
was listened for and found, and any visual labels (from the vision stage) into a short phrase such as "bright,
green scenes, quick cuts, no speech" or "a forest, a rabbit; no speech". The words map to measured thresholds:

- brightness: median luma below 0.2 "dark", below 0.35 "dim", above 0.6 "bright";
- colour: the 30° hue bins of the saturation-weighted histogram; the two strongest hues are named when they
  hold at least ``HUE_SHARE`` of the colour of the span (the strongest alone needs ``TOP_HUE_SHARE``), "mixed
  colours" otherwise, "grey" when the span is nearly grey (mean saturation below ``GREY_SAT``);
- pace: more than ``QUICK_CUTS_PER_MIN`` shots a minute "quick cuts", fewer than ``LONG_TAKES_PER_MIN``
  "long takes"; motion is not named (camera pans and animation differ too much to say "calm" truly).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.semantic.types import FrameFeatures

# 30° bins of OpenCV's hue: 30-60° holds yellow, 60-90° the yellow-greens of grass and leaves.
HUE_NAMES = ("red", "yellow", "green", "green", "green", "green", "teal", "blue", "blue", "purple", "magenta", "pink")
HUE_SHARE = 0.35
TOP_HUE_SHARE = 0.25
GREY_SAT = 0.12
QUICK_CUTS_PER_MIN = 20.0
LONG_TAKES_PER_MIN = 3.0


@dataclass(frozen=True)
class SpanFacts:
    """What was measured over one span; ``speech`` is None when speech was not listened for."""

    start_s: float
    end_s: float
    shots: int
    speech: bool | None
    brightness: str | None  # "dark" | "dim" | "bright" | None (in between)
    colours: tuple[str, ...]  # up to two hue names, or ("grey",)
    pace: str | None  # "quick cuts" | "long takes" | None
    labels: tuple[str, ...] = ()  # what the vision stage saw, best first


def _colours(hue: np.ndarray, sat: np.ndarray) -> tuple[str, ...]:
    if not len(sat):
        return ()
    if float(sat.mean()) < GREY_SAT:
        return ("grey",)
    by_name: dict[str, float] = {}
    for name, mass in zip(HUE_NAMES, hue.sum(axis=0), strict=True):  # hue (n, 12) -> mass per bin
        by_name[name] = by_name.get(name, 0.0) + float(mass)
    total = sum(by_name.values()) or 1.0
    ranked = sorted(by_name.items(), key=lambda kv: -kv[1])
    named = tuple(name for name, m in ranked[:2] if m / total >= HUE_SHARE)
    if named:
        return named
    return (ranked[0][0],) if ranked[0][1] / total >= TOP_HUE_SHARE else ("mixed colours",)


def _brightness(luma: np.ndarray) -> str | None:
    if not len(luma):
        return None
    m = float(np.median(luma))
    return "dark" if m < 0.2 else "dim" if m < 0.35 else "bright" if m > 0.6 else None


def span_facts(frames: FrameFeatures, start_s: float, end_s: float, shot_starts: Sequence[float],
               speech: bool | None, labels: Sequence[str] = ()) -> SpanFacts:
    rows = frames.between(start_s, end_s)
    shots = 1 + sum(1 for s in shot_starts if start_s < s < end_s)
    minutes = max((end_s - start_s) / 60.0, 1e-6)
    rate = shots / minutes
    pace = "quick cuts" if rate > QUICK_CUTS_PER_MIN else "long takes" if rate < LONG_TAKES_PER_MIN and \
        end_s - start_s >= 60 else None
    return SpanFacts(start_s, end_s, shots, speech, _brightness(frames.luma[rows]),
                     _colours(frames.hue[rows], frames.saturation[rows]), pace, tuple(labels))


def picture_words(f: SpanFacts) -> str:
    """"bright, green and blue scenes" / "a forest, a rabbit" / "" (nothing measured)."""
    if f.labels:
        return ", ".join(f.labels[:3])
    colour = " and ".join(f.colours)
    words = [w for w in (f.brightness, colour) if w]
    return (", ".join(words) + " scenes") if words else ""


def describe_span(f: SpanFacts) -> str:
    """A plain phrase of the facts: "bright, green scenes, quick cuts, no speech"."""
    parts = [p for p in (picture_words(f), f.pace) if p]
    if f.speech is False:
        parts.append("no speech")
    elif f.speech:
        parts.append("speech")
    if not parts:
        parts.append(f"{f.shots} shot" + ("s" if f.shots != 1 else ""))
    return ", ".join(parts)
