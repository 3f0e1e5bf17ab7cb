"""Fit the labelling decoder (``core.evidence.ad_segments``) on the training recordings: tick classifier + 4 constants.

    .venv/bin/python benchmarks/ads_fit_segments.py [--corpus DIR] [--train 28 --test 8] [--folds 4]

Used by ``benchmarks/ads_fit.py`` (which compares it with the candidate decoder by cross-validation and ships the
better one); run alone it prints the cross-validated scores and writes nothing.

1. Every training recording's ticks are rows of the tick classifier (``ads_fit.tick_rows``); the folds are by
   recording (``ads_fit.fold_ids``). Each recording gets out-of-fold tick log-odds: from a tick classifier fitted
   on the other folds.
2. For every parameter set of the grid (bias x three switch costs, costs ordered cut >= separator >= both), every
   recording is decoded from its out-of-fold log-odds and scored (breaks and adverts matched at IoU 0.5); the
   counts are kept per recording, so any set of recordings is scored by adding rows.
3. Nested cross-validation: for each fold, the parameter set with the best pooled mean of break and advert F1 on
   the *other* folds is scored on this fold. That is the decoder's CV score (what ``ads_fit.py`` compares).
4. The shipped constants are the best on all training recordings; the shipped tick classifier is fitted on all
   of them. Held-out recordings are never read.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.ads_eval import Recording, Tally, add_corpus_args, prepare
from core.evidence.ad_features import gap_novelty, material_features
from core.evidence.ad_model import AdModel
from core.evidence.ad_segments import (
    NEVER,
    SegmentParams,
    breaks_from_labels,
    effective_bias,
    gap_class,
    label,
    pieces,
)
from core.evidence.ad_timeline import DT, Timeline

BIAS = np.round(np.arange(-5.0, 0.01, 1.0), 2)  # every fit so far chose -4 .. -2
COSTS = (0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)  # log-odds x seconds
SPLIT_NOVELTY = (NEVER, 2.0, 1.5, 1.0, 0.75)  # the cost of a split at a plain cut, in picture change
STANDARD_BONUS = tuple(float(v) for v in os.environ.get("LONGWATCH_STANDARD_BONUS", "0,0.5,1,2").split(","))
MEDIAN_MARGIN = (NEVER, 0.0, 1.0)  # the bias is at least the recording's median tick plus this
MIN_ADVERT_S = tuple(float(v) for v in os.environ.get("LONGWATCH_MIN_ADVERT_S", "6").split(","))


def grid() -> list[SegmentParams]:
    out = []
    for bias, cut, sep, both, split, margin, shortest, bonus in itertools.product(
            BIAS, COSTS, COSTS, COSTS, SPLIT_NOVELTY, MEDIAN_MARGIN, MIN_ADVERT_S, STANDARD_BONUS):
        if cut >= sep >= both and (split < NEVER or bonus == 0.0):
            out.append(SegmentParams(float(bias), cut, sep, both, min_advert_s=shortest, split_novelty=split,
                                     median_margin=margin, standard_bonus=bonus))
    return out


@dataclass(frozen=True)
class TickData:
    rec: Recording
    tl: Timeline
    x: np.ndarray  # (n_ticks, n_material_features)
    y: np.ndarray  # (n_ticks,) inside a true advert


def tick_data(rec: Recording, names: tuple[str, ...] | None = None) -> TickData:
    tl = Timeline.load(rec.db(), rec.fingerprint())
    t = (np.arange(tl.n) + 0.5) * DT
    y = np.zeros(tl.n, bool)
    for a, b in rec.adverts:
        y |= (t >= a) & (t < b)
    from benchmarks.ads_fit import TICK_FEATURES

    return TickData(rec, tl, material_features(tl, names or TICK_FEATURES), y)


def with_columns(d: TickData, have: tuple[str, ...], names: tuple[str, ...]) -> TickData:
    """``d`` (tick features ``have``) narrowed to the columns ``names``, with no second load of the timeline."""
    return TickData(d.rec, d.tl, d.x[:, [have.index(n) for n in names]], d.y)


def without_logo(d: TickData, names: tuple[str, ...]) -> TickData:
    """``d`` as if its channel showed no logo: the logo columns missing (NaN), as ``material_features`` leaves
    them on a recording where none is found."""
    x = d.x.copy()
    x[:, [k for k, n in enumerate(names) if "logo" in n]] = np.nan
    return TickData(d.rec, d.tl, x, d.y)


def counts(d: TickData, z: np.ndarray, params: list[SegmentParams]) -> np.ndarray:
    """(len(params), 6) break tp / predicted / true and advert tp / predicted / true for one recording."""
    p = pieces(d.tl, z)
    classes = gap_class(d.tl.gaps)
    median = float(np.median(z)) if z.size else None  # taken once for the whole grid
    bias = np.array([effective_bias(z, q, median) for q in params])
    costs = np.array([q.costs() for q in params])
    labels = label(p, classes, bias, costs)
    kinds, novelty = d.tl.gaps.kinds(), gap_novelty(d.tl)
    out = np.zeros((len(params), 6), np.int64)
    truth_b, truth_a = list(d.rec.breaks), list(d.rec.adverts)
    seen: dict[tuple[bytes, float, float, float, float], tuple[int, ...]] = {}
    for m, q in enumerate(params):
        # the breaks depend on the labels and the splitting constants only: most of the grid repeats them
        key = (np.packbits(labels[m]).tobytes(), q.min_break_s, q.min_advert_s, q.split_novelty, q.standard_bonus)
        if key not in seen:
            found = breaks_from_labels(p, kinds, labels[m], q, novelty)
            b, a = Tally(), Tally()
            b.add([(float(p.start_s[i]), float(p.end_s[j])) for (i, j), _ in found], truth_b)
            a.add([(float(p.start_s[i]), float(p.end_s[j])) for _, parts in found for i, j in parts], truth_a)
            seen[key] = (b.tp, b.n_pred, b.n_truth, a.tp, a.n_pred, a.n_truth)
        out[m] = seen[key]
    return out


def f1(tp: np.ndarray, n_pred: np.ndarray, n_truth: np.ndarray) -> np.ndarray:
    p = np.where(n_pred > 0, tp / np.maximum(n_pred, 1), np.where(n_truth > 0, 0.0, 1.0))
    r = np.where(n_truth > 0, tp / np.maximum(n_truth, 1), 1.0)
    return np.where(p + r > 0, 2 * p * r / np.maximum(p + r, 1e-12), 0.0)


def objective(c: np.ndarray) -> np.ndarray:
    """(m,) mean of break and advert F1 from pooled (m, 6) counts."""
    return 0.5 * (f1(c[:, 0], c[:, 1], c[:, 2]) + f1(c[:, 3], c[:, 4], c[:, 5]))


def best(c: np.ndarray, params: list[SegmentParams]) -> int:
    """Index of the best parameter set; ties go to the fewest splits at cuts, the largest costs, then the bias
    nearest 0 (the plainest)."""
    score = np.round(objective(c), 9)
    top = np.flatnonzero(score == score.max())
    return int(max(top, key=lambda m: (params[m].split_novelty, params[m].switch_cut + params[m].switch_separator,
                                       -abs(params[m].bias))))


def objective_of(cv: dict) -> float:  # type: ignore[type-arg]
    """The number the decoders are compared by: mean over folds of (break F1 + advert F1) / 2."""
    return 0.5 * (float(cv["break_f1"]) + float(cv["advert_f1"]))


def fit_segments(data: list[TickData], fold_of: np.ndarray, tick_model_without,
                 log=print) -> tuple[SegmentParams, dict]:
    """(constants fitted on all recordings, CV report); ``tick_model_without(frozenset of folds)`` -> AdModel."""
    params = grid()
    per_rec = []
    for i, d in enumerate(data):
        z = tick_model_without(frozenset({int(fold_of[i])})).logit(d.x)
        per_rec.append(counts(d, z, params))
    per_rec_arr = np.stack(per_rec)  # (n_rec, m, 6)
    folds = sorted(set(int(f) for f in fold_of))
    per_fold, fold_params = [], []
    for k in folds:
        inside = fold_of == k
        m = best(per_rec_arr[~inside].sum(axis=0), params)
        c = per_rec_arr[inside, m].sum(axis=0)
        per_fold.append({"break_f1": float(f1(c[0], c[1], c[2])), "advert_f1": float(f1(c[3], c[4], c[5])),
                         "breaks": f"{c[0]}/{c[2]} ({c[1]} reported)", "adverts": f"{c[3]}/{c[5]} ({c[4]} reported)"})
        fold_params.append(params[m].to_json())
    m_all = best(per_rec_arr.sum(axis=0), params)
    pooled = per_rec_arr[:, m_all].sum(axis=0)
    report = {"folds": len(folds), "by": "recording", "nested": True, "per_fold": per_fold, "fold_params": fold_params,
              "break_f1": float(np.mean([f["break_f1"] for f in per_fold])),
              "advert_f1": float(np.mean([f["advert_f1"] for f in per_fold])),
              "chosen_on_all": {"params": params[m_all].to_json(), "break_f1": float(f1(*pooled[:3])),
                                "advert_f1": float(f1(*pooled[3:]))}, "grid_size": len(params)}
    log(f"segments: nested CV break F1 {report['break_f1']:.3f} advert F1 {report['advert_f1']:.3f}; "
        f"on all training recordings {params[m_all]} -> {report['chosen_on_all']}")
    return params[m_all], report


def main() -> None:
    from benchmarks.ads_fit import Materials, fold_ids

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_corpus_args(ap)
    ap.add_argument("--folds", type=int, default=4)
    ap.add_argument("--built", action="store_true", help="use the training recordings already built, build none")
    args = ap.parse_args()
    from benchmarks.ads_diagnose import built

    train = [r for r in (built(args.corpus) if args.built else prepare(args))
             if r.split == "train" and int(r.name.split("_")[1]) < args.train]
    data = [tick_data(r) for r in train]
    fold_of = fold_ids([r.kind for r in train], args.folds)
    materials = Materials([(d.x, d.y) for d in data], fold_of)

    def without(folds: frozenset[int]) -> AdModel:
        return materials.without(folds)

    _, report = fit_segments(data, fold_of, without)
    import json

    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
