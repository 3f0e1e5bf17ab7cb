"""The stored evidence of one video on a 0.25 s grid, with prefix sums, and the gaps where an advert may start or end.

``Timeline.load`` reads what the evidence pass stored (frame statistics, cuts, black frames, silences, levels,
transcript, on-screen text, subtitles, logo edges) once. Every per-tick signal has a prefix sum, so the mean of a
signal over any span is two lookups, for thousands of candidate spans at once (``mean``).

A *gap* is a place where one piece of material ends and the next begins: a run of black frames (the advert ends
at its first black frame and the next starts after its last), a shot cut (both at the cut), or a silence with no
cut near it. ``left_s`` is where the material before the gap ends, ``right_s`` where the material after starts.
Worked example: black frames at 120.00-120.16 s, then an advert: the previous advert's span ends at 120.00 and
the next one's starts at 120.16.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import sqlite_utils

from core.evidence import store
from core.evidence.cues import find_cues
from core.evidence.frames import HUE_BINS
from core.evidence.logo import Logo, find_logo
from core.evidence.types import BlackFrames, FrameStat, Level, Silence, Span
from core.store import get_video_row

DT = 0.25  # seconds per tick of the grid
SNAP_S = 0.6  # a silence this close to a cut is that cut's gap
MERGE_S = 0.3  # gaps closer than this are one gap
SEPARATOR_SILENCE_S = 0.1  # a gap with at least this much silence near it is a silent separator
BLACK, SILENCE = 1, 2  # bits of a gap's kind (``Gaps.kinds``)


@dataclass(frozen=True, eq=False)
class Gaps:
    """Candidate boundaries, sorted by time; parallel (n_gaps,) arrays."""

    left_s: np.ndarray  # where the material before the gap ends
    right_s: np.ndarray  # where the material after the gap starts
    black_s: np.ndarray  # seconds of black frames in the gap (0: none)
    silence_s: np.ndarray  # seconds of silence within +-SNAP_S of the gap
    cut: np.ndarray  # 1.0 when a shot cut lies in the gap (or at it)

    @property
    def n(self) -> int:
        return len(self.left_s)

    def kinds(self) -> np.ndarray:
        """(n_gaps,) bits: BLACK when the gap holds black frames, SILENCE when silence lies at it; 0 is a plain
        cut, anything else a separator."""
        return (self.black_s > 0).astype(np.int64) * BLACK + \
            (self.silence_s >= SEPARATOR_SILENCE_S).astype(np.int64) * SILENCE


@dataclass(frozen=True, eq=False)
class Timeline:
    """Per-tick signals of one video (tick i covers [i*DT, (i+1)*DT)) and their prefix sums."""

    duration_s: float
    signals: dict[str, np.ndarray]  # name -> (n_ticks,) or (n_ticks, k) values, 0 where unobserved
    cum: dict[str, np.ndarray]  # name -> (n_ticks + 1, ...) prefix sums
    gaps: Gaps
    logo: Logo
    cue_lines: tuple[tuple[float, float, str, str], ...]  # (start_s, end_s, source, quoted cue) for reasons

    @property
    def n(self) -> int:
        return len(next(iter(self.cum.values()))) - 1

    def ticks(self, t_s: np.ndarray) -> np.ndarray:
        return np.clip(np.rint(np.asarray(t_s) / DT).astype(np.int64), 0, self.n)

    def total(self, name: str, a_s: np.ndarray, b_s: np.ndarray) -> np.ndarray:
        """Sum of a signal over the ticks in [a, b) (rounded to ticks), for arrays of spans."""
        c = self.cum[name]
        return c[self.ticks(b_s)] - c[self.ticks(a_s)]

    def mean(self, name: str, a_s: np.ndarray, b_s: np.ndarray, weight: str | None = None) -> np.ndarray:
        """Mean of a signal over [a, b), over the ticks where ``weight`` (an indicator signal) is 1; NaN if none."""
        num = self.total(name, a_s, b_s)
        den = self.total(weight, a_s, b_s) if weight else (self.ticks(b_s) - self.ticks(a_s)).astype(float)
        den = np.asarray(den, float)
        shape = (-1,) + (1,) * (num.ndim - 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den.reshape(shape) > 0, num / np.maximum(den, 1e-9).reshape(shape), np.nan)

    def median(self, name: str, weight: str | None = None) -> float:
        x = self.signals[name]
        if weight is not None:
            x = x[self.signals[weight] > 0]
        return float(np.median(x)) if x.size else math.nan

    @classmethod
    def load(cls, db: sqlite_utils.Database, fingerprint: str) -> Timeline:
        store.require_run(db, fingerprint)
        row = get_video_row(db, fingerprint)
        stats = store.read_frame_stats(db, fingerprint)
        levels = store.read_levels(db, fingerprint)
        duration = float(row["duration_s"]) if row else max([s.t_s for s in stats] + [lv.t_s for lv in levels] + [1.0])
        n = max(1, math.ceil(duration / DT))
        sig = _frame_signals(n, stats)
        sig.update(_audio_signals(n, levels, store.read_silences(db, fingerprint)))
        black = store.read_black_frames(db, fingerprint)
        sig["black"] = _coverage(n, black)
        # A cut is stored at the first sample of the new shot; the change happened after the sample before it.
        # Half a sample interval earlier is the unbiased estimate (0.125 s at 4 samples per second).
        step = float(np.median(np.diff([s.t_s for s in stats]))) if len(stats) > 2 else 0.0
        cuts = np.array(store.read_cuts(db, fingerprint), float) - 0.5 * step
        sig["cut"] = np.bincount(np.clip((cuts / DT).astype(int), 0, n - 1), minlength=n).astype(float)
        logo = find_logo(store.read_logo_edges(db, fingerprint))
        sig.update(_logo_signals(n, logo))
        cue_lines, text_sig = _text_signals(db, fingerprint, n)
        sig.update(text_sig)
        cum = {k: np.concatenate([np.zeros((1, *v.shape[1:])), np.cumsum(v, axis=0)]) for k, v in sig.items()}
        gaps = _gaps(duration, black, store.read_silences(db, fingerprint), cuts)
        return cls(duration, sig, cum, gaps, logo, cue_lines)


def _frame_signals(n: int, stats: Iterable[FrameStat]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {k: np.zeros(n) for k in ("vis", "luma", "sat", "motion", "cut_score")}
    hist = np.zeros((n, HUE_BINS))
    for s in stats:
        i = min(n - 1, max(0, int(s.t_s / DT)))
        out["vis"][i] += 1
        out["luma"][i] += s.luma_mean
        out["sat"][i] += s.sat_mean
        out["motion"][i] += s.motion
        out["cut_score"][i] += s.cut_score
        hist[i] += s.hue_hist
    seen = out["vis"] > 0
    for k in ("luma", "sat", "motion", "cut_score"):
        out[k][seen] /= out["vis"][seen]
    hist[seen] /= out["vis"][seen, None]
    out["vis"] = seen.astype(float)
    out["hist"] = hist
    return out


def _audio_signals(n: int, levels: Iterable[Level], silences: list[Silence]) -> dict[str, np.ndarray]:
    db, aud = np.zeros(n), np.zeros(n)
    for lv in levels:  # a level covers 0.5 s: two ticks
        i = int(lv.t_s / DT)
        for k in (i, i + 1):
            if 0 <= k < n:
                db[k] += max(-70.0, lv.rms_db)
                aud[k] += 1
    seen = aud > 0
    db[seen] /= aud[seen]
    return {"db": db, "aud": seen.astype(float), "silent": _coverage(n, silences)}


def _coverage(n: int, spans: Iterable[Span]) -> np.ndarray:
    """(n,) share of each tick covered by the spans."""
    out = np.zeros(n)
    for sp in spans:
        i0, i1 = int(sp.start_s / DT), int(sp.end_s / DT)
        for i in range(max(0, i0), min(n, i1 + 1)):
            a, b = max(sp.start_s, i * DT), min(sp.end_s, (i + 1) * DT)
            out[i] += max(0.0, b - a) / DT
    return np.minimum(out, 1.0)


def _logo_signals(n: int, logo: Logo) -> dict[str, np.ndarray]:
    pres, has = np.zeros(n), np.zeros(n)
    if logo.found:
        idx = np.clip((logo.t_s / DT).astype(int), 0, n - 1)
        for k in range(len(idx)):  # a sample stands for the ticks until the next one (2 ticks at 2 per second)
            end = idx[k + 1] if k + 1 < len(idx) else min(n, idx[k] + 2)
            pres[idx[k]:max(end, idx[k] + 1)] = logo.presence[k]
            has[idx[k]:max(end, idx[k] + 1)] = 1.0
    return {"logo": pres, "logo_seen": has}


def _text_signals(db: sqlite_utils.Database, fingerprint: str,
                  n: int) -> tuple[tuple[tuple[float, float, str, str], ...], dict[str, np.ndarray]]:
    sig = {k: np.zeros(n) for k in ("ocr_text", "ocr_cue", "speech", "speech_cue")}
    lines = [(t.start_s, t.end_s, "ocr" if t.source == "ocr" else "speech", t.text)
             for t in [*store.read_ocr_lines(db, fingerprint), *store.read_subtitles(db, fingerprint)]]
    lines += [(s.start_s, s.end_s, "speech", s.text) for s in store.read_transcript(db, fingerprint, words=False)]
    cue_lines = []
    for a, b, source, text in lines:
        i0, i1 = max(0, int(a / DT)), min(n, int(b / DT) + 1)
        sig["ocr_text" if source == "ocr" else "speech"][i0:i1] = 1.0
        cues = find_cues(text)
        if cues:
            sig[f"{source}_cue"][i0:i1] = np.maximum(sig[f"{source}_cue"][i0:i1], min(3, len(cues)))
            cue_lines.append((a, b, source, next(iter(cues.values()))[0]))
    return tuple(cue_lines), sig


def _gaps(duration_s: float, black: list[BlackFrames], silences: list[Silence],
          cuts: np.ndarray) -> Gaps:
    """Black runs, cuts and lone silences as gaps, merged when closer than MERGE_S, plus both ends of the file."""
    rows: list[list[float]] = [[0.0, 0.0, 0.0, 0.0, 1.0], [duration_s, duration_s, 0.0, 0.0, 1.0]]
    rows += [[b.start_s, b.end_s, b.duration_s, 0.0, 0.0] for b in black]
    rows += [[c, c, 0.0, 0.0, 1.0] for c in cuts]
    for si in silences:
        mid = 0.5 * (si.start_s + si.end_s)
        if cuts.size == 0 or np.min(np.abs(cuts - mid)) > SNAP_S + 0.5 * si.duration_s:
            rows.append([mid, mid, 0.0, 0.0, 0.0])
    rows.sort(key=lambda r: r[0])
    merged: list[list[float]] = []
    for r in rows:
        if merged and r[0] <= merged[-1][1] + MERGE_S:
            m = merged[-1]
            if r[2] > 0 and m[2] == 0:  # a black run keeps its own edges over a cut at them
                m[0], m[1] = r[0], r[1]
            elif r[2] > 0:
                m[0], m[1] = min(m[0], r[0]), max(m[1], r[1])
            m[2], m[4] = m[2] + r[2], max(m[4], r[4])
        else:
            merged.append(list(r))
    arr = np.array(merged, float).reshape(-1, 5)
    return Gaps(arr[:, 0], arr[:, 1], arr[:, 2], _silence_near(silences, arr[:, 0], arr[:, 1]), arr[:, 4])


def _silence_near(silences: list[Silence], a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(n_gaps,) seconds of silence within [a - SNAP_S, b + SNAP_S] of each gap (silences are disjoint)."""
    if not silences or a.size == 0:
        return np.zeros(a.size)
    starts = np.array([s.start_s for s in silences])
    ends = np.array([s.end_s for s in silences])
    cum = np.concatenate([[0.0], np.cumsum(ends - starts)])
    lo, hi = a - SNAP_S, b + SNAP_S
    i = np.searchsorted(ends, lo)  # first silence ending after lo
    j = np.searchsorted(starts, hi)  # first silence starting after hi
    total = cum[j] - cum[i]
    # trim the partial silences at either end of the window
    head = np.where(i < j, np.clip(lo - starts[np.minimum(i, len(starts) - 1)], 0, None), 0.0)
    tail = np.where(i < j, np.clip(ends[np.maximum(j - 1, 0)] - hi, 0, None), 0.0)
    return np.clip(total - head - tail, 0.0, None)
