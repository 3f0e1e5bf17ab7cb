"""``detect_ads``: advert / commercial segments from the stored evidence, as Moments labelled "ad".

Candidates come from three places:
1. Broadcast breaks, Comskip's way: black-frame runs are separators; consecutive separators 5-90 s apart are
   spots, and a maximal chain of spots (ads in a row) is a break from the first separator to the last.
2. Adverts inserted with no black frames: change points of the per-second colour / brightness / loudness
   profile (``profile.novelty``); a pair of change points 8-150 s apart whose inside differs from both sides
   while the two sides resemble each other (the film resumes) is a candidate.
3. Runs of windows the video-LLM scored as relevant (``model_scores``), when given.
Every candidate is scored with the same evidence: framing by black frames + silence, ads in a row, profile
difference, loudness jump, shot rate, on-screen / spoken / subtitle commercial cues, model score. The weights of
the logistic score were set by hand on generated recordings (see benchmarks/evidence.py), so the confidence is
calibrated only roughly: above 0.5 means "more likely an ad than not" on those recordings.
Overlapping candidates keep the most confident one. Mark, never cut: nothing here changes the file.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import sqlite_utils

from core.evidence import store
from core.evidence.cues import LABELS, find_cues
from core.evidence.profile import Profile, change_points
from core.evidence.types import BlackFrames, FrameStat, Silence, TextLine
from core.results import AdBreak, Moment
from core.store import get_video_row

SPOT_S = (5.0, 90.0)  # a spot (one advert) between two separators lasts this long
BREAK_S = (8.0, 360.0)  # a whole break (or one inserted advert) lasts this long
INSERT_S = (8.0, 150.0)  # an advert inserted without black frames lasts this long
SIDE_S = 30.0  # seconds on each side compared with the inside
FRAME_TOL_S = 1.5  # black frames / silence this close to a boundary frame it



class WindowScoresLike(Protocol):
    """Per-window model scores as core.query.ads.WindowScores holds them (parallel tuples)."""

    start_s: Sequence[float]
    end_s: Sequence[float]
    score: Sequence[float]


# (start_s, end_s, p in 0..1) per model window, or an object with parallel start_s / end_s / score sequences.
ModelScores = Sequence[tuple[float, float, float]] | WindowScoresLike


@dataclass(frozen=True)
class _Evidence:
    duration_s: float
    profile: Profile
    stats: tuple[FrameStat, ...]
    black: tuple[BlackFrames, ...]
    silences: tuple[Silence, ...]
    cue_lines: tuple[tuple[TextLine, dict[str, list[str]]], ...]  # text lines with commercial cues, and the cues
    stat_times: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (n_stats,) sorted sample times


@dataclass(frozen=True)
class _Candidate:
    start_s: float
    end_s: float
    kind: str  # "break", "insert", "model"
    spots: int = 1


def detect_ads(db: sqlite_utils.Database, fingerprint: str, *, model_scores: ModelScores | None = None,
               min_score: float = 0.5) -> list[Moment]:
    """Ad segments (label "ad", confidence ``score``, reasons ``why``) in time order, those >= ``min_score``."""
    ev = _load(db, fingerprint)
    windows = _windows(model_scores)
    candidates = _break_candidates(ev) + _insert_candidates(ev) + _model_candidates(ev, windows)
    scored = [_score(ev, c, windows) for c in candidates]
    kept: list[Moment] = []
    # Most confident first; among near-equal scores, the one whose inside contrasts most with its sides.
    for m, _contrast in sorted(scored, key=lambda mc: (-round(mc[0].score, 2), -mc[1])):
        if m.score >= min_score and all(_overlap(m, k) < 0.5 for k in kept):
            kept.append(m)
    return _join_adjacent(sorted(kept, key=lambda m: m.start))


def _join_adjacent(moments: list[Moment], gap_s: float = 2.0) -> list[Moment]:
    """Ads that touch (a spot whose separator was missed after the rest of its break) become one segment."""
    out: list[Moment] = []
    for m in moments:
        if out and m.start <= out[-1].end + gap_s:
            last = out[-1]
            why = tuple(dict.fromkeys((*last.why, *m.why)))
            out[-1] = Moment(last.start, max(last.end, m.end), max(last.score, m.score), "ad", why)
        else:
            out.append(m)
    return out


def _load(db: sqlite_utils.Database, fingerprint: str) -> _Evidence:
    store.require_run(db, fingerprint)
    row = get_video_row(db, fingerprint)
    stats = tuple(store.read_frame_stats(db, fingerprint))
    levels = store.read_levels(db, fingerprint)
    duration = float(row["duration_s"]) if row else max([s.t_s for s in stats] + [lv.t_s for lv in levels] + [0.0])
    texts = [*store.read_ocr_lines(db, fingerprint), *store.read_subtitles(db, fingerprint)]
    texts += [TextLine(s.start_s, s.end_s, s.text, "speech") for s in store.read_transcript(db, fingerprint,
                                                                                            words=False)]
    profile = Profile.build(duration, stats, levels, store.read_cuts(db, fingerprint))
    cue_lines = tuple((line, cues) for line in texts if (cues := find_cues(line.text)))
    return _Evidence(duration, profile, stats, tuple(store.read_black_frames(db, fingerprint)),
                     tuple(store.read_silences(db, fingerprint)), cue_lines,
                     np.array([s.t_s for s in stats], dtype=np.float64))


def _break_candidates(ev: _Evidence) -> list[_Candidate]:
    seps = list(ev.black)
    out: list[_Candidate] = []
    i = 0
    while i < len(seps) - 1:
        j = i
        while j + 1 < len(seps) and SPOT_S[0] <= _mid(seps[j + 1]) - _mid(seps[j]) <= SPOT_S[1]:
            j += 1
        if j > i:
            out.append(_Candidate(seps[i].start_s, seps[j].end_s, "break", spots=j - i))
            for k in range(i + 1, j):  # a chain may start with a show segment framed like a spot: also its tails
                out.append(_Candidate(seps[k].start_s, seps[j].end_s, "break", spots=j - k))
                out.append(_Candidate(seps[i].start_s, seps[k].end_s, "break", spots=k - i))
        i = max(j, i + 1)
    return out


def _insert_candidates(ev: _Evidence) -> list[_Candidate]:
    points = change_points(ev.profile.novelty())
    out = []
    for a_i, a in enumerate(points):
        for b in points[a_i + 1:a_i + 7]:
            if not INSERT_S[0] <= b - a <= INSERT_S[1]:
                continue
            out.append(_Candidate(_refine(ev, a), _refine(ev, b), "insert"))
    return out


def _windows(model_scores: ModelScores | None) -> list[tuple[float, float, float]]:
    if model_scores is None:
        return []
    if isinstance(model_scores, Sequence):
        return [(float(a), float(b), float(p)) for a, b, p in model_scores]
    return [(float(a), float(b), float(p)) for a, b, p in
            zip(model_scores.start_s, model_scores.end_s, model_scores.score, strict=True)]


def _model_candidates(ev: _Evidence, model_scores: list[tuple[float, float, float]]) -> list[_Candidate]:
    out: list[_Candidate] = []
    run: list[tuple[float, float, float]] = []
    for w in [*sorted(model_scores, key=lambda w: w[0]), (math.inf, math.inf, 0.0)]:
        if w[2] >= 0.5 and (not run or w[0] - run[-1][1] <= 1.0):
            run.append(w)
            continue
        if run and INSERT_S[0] <= run[-1][1] - run[0][0] <= BREAK_S[1]:
            out.append(_Candidate(_refine(ev, run[0][0]), _refine(ev, run[-1][1]), "model"))
        run = [w] if w[2] >= 0.5 else []
    return out


def _refine(ev: _Evidence, t: float, window_s: float = 1.5) -> float:
    """Snap a boundary to the sampled frame with the strongest content change within ``window_s``."""
    lo, hi = np.searchsorted(ev.stat_times, [t - window_s, t + window_s + 1e-9])
    near = ev.stats[int(lo):int(hi)]
    if not near:
        return max(0.0, min(ev.duration_s, t))
    best = max(near, key=lambda s: s.cut_score)
    return best.t_s if best.cut_score > 0 else t


def _score(ev: _Evidence, c: _Candidate, model_scores: list[tuple[float, float, float]]) -> tuple[Moment, float]:
    """The candidate as a Moment with its confidence and reasons, and its profile contrast (for ranking)."""
    a, b = c.start_s, c.end_s
    left, right = (max(0.0, a - SIDE_S), a), (b, min(ev.duration_s, b + SIDE_S))
    x = -4.0
    why: list[str] = []
    framed = sum(_framed(ev, t) for t in (a, b))
    if framed:
        x += 1.3 * framed
        why.append(_framing_reason(ev, a, b))
    if c.spots >= 2:
        x += 0.7 * min(c.spots - 1, 3) + (0.5 if 45.0 <= b - a <= 330.0 else 0.0)
        why.append(f"{c.spots} ads in a row")
    profile_x, contrast = _profile_terms(ev, a, b, left, right, why)
    x += profile_x
    cues_x = _cue_terms(ev, a, b, why)
    model_x = _model_term(a, b, model_scores, why)
    x += cues_x + model_x
    if not framed and cues_x == 0 and model_x == 0:
        x -= 1.0  # a film scene may look and sound unlike its neighbours; an inserted advert also says so
    if not BREAK_S[0] <= b - a <= BREAK_S[1]:
        x -= 2.0
    score = 1.0 / (1.0 + math.exp(-x))
    return Moment(round(a, 3), round(max(a, b), 3), round(score, 4), "ad", tuple(why)), contrast


def _model_term(a: float, b: float, model_scores: list[tuple[float, float, float]], why: list[str]) -> float:
    """Up to +3 for how much more the video-LLM calls the inside an advert than the rest."""
    inside = [w[2] for w in model_scores if w[0] < b and w[1] > a]
    if not inside:
        return 0.0
    outside = [w[2] for w in model_scores if w[1] <= a or w[0] >= b]
    p_in, p_out = float(np.mean(inside)), float(np.mean(outside)) if outside else 0.0
    lift = float(np.clip(p_in - p_out, 0.0, 1.0))
    if lift > 0:
        why.append(f"model score {p_in:.2f} (outside {p_out:.2f})")
    return 3.0 * lift


def _profile_terms(ev: _Evidence, a: float, b: float, left: tuple[float, float], right: tuple[float, float],
                   why: list[str]) -> tuple[float, float]:
    """Score terms from the picture / sound profile, and the contrast (inside vs sides minus side vs side)."""
    p = ev.profile
    sides = [s for s in (left, right) if s[1] - s[0] >= 3.0]
    x = contrast = 0.0
    if sides:
        d_in = min(p.distance((a, b), s) for s in sides)
        contrast = d_in - (p.distance(left, right) if len(sides) == 2 else 0.0)
        x += 1.6 * min(1.0, max(0.0, (d_in - 0.3) / 0.7))
        if d_in >= 0.6:
            why.append(f"picture/sound profile differs from its surroundings ({d_in:.2f})")
        if len(sides) == 2 and d_in >= 0.6 and p.distance(left, right) < 0.5 * d_in:
            x += 0.8
            why.append("the programme resumes unchanged after it")
        loud_in = p.loudness(a, b)
        loud_out = float(np.nanmean([p.loudness(*s) for s in sides]))
        if not (math.isnan(loud_in) or math.isnan(loud_out)) and abs(loud_in - loud_out) >= 3.0:
            x += 0.8 * min(1.0, abs(loud_in - loud_out) / 6.0)
            why.append(f"loudness jump {loud_in - loud_out:+.1f} dB")
        rate_in = p.cut_rate(a, b)
        rate_out = max(1.0, float(np.mean([p.cut_rate(*s) for s in sides])))
        if rate_in >= 1.5 * rate_out and rate_in >= 4.0:
            x += 0.8 * min(1.0, (rate_in / rate_out - 1.5) / 1.5 + 0.3)
            why.append(f"shot rate {rate_in:.0f}/min vs {rate_out:.0f}/min around it")
    return x, contrast


def _cue_terms(ev: _Evidence, a: float, b: float, why: list[str]) -> float:
    kinds: dict[str, tuple[str, str]] = {}
    for line, cues in ev.cue_lines:
        if line.end_s <= a or line.start_s >= b:
            continue
        for kind, hits in cues.items():
            kinds.setdefault(kind, (line.source, hits[0]))
    source_names = {"ocr": "on-screen", "speech": "spoken", "subtitle": "subtitle"}
    for kind, (source, hit) in sorted(kinds.items()):
        why.append(f"{source_names.get(source, source)} {LABELS[kind]}: {hit!r}")
    return 1.0 * min(3, len(kinds))


def _framed(ev: _Evidence, t: float) -> float:
    """1 when black frames and silence meet at ``t``, 0.6 for black frames alone, 0 otherwise."""
    black = any(bf.start_s - FRAME_TOL_S <= t <= bf.end_s + FRAME_TOL_S for bf in ev.black)
    if not black:
        return 0.0
    silent = any(s.start_s - FRAME_TOL_S <= t <= s.end_s + FRAME_TOL_S for s in ev.silences)
    return 1.0 if silent else 0.6


def _framing_reason(ev: _Evidence, a: float, b: float) -> str:
    ends = [_framed(ev, t) for t in (a, b)]
    if ends == [1.0, 1.0]:
        return "black frame + silence at both ends"
    if min(ends) > 0:
        return "black frames at both ends" + (" (silence at one)" if max(ends) == 1.0 else "")
    return "black frame" + (" + silence" if max(ends) == 1.0 else "") + " at one end"


def _mid(span: BlackFrames) -> float:
    return 0.5 * (span.start_s + span.end_s)


def _overlap(m: Moment, k: Moment) -> float:
    inter = min(m.end, k.end) - max(m.start, k.start)
    return max(0.0, inter) / max(1e-9, min(m.duration, k.duration))


def detect_ad_breaks(db: sqlite_utils.Database, fingerprint: str, *, model_scores: ModelScores | None = None,
                     min_score: float = 0.5) -> list[AdBreak]:
    """The ad breaks ``detect_ads`` finds, each as an ``AdBreak`` (this detector does not split breaks yet)."""
    return [AdBreak(m.start, m.end, m.score, m.why)
            for m in detect_ads(db, fingerprint, model_scores=model_scores, min_score=min_score)]
