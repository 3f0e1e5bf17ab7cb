"""Advert breaks from the stored evidence: ``detect_ad_breaks`` (breaks with their adverts) and ``detect_ads``.

1. Gaps (``ad_timeline``): black-frame runs, shot cuts and lone silences, each with the exact time the material
   before it ends and the material after it starts.
2. Candidates (``ad_features``): every span between two gaps 6-75 s apart, with features of its two ends and its
   inside (logo presence, picture, loudness, shot rate, separators inside, text cues), against the recording and
   against its own surroundings.
   A tick classifier fitted alongside scores every 0.25 s of the recording as advert material or not (logo,
   colours against the programme profile, loudness, shot rate around it); its log-odds inside, at the ends and
   around a candidate are features too (the ``material`` block).
3. A fitted classifier (``ad_model``, gradient-boosted trees fitted on real-footage recordings by
   ``benchmarks/ads_fit.py``) gives each candidate a log-odds of being exactly one advert.
4. The adverts are the set of non-overlapping candidates with the largest total log-odds above the model's
   decision point (weighted interval scheduling), so each advert starts and ends on a gap and never spans two.
5. Adverts that follow one another across a separator form a break, from its first advert's first frame to its
   last advert's last frame; a break never reaches over programme material.

A model fitted with the labelling decoder (``ad_segments``, when it cross-validated better) replaces steps 2-4:
every stretch between two gaps is labelled programme or advert from the tick classifier's log-odds, with a fitted
cost for switching at a cut, a separator or both, and the runs of advert stretches are the breaks, split into
adverts at their inner separators. The reasons are the same features, computed for the spans found.

With the video-LLM's per-window advert scores, a candidate's log-odds also gets ``logit(p_inside) -
logit(p_recording)``: the naive-Bayes update by an independent, calibrated score, relative to the mean over the
recording. It is not fitted (no video-LLM scores exist for the corpus); it moves decisions only where the model
clearly says advert or programme. Marks, never cuts: nothing here changes the file.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import sqlite_utils

from core.evidence.ad_features import (
    BLOCK_FEATURES,
    Candidates,
    add_material,
    candidates,
    features,
    material_features,
)
from core.evidence.ad_model import AdModel, load_model
from core.evidence.ad_segments import decode_segments
from core.evidence.ad_timeline import DT, Timeline
from core.results import AdBreak, Moment

NO_REASON = "the fitted model's features as a whole"  # what ``reasons`` says when no single feature stands out
BREAK_GAP_S = 1.5  # adverts at most this far apart (a separator) belong to one break
P_CLIP = 0.02  # video-LLM window scores are clipped to [P_CLIP, 1 - P_CLIP] before taking log-odds


class WindowScoresLike(Protocol):
    """Per-window model scores as core.query.ads.WindowScores holds them (parallel tuples)."""

    start_s: Sequence[float]
    end_s: Sequence[float]
    score: Sequence[float]


# (start_s, end_s, p in 0..1) per model window, or an object with parallel start_s / end_s / score sequences.
ModelScores = Sequence[tuple[float, float, float]] | WindowScoresLike


@dataclass(frozen=True)
class Scored:
    """Every candidate advert of one video with its features and its log-odds above the decision point."""

    timeline: Timeline
    cands: Candidates
    x: np.ndarray  # (n, n_features)
    margin: np.ndarray  # (n,) log-odds minus the model's decision point
    names: tuple[str, ...]


def detect_ads(db: sqlite_utils.Database, fingerprint: str, *, model_scores: ModelScores | None = None,
               min_score: float = 0.5) -> list[Moment]:
    """Ad breaks as moments labelled "ad" in time order (the view ``ads`` prints): see ``detect_ad_breaks``."""
    return [b.moment() for b in detect_ad_breaks(db, fingerprint, model_scores=model_scores, min_score=min_score)]


def detect_ad_breaks(db: sqlite_utils.Database, fingerprint: str, *, model_scores: ModelScores | None = None,
                     min_score: float = 0.5, model: AdModel | None = None) -> list[AdBreak]:
    """Advert breaks in time order, each with its adverts ("advert" moments), scores >= ``min_score``.

    A score is the classifier's probability relative to its decision point: 0.5 is where it decides "advert".
    """
    model = model or load_model()
    if model.segments is not None:
        return labelled_breaks(db, fingerprint, model, model_scores=model_scores, min_score=min_score)
    return decode(score_candidates(db, fingerprint, model_scores=model_scores, model=model), min_score)


# what ``reasons`` reads, computed for the spans the labelling decoder found
REASON_BLOCKS = ("boundary", "interior", "logo", "text")


def labelled_breaks(db: sqlite_utils.Database, fingerprint: str, model: AdModel, *,
                    model_scores: ModelScores | None = None, min_score: float = 0.5) -> list[AdBreak]:
    """Breaks by labelling the recording's stretches (``ad_segments``); scores are the mean tick probability
    relative to the fitted bias, so 0.5 is where the decoder decides "advert"."""
    assert model.material is not None and model.segments is not None  # AdModel checks this on load
    tl = Timeline.load(db, fingerprint)
    z = model.material.logit(material_features(tl, model.material.features))
    windows = _windows(model_scores)
    if windows.size:
        z = z + _tick_lift(windows, tl)
    found = [b for b in decode_segments(tl, z, model.segments) if _p(b.margin) >= min_score]
    if not found:
        return []
    # every break and every advert as a span between two gaps, to compute the features ``reasons`` reads
    spans = np.array([(s, e) for b in found for s, e in ((b.start_gap, b.end_gap), *b.adverts)], np.int64)
    names = [n for block in REASON_BLOCKS for n in BLOCK_FEATURES[block]]
    if not any(n.startswith("hist_") for n in model.material.features):  # no colour reason where none was read
        names = [n for n in names if not n.startswith("hist_")]
    x = features(tl, Candidates(spans[:, 0], spans[:, 1], tl.gaps.right_s[spans[:, 0]], tl.gaps.left_s[spans[:, 1]]),
                 names)
    why_of = iter([reasons(dict(zip(names, row, strict=True))) for row in x])  # in the order of ``spans``

    def moment(gaps: tuple[int, int], margin: float, why: list[str], label: str) -> Moment:
        return Moment(round(float(tl.gaps.right_s[gaps[0]]), 3), round(float(tl.gaps.left_s[gaps[1]]), 3),
                      round(_p(margin), 4), label, tuple(why))

    out = []
    for b in found:
        whole = next(why_of)
        adverts = [moment(ad, m, next(why_of), "advert") for ad, m in zip(b.adverts, b.advert_margins, strict=True)]
        why = [f"{len(adverts)} adverts in a row"] if len(adverts) > 1 else []
        why += [w for w in whole if w != NO_REASON]
        why.append(f"advert-like throughout, by the fitted model ({_p(b.margin):.0%})")
        brk = moment((b.start_gap, b.end_gap), b.margin, why, "ad")
        out.append(AdBreak(brk.start, brk.end, brk.score, brk.why, tuple(adverts)))
    return out


def _sigmoid(margin: np.ndarray) -> np.ndarray:
    """Probabilities of log-odds margins (clipped, so no overflow)."""
    return 1.0 / (1.0 + np.exp(-np.clip(margin, -30.0, 30.0)))


def _p(margin: float) -> float:
    return float(_sigmoid(np.asarray(margin)))


def _tick_lift(windows: np.ndarray, tl: Timeline) -> np.ndarray:
    """(n_ticks,) the video-LLM lift of ``_model_lift`` for every tick, window by window (each window touches only
    its own ticks, so a two-hour recording costs no ticks x windows matrix)."""
    t0 = np.arange(tl.n) * DT  # tick starts
    cover, weighted = np.zeros(tl.n), np.zeros(tl.n)
    for a, b, p in windows:
        i0, i1 = max(0, int(a // DT)), min(tl.n, math.ceil(b / DT))
        overlap = np.clip(np.minimum(b, t0[i0:i1] + DT) - np.maximum(a, t0[i0:i1]), 0, None)
        cover[i0:i1] += overlap
        weighted[i0:i1] += overlap * p
    p_in = weighted / np.maximum(cover, 1e-9)
    lift = _logit(p_in) - _logit(np.array(_recording_mean(windows)))
    return np.where(cover > 0, lift, 0.0)


def decode(scored: Scored, min_score: float = 0.5) -> list[AdBreak]:
    """The best non-overlapping candidates above ``min_score`` as adverts, chained into breaks."""
    p = _sigmoid(scored.margin)
    keep = np.flatnonzero(p >= max(min_score, 0.5 + 1e-9))
    chosen = _best_non_overlapping(scored.cands.start_s[keep], scored.cands.end_s[keep], scored.margin[keep])
    adverts = [_advert(scored, int(keep[k]), float(p[keep[k]])) for k in chosen]
    return _breaks(adverts)


def score_candidates(db: sqlite_utils.Database, fingerprint: str, *, model_scores: ModelScores | None = None,
                     model: AdModel | None = None) -> Scored:
    """Every candidate advert of the video with its features and its log-odds margin."""
    model = model or load_model()
    tl = Timeline.load(db, fingerprint)
    if model.material is not None:
        add_material(tl, model.material.logit(material_features(tl, model.material.features)))
    cands = candidates(tl)
    x = features(tl, cands, list(model.features))
    margin = model.logit(x) - model.decision_logit
    windows = _windows(model_scores)
    if windows.size:
        margin = margin + _model_lift(windows, cands)
    return Scored(tl, cands, x, margin, model.features)


def _windows(model_scores: ModelScores | None) -> np.ndarray:
    """(n_windows, 3) start_s, end_s, p."""
    if model_scores is None:
        return np.zeros((0, 3))
    if isinstance(model_scores, Sequence):
        rows = [(float(a), float(b), float(p)) for a, b, p in model_scores]
    else:
        rows = [(float(a), float(b), float(p)) for a, b, p in
                zip(model_scores.start_s, model_scores.end_s, model_scores.score, strict=True)]
    return np.array(rows, float).reshape(-1, 3)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, P_CLIP, 1 - P_CLIP)
    return np.asarray(np.log(p / (1 - p)))


def _recording_mean(windows: np.ndarray) -> float:
    """The windows' score averaged over the recording (weighted by window length)."""
    return float(np.average(windows[:, 2], weights=np.maximum(windows[:, 1] - windows[:, 0], 1e-9)))


def _model_lift(windows: np.ndarray, c: Candidates) -> np.ndarray:
    """(n,) logit(mean window score inside) - logit(mean over the recording); 0 where no window overlaps."""
    a, b, p = windows[:, 0], windows[:, 1], windows[:, 2]
    overlap = np.clip(np.minimum(b[None, :], c.end_s[:, None]) - np.maximum(a[None, :], c.start_s[:, None]), 0, None)
    weight = overlap.sum(axis=1)  # (n,) seconds covered by windows
    p_in = (overlap * p[None, :]).sum(axis=1) / np.maximum(weight, 1e-9)
    lift = _logit(p_in) - _logit(np.array(_recording_mean(windows)))
    return np.where(weight > 0, lift, 0.0)


def _best_non_overlapping(start_s: np.ndarray, end_s: np.ndarray, weight: np.ndarray) -> list[int]:
    """Indices of the non-overlapping spans with the largest total weight (weighted interval scheduling)."""
    order = np.argsort(end_s, kind="stable")
    s, e, w = start_s[order], end_s[order], weight[order]
    prev = np.searchsorted(e, s + 1e-6, side="right") - 1  # last span ending at or before each start
    best = np.zeros(len(order) + 1)
    take = np.zeros(len(order), bool)
    for k in range(len(order)):
        with_k = w[k] + best[prev[k] + 1]
        take[k] = with_k > best[k]
        best[k + 1] = with_k if take[k] else best[k]
    chosen, k = [], len(order) - 1
    while k >= 0:
        if take[k]:
            chosen.append(int(order[k]))
            k = int(prev[k])
        else:
            k -= 1
    return sorted(chosen, key=lambda i: float(start_s[i]))


def _advert(scored: Scored, k: int, p: float) -> Moment:
    c = scored.cands
    row = dict(zip(scored.names, scored.x[k], strict=True))
    return Moment(round(float(c.start_s[k]), 3), round(float(c.end_s[k]), 3), round(p, 4), "advert",
                  tuple(reasons(row)))


def _breaks(adverts: list[Moment]) -> list[AdBreak]:
    groups: list[list[Moment]] = []
    for ad in adverts:
        if groups and ad.start - groups[-1][-1].end <= BREAK_GAP_S:
            groups[-1].append(ad)
        else:
            groups.append([ad])
    out = []
    for g in groups:
        why = [f"{len(g)} adverts in a row"] if len(g) > 1 else []
        why += list(dict.fromkeys(w for ad in g for w in ad.why))
        score = float(np.mean([ad.score for ad in g]))
        out.append(AdBreak(g[0].start, g[-1].end, round(score, 4), tuple(why), tuple(g)))
    return out


def reasons(f: dict[str, float]) -> list[str]:
    """Human reasons for one advert from its feature values (only those that point towards an advert)."""
    out: list[str] = []

    def val(name: str) -> float:
        v = f.get(name, math.nan)
        return float(v) if v is not None else math.nan

    ends = [("black frames" if val(f"{e}_black_s") > 0 else "") +
            (" + silence" if val(f"{e}_silence_s") >= 0.05 else "") for e in ("start", "end")]
    if all(ends):
        out.append(f"{ends[0].strip(' +')} at the start, {ends[1].strip(' +')} at the end")
    elif any(ends):
        out.append(f"{next(x for x in ends if x).strip(' +')} at one end")
    if val("logo_inside") < 0.5 * val("logo_recording"):
        out.append(f"channel logo absent ({val('logo_inside'):.0%} vs {val('logo_recording'):.0%} of the programme)")
    if val("hist_vs_recording") >= 0.15:
        out.append(f"colours unlike the programme ({val('hist_vs_recording'):.2f})")
    if abs(val("db_vs_recording")) >= 3.0:
        out.append(f"loudness {val('db_vs_recording'):+.0f} dB against the programme")
    rate, rec = val("cuts_per_min"), val("cuts_per_min_recording")
    if rate >= 1.5 * max(rec, 1.0):
        out.append(f"{rate:.0f} shots/min vs {rec:.0f}/min in the recording")
    for name, what in (("ocr_cues", "on-screen"), ("speech_cues", "spoken")):
        if val(name) > 0:
            out.append(f"{what} commercial cues (phone number, URL, price or call to action)")
    return out or [NO_REASON]
