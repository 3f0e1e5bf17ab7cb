"""Fit the advert classifier on the training recordings of the corpus and write resources/models/ads.json.

    .venv/bin/pip install -c constraints.txt -e ".[bench]"      # scikit-learn (only the fitter needs it)
    .venv/bin/python benchmarks/ads_fit.py [--corpus DIR] [--train 12 --test 8 --minutes 3] [--blocks ...]

1. ``ads_eval.prepare`` builds the corpus (or reuses it) and its evidence.
2. Every candidate advert of every *training* recording (``core.evidence.ad_features``) is a row; it is positive
   when both its ends lie within ``TOL_S`` of one true advert's first frame and end. Held-out recordings are never
   read here.
   With the ``material`` block (the default), every second tick (0.5 s) of every training recording is also a row
   of the tick classifier (``core.evidence.ad_features.material_features``; positive inside a true advert). The
   candidate rows of a recording get the material features from a tick classifier fitted on *other* folds only,
   so the candidate model learns how far out-of-sample tick scores can be trusted.
3. Two kinds of classifier, boosted trees and a logistic regression, are cross-validated by recording
   (``fold_ids``: every fold holds recordings of every kind; a fold never sees its own recordings): the model is fitted on the
   other folds (its tick classifiers on the other folds' other folds) and its decisions decoded on the held-out fold at several decision points; the point with the best
   mean of break F1 and advert F1 over the folds becomes ``decision_logit``. The fold scores are written into the
   model file (``info.cv``).
   The kind with the better cross-validated score is kept.
4. The labelling decoder (``benchmarks/ads_fit_segments.py``: the tick classifier alone, with a fitted bias and
   switch costs) is cross-validated on the same folds (nested: its constants are chosen on the other folds). When
   its mean of break and advert F1 beats the candidate decoder's, the model file carries its constants
   (``segments``) and ``detect_ad_breaks`` labels instead of classifying candidates. It is fitted once per entry
   of ``TICK_SETS`` (``--tick-sets``): a tick feature set, and whether logo-less copies of the training
   recordings join the fit. With ``--dev``, the development recordings choose among all of these.
5. The chosen kind is fitted on all training rows and written as JSON (``core.evidence.ad_model``); for trees the
   script checks that the numpy evaluation equals scikit-learn's.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.ads_eval import Recording, Tally, add_corpus_args, development, median, prepare
from core.evidence.ad_features import (
    ALL_MATERIAL_FEATURES,
    BLOCK_FEATURES,
    MATERIAL_FEATURES,
    SPOT_FEATURES,
    STRUCTURE_FEATURES,
    add_material,
    candidates,
    feature_names,
    features,
    material_block,
    material_features,
)
from core.evidence.ad_model import AdModel, Tree
from core.evidence.ad_timeline import DT, Timeline
from core.evidence.ads import Scored, decode

TOL_S = 0.6  # a candidate is the advert when both ends are this close
DEFAULT_BLOCKS = ("boundary", "interior", "separator", "logo", "material")  # no text: the corpus pass runs no OCR / speech
MODEL_PATH = Path(__file__).resolve().parents[1] / "resources" / "models" / "ads.json"
# Small trees with large leaves: positives are a few dozen whole adverts, and bigger trees (15 leaves of >= 10
# rows, 200 rounds, the first model) learn single adverts. Chosen among three settings by out-of-fold break and
# advert F1 on the first 12 training recordings (benchmarks/ads_diagnose.py, then with round-robin folds): 0.64 /
# 0.54 (15 leaves, >= 10 rows), 0.73 / 0.67 (7, >= 40), 0.86 / 0.76 (5, >= 80). At 28 recordings with the folds of
# fold_ids the two ends are level (0.77 / 0.80 vs 0.75 / 0.82; benchmarks/RESULTS.md).
PARAMS = {"max_iter": 150, "learning_rate": 0.08, "max_leaf_nodes": 5, "min_samples_leaf": 80,
          "l2_regularization": 1.0, "random_state": 0}
if os.environ.get("LONGWATCH_ADS_PARAMS"):  # for experiments on the training folds: JSON overrides
    PARAMS = {**PARAMS, **json.loads(os.environ["LONGWATCH_ADS_PARAMS"])}
MATERIAL_PARAMS = {"max_iter": 150, "learning_rate": 0.1, "max_leaf_nodes": 15, "min_samples_leaf": 40,
                   "l2_regularization": 1.0, "random_state": 0}
if os.environ.get("LONGWATCH_TICK_PARAMS"):  # likewise for the tick classifier
    MATERIAL_PARAMS = {**MATERIAL_PARAMS, **json.loads(os.environ["LONGWATCH_TICK_PARAMS"])}
TICK_FEATURES = MATERIAL_FEATURES  # the tick classifier behind the candidate model's material block
TICK_STEP = 2  # every 2nd tick (0.5 s) is a row of the tick classifier
LINEAR_C = 0.1  # inverse L2 strength of the logistic regression on standardised features


def rows(rec: Recording, names: list[str]) -> tuple[Scored, np.ndarray]:
    """The recording's candidates (as a Scored with zero margin) and their labels."""
    db = rec.db()
    tl = Timeline.load(db, rec.fingerprint())
    c = candidates(tl)
    x = features(tl, c, names)
    y = np.zeros(c.n, bool)
    for a, b in rec.adverts:
        y |= (np.abs(c.start_s - a) <= TOL_S) & (np.abs(c.end_s - b) <= TOL_S)
    return Scored(tl, c, x, np.zeros(c.n), tuple(names)), y


def tick_rows(rec: Recording, s: Scored) -> tuple[np.ndarray, np.ndarray]:
    """Every tick's material features (all ticks: the candidate features need them) and its label."""
    tl = s.timeline
    t = (np.arange(tl.n) + 0.5) * DT
    y = np.zeros(tl.n, bool)
    for a, b in rec.adverts:
        y |= (t >= a) & (t < b)
    return material_features(tl, TICK_FEATURES), y


def fit_material(x: np.ndarray, y: np.ndarray, names: tuple[str, ...] | None = None) -> AdModel:
    """The tick classifier on every TICK_STEP-th tick of the given recordings (columns ``names``)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    est = HistGradientBoostingClassifier(**MATERIAL_PARAMS).fit(x, y)
    model = export(est, list(names or TICK_FEATURES), 0.0, {"kind": "trees", "params": MATERIAL_PARAMS,
                                                       "ticks": len(y), "advert_ticks": int(y.sum())})
    assert np.allclose(model.logit(x[:2000]), est.decision_function(x[:2000]), atol=1e-6), "numpy != scikit-learn"
    return model


def uses_material(names: list[str] | tuple[str, ...]) -> bool:
    return bool(set(names) & set(BLOCK_FEATURES["material"]))


def with_material(s: Scored, material: AdModel, tick_x: np.ndarray) -> Scored:
    """``s`` with its material columns computed from ``material``'s log-odds on the recording's ticks."""
    add_material(s.timeline, material.logit(tick_x))
    block = material_block(s.timeline, s.cands)
    x = s.x.copy()
    for col, name in enumerate(s.names):
        if name in block:
            x[:, col] = block[name]
    return Scored(s.timeline, s.cands, x, s.margin, s.names)


class Materials:
    """Tick classifiers fitted with some folds left out, each fitted once (by the set of folds left out)."""

    def __init__(self, ticks: list[tuple[np.ndarray, np.ndarray]], fold_of: np.ndarray,
                 names: tuple[str, ...] | None = None) -> None:
        self.ticks, self.fold_of, self.cache = ticks, fold_of, {}  # type: ignore[var-annotated]
        self.names = names or TICK_FEATURES

    def without(self, folds: frozenset[int]) -> AdModel:
        if folds not in self.cache:
            use = [i for i in range(len(self.ticks)) if int(self.fold_of[i]) not in folds]
            x = np.vstack([self.ticks[i][0][::TICK_STEP] for i in use])
            y = np.concatenate([self.ticks[i][1][::TICK_STEP] for i in use])
            self.cache[folds] = fit_material(x, y, self.names)
        return self.cache[folds]


def fold_ids(kinds: list[str], folds: int) -> np.ndarray:
    """The fold of each recording: the recordings sorted by kind go round the folds, so every fold holds
    broadcasts, films and programmes alike. The round-robin by index that ``GroupKFold`` gives on this corpus (it
    draws the kinds in turn) put all films, and all programmes, in one fold: that fold's model had seen no
    spliced advert, and a programme fold was scored on false alarms alone."""
    if len(kinds) < folds:
        raise SystemExit(f"{len(kinds)} training recordings cannot make {folds} folds; build more (--train) "
                         "or pass a smaller --folds")
    out = np.zeros(len(kinds), np.int64)
    for r, i in enumerate(sorted(range(len(kinds)), key=lambda i: (kinds[i], i))):
        out[i] = r % folds
    return out


def fit(x: np.ndarray, y: np.ndarray, kind: str, names: list[str]) -> AdModel:
    """The classifier of ``kind`` ("trees" or "linear") fitted on the rows, as an AdModel (decision point 0)."""
    pos = max(1, int(y.sum()))
    weight = np.where(y, min(50.0, (len(y) - pos) / pos), 1.0)  # positives are rare: ~1 in 1000 candidates
    if kind == "linear":
        from sklearn.linear_model import LogisticRegression

        with np.errstate(all="ignore"):
            mean = np.nan_to_num(np.nanmean(x, axis=0))
            scale = np.nan_to_num(np.nanstd(x, axis=0), nan=1.0)
        scale = np.where(scale > 1e-9, scale, 1.0)
        z = np.nan_to_num((x - mean) / scale, nan=0.0, posinf=0.0, neginf=0.0)
        lr = LogisticRegression(C=LINEAR_C, max_iter=5000).fit(z, y, sample_weight=weight)
        return AdModel(tuple(names), float(lr.intercept_[0]), (), 0.0, {"kind": "linear", "C": LINEAR_C},
                       (mean, scale, lr.coef_[0].astype(np.float64)))
    from sklearn.ensemble import HistGradientBoostingClassifier

    est = HistGradientBoostingClassifier(**PARAMS).fit(x, y, sample_weight=weight)
    model = export(est, names, 0.0, {"kind": "trees", "params": PARAMS})
    check = x[: min(len(x), 5000)]
    assert np.allclose(model.logit(check), est.decision_function(check), atol=1e-6), "numpy trees != scikit-learn"
    return model


def export(est, names: list[str], decision_logit: float, info: dict) -> AdModel:
    trees = []
    for (predictor,) in est._predictors:
        n = predictor.nodes
        trees.append(Tree(n["feature_idx"].astype(np.int64), n["num_threshold"].astype(np.float64),
                          n["left"].astype(np.int64), n["right"].astype(np.int64), n["missing_go_to_left"].astype(bool),
                          n["is_leaf"].astype(bool), n["value"].astype(np.float64)))
    return AdModel(tuple(names), float(np.ravel(est._baseline_prediction)[0]), tuple(trees), decision_logit, info)


def evaluate(scored: list[tuple[Recording, Scored]], logits: list[np.ndarray], thr: float) -> dict[str, float]:
    breaks, adverts, errors = Tally(), Tally(), []
    for (rec, s), z in zip(scored, logits, strict=True):
        found = decode(Scored(s.timeline, s.cands, s.x, z - thr, s.names))
        breaks.add([(b.start, b.end) for b in found], list(rec.breaks), errors)
        adverts.add([(a.start, a.end) for b in found for a in b.adverts], list(rec.adverts))
    return {"break_f1": breaks.f1, "advert_f1": adverts.f1, "boundary_s": median(errors)}


def out_of_fold(data: list[tuple[Recording, Scored, np.ndarray]], folds: int, kind: str,
                materials: Materials | None = None, ticks: list[tuple[np.ndarray, np.ndarray]] | None = None
                ) -> list[tuple[int, list[tuple[Recording, Scored]], list[np.ndarray]]]:
    """Per fold: its recordings (with material features from tick classifiers that never saw them) and the
    log-odds of a candidate model fitted on the other folds."""
    fold_of = fold_ids([r.kind for r, _, _ in data], folds)
    names = list(data[0][1].names)
    out = []
    for k in range(folds):
        train_idx = np.flatnonzero(fold_of != k)
        val_idx = np.flatnonzero(fold_of == k)
        scored = {int(i): data[i][1] for i in range(len(data))}
        if materials is not None and ticks is not None:  # the tick classifier never saw the rows it describes
            for i in train_idx:
                scored[int(i)] = with_material(data[i][1], materials.without(frozenset({k, int(fold_of[i])})),
                                               ticks[i][0])
            for i in val_idx:
                scored[int(i)] = with_material(data[i][1], materials.without(frozenset({k})), ticks[i][0])
        model = fit(np.vstack([scored[int(i)].x for i in train_idx]), np.concatenate([data[i][2] for i in train_idx]),
                    kind, names)
        val = [(data[i][0], scored[int(i)]) for i in val_idx]
        out.append((k, val, [model.logit(s.x) if s.cands.n else np.zeros(0) for _, s in val]))
    return out


def cross_validate(data: list[tuple[Recording, Scored, np.ndarray]], folds: int, grid: np.ndarray,
                   kind: str, materials: Materials | None = None,
                   ticks: list[tuple[np.ndarray, np.ndarray]] | None = None) -> tuple[float, float, list[dict[str, float]]]:
    """(best decision point, its mean of break and advert F1, per-fold scores at it)."""
    per_thr: dict[float, list[dict[str, float]]] = {float(t): [] for t in grid}
    for _, val, logits in out_of_fold(data, folds, kind, materials, ticks):
        for t in grid:
            per_thr[float(t)].append(evaluate(val, logits, float(t)))
    score = {t: np.mean([0.5 * (r["break_f1"] + r["advert_f1"]) for r in rs]) for t, rs in per_thr.items()}
    best = max(score, key=lambda t: (score[t], -abs(t)))
    return best, float(score[best]), per_thr[best]


# The tick feature sets the segments decoder tries, and whether training adds a logo-less copy of every recording
# with a logo. Most logo-less training recordings are films and programmes (few adverts), so without copies the
# classifier learns "no logo found, little advert" and misses breaks on channels that show none.
TICK_SETS: dict[str, tuple[tuple[str, ...], bool]] = {
    "all": (MATERIAL_FEATURES, False),
    "structure": (STRUCTURE_FEATURES, False),
    "structure+logo-less copies": (STRUCTURE_FEATURES, True),
    "structure+spots": (STRUCTURE_FEATURES + SPOT_FEATURES, False),
    "structure+spots+logo-less copies": (STRUCTURE_FEATURES + SPOT_FEATURES, True),
}
DEFAULT_TICK_SETS = [k for k in TICK_SETS if k != "all"]  # "all" learns the training footage (RESULTS.md)


def dev_score(model: AdModel, recs: list[Recording]) -> dict[str, float | str]:
    """Break and advert F1 of ``model`` on the development recordings, and false alarms on their programmes."""
    from core.evidence import detect_ad_breaks

    breaks, adverts, errors, false_s, programme_s = Tally(), Tally(), [], 0.0, 0.0
    for r in recs:
        found = detect_ad_breaks(r.db(), r.fingerprint(), model=model)
        breaks.add([(b.start, b.end) for b in found], list(r.breaks), errors)
        adverts.add([(a.start, a.end) for b in found for a in b.adverts], list(r.adverts))
        if r.kind == "programme":
            false_s += sum(b.end - b.start for b in found)
            programme_s += r.duration_s
    return {"break_f1": breaks.f1, "advert_f1": adverts.f1, "boundary_s": median(errors),
            "breaks": f"{breaks.tp}/{breaks.n_truth} ({breaks.n_pred} reported)",
            "adverts": f"{adverts.tp}/{adverts.n_truth} ({adverts.n_pred} reported)",
            "false_alarm_s_per_h": 3600.0 * false_s / programme_s if programme_s else float("nan")}


def choose_decoder(args: argparse.Namespace, train: list[Recording], dev: list[Recording], fold_of: np.ndarray,
                   candidate: AdModel) -> AdModel:
    """The candidate model, or a labelling decoder (per tick feature set): the best on the development recordings
    (mean of break and advert F1), or by training CV when there are none."""
    from benchmarks.ads_fit_segments import fit_segments, objective_of, tick_data, with_columns, without_logo

    choices: dict[str, AdModel] = {"candidates": candidate} if "candidates" in args.decoders else {}
    if "segments" in args.decoders:
        every = [tick_data(r, ALL_MATERIAL_FEATURES) for r in train]  # each timeline loaded once for all sets
        for set_name in args.tick_sets:
            cols, copies = TICK_SETS[set_name]
            data, folds = [with_columns(d, ALL_MATERIAL_FEATURES, cols) for d in every], fold_of
            if copies:  # each copy sits in its original's fold, so the CV stays by recording
                extra = [i for i, d in enumerate(data) if d.tl.logo.found]
                data = data + [without_logo(data[i], cols) for i in extra]
                folds = np.concatenate([fold_of, fold_of[extra]])
            mats = Materials([(d.x, d.y) for d in data], folds, cols)
            params, cv = fit_segments(data, folds, mats.without, log=lambda m: print(m, file=sys.stderr))
            tick = mats.without(frozenset())
            info = {"decoder": "segments", "tick_features": set_name, "cv": cv, "material": tick.info,
                    "fitted": candidate.info["fitted"], "corpus": candidate.info["corpus"],
                    "recordings": candidate.info["recordings"], "candidate_cv": candidate.info["cv"]}
            choices[f"segments/{set_name}"] = AdModel((), 0.0, (), 0.0, info, None, tick, params)
    dev_scores = {k: dev_score(m, dev) for k, m in choices.items()} if dev else {}
    for k, v in dev_scores.items():
        print(f"development {k}: {v}", file=sys.stderr)
    if dev_scores:
        best = max(dev_scores, key=lambda k: objective_of(dev_scores[k]))  # type: ignore[arg-type]
    else:
        best = max(choices, key=lambda k: objective_of(choices[k].info["cv"]))
    chosen = choices[best]
    info = {**chosen.info, "development": {"recordings": [r.name for r in dev], "scores": dev_scores,
                                           "chosen": best}}
    return AdModel(chosen.features, chosen.baseline, chosen.trees, chosen.decision_logit, info, chosen.linear,
                   chosen.material, chosen.segments)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_corpus_args(ap)
    ap.add_argument("--blocks", nargs="*", default=list(DEFAULT_BLOCKS), choices=list(BLOCK_FEATURES))
    ap.add_argument("--folds", type=int, default=4)
    ap.add_argument("--kinds", nargs="*", default=["trees", "linear"], choices=["trees", "linear"])
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument("--tick-sets", nargs="*", default=DEFAULT_TICK_SETS, choices=list(TICK_SETS),
                    help="tick feature sets the labelling decoder is fitted with (one fit each, ~30 s)")
    ap.add_argument("--decoders", nargs="*", default=["candidates", "segments"], choices=["candidates", "segments"],
                    help="decoders to cross-validate; the better one is shipped (segments needs the material block)")
    args = ap.parse_args()
    names = feature_names(tuple(args.blocks))
    recs = prepare(args)
    train = [r for r in recs if r.split == "train"]
    data = [(r, *rows(r, names)) for r in train]
    ticks = [tick_rows(r, s) for r, s, _ in data] if uses_material(names) else None
    fold_of = fold_ids([r.kind for r, _, _ in data], args.folds)
    materials = Materials(ticks, fold_of) if ticks is not None else None
    y = np.concatenate([lab for _, _, lab in data])
    print(f"{len(train)} training recordings, {len(y)} candidates, {int(y.sum())} adverts matched "
          f"of {sum(len(r.adverts) for r in train)}", file=sys.stderr)
    grid = np.arange(-4.0, 6.01, 0.5)
    kinds = args.kinds if "candidates" in args.decoders else args.kinds[:1]
    tried = {kind: cross_validate(data, args.folds, grid, kind, materials, ticks) for kind in kinds}
    for kind, (t, sc, _) in tried.items():
        print(f"cv {kind}: decision point {t:+.1f}, mean of break and advert F1 {sc:.3f}", file=sys.stderr)
    kind = max(tried, key=lambda k: tried[k][1])
    thr, _, folds = tried[kind]
    material = None
    if materials is not None and ticks is not None:  # candidate rows from out-of-fold tick scores, as in the CV
        final = [with_material(s, materials.without(frozenset({int(fold_of[i])})), ticks[i][0])
                 for i, (_, s, _) in enumerate(data)]
        x = np.vstack([s.x for s in final])
        material = materials.without(frozenset())
    else:
        x = np.vstack([s.x for _, s, _ in data])
    fitted = fit(x, y, kind, names)
    info = {"kind": kind, "cv_by_kind": {k: v[1] for k, v in tried.items()}, "linear_c": LINEAR_C,"fitted": datetime.date.today().isoformat(), "corpus": str(args.corpus), "recordings": [r.name for r in train],
            "candidates": len(y), "positives": int(y.sum()), "params": PARAMS, "tolerance_s": TOL_S,
            "cv": {"folds": args.folds, "by": "recording", "per_fold": folds,
                   "break_f1": float(np.mean([f["break_f1"] for f in folds])),
                   "advert_f1": float(np.mean([f["advert_f1"] for f in folds]))}}
    if material is not None:
        info["material"] = material.info
    candidate = AdModel(fitted.features, fitted.baseline, fitted.trees, thr, info, fitted.linear, material)
    model = choose_decoder(args, train, development(recs, args.dev), fold_of, candidate)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model.to_json(), separators=(",", ":")))
    print(json.dumps({"decoder": model.info.get("decoder", "candidates"), **model.info["cv"],
                      "development": model.info.get("development")}, indent=1))
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} kB)", file=sys.stderr)


if __name__ == "__main__":
    main()
