"""Why the advert model misses or invents adverts on the *training* recordings, from out-of-fold scores.

    .venv/bin/python benchmarks/ads_diagnose.py [--corpus DIR] [--train 12 --test 8 --minutes 3] [--folds 4]
    .venv/bin/python benchmarks/ads_diagnose.py --built      # only the training recordings already built

Each training recording is scored by a model fitted on the other folds (by recording, ``ads_fit.fold_ids``, as
``ads_fit.py`` cross-validates), decoded at the best pooled decision point (or ``--decision``), and reported: for every true
advert whether a candidate with both ends within ``TOL_S`` exists at all (else the gaps nearest its ends), its
out-of-fold margin and whether the decoder kept it; for every reported advert that matches none, its span and
reasons. Held-out recordings are never read. Nothing is written; the output is for reading.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.ads_eval import Recording, _recording, add_corpus_args, iou, prepare
from benchmarks.ads_fit import (
    DEFAULT_BLOCKS,
    TOL_S,
    Materials,
    evaluate,
    fold_ids,
    out_of_fold,
    rows,
    tick_rows,
    uses_material,
)
from core.evidence.ad_features import BLOCK_FEATURES, feature_names
from core.evidence.ads import Scored, decode


def built(corpus: Path) -> list[Recording]:
    """The recordings in ``corpus`` whose evidence pass has finished (a build may still be running)."""
    out = []
    for meta in sorted(corpus.glob("*.json")):
        if meta.name != "corpus.json" and not meta.name.endswith(".pass.json") and \
                meta.with_name(meta.stem + ".pass.json").exists():
            t = json.loads(meta.read_text())
            out.append(_recording({**t, "path": str(meta.with_suffix(".mp4"))}, corpus))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_corpus_args(ap)
    ap.add_argument("--blocks", nargs="*", default=list(DEFAULT_BLOCKS), choices=list(BLOCK_FEATURES))
    ap.add_argument("--folds", type=int, default=4)
    ap.add_argument("--kind", default="trees", choices=["trees", "linear"])
    ap.add_argument("--decision", type=float, default=None, help="decision logit (default: the best pooled out-of-fold one)")
    ap.add_argument("--built", action="store_true", help="use the training recordings already built, build none")
    args = ap.parse_args()
    names = feature_names(tuple(args.blocks))
    train = [r for r in (built(args.corpus) if args.built else prepare(args))
             if r.split == "train" and int(r.name.split("_")[1]) < args.train]
    data = [(r, *rows(r, names)) for r in train]
    ticks = [tick_rows(r, s) for r, s, _ in data] if uses_material(names) else None
    materials = Materials(ticks, fold_ids([r.kind for r, _, _ in data], args.folds)) if ticks is not None else None
    scored = [(rec, s, z) for _, val, logits in out_of_fold(data, args.folds, args.kind, materials, ticks)
              for (rec, s), z in zip(val, logits, strict=True)]
    thr_grid = np.arange(-4.0, 6.01, 0.5)
    by_thr = {float(t): evaluate([(r, s) for r, s, _ in scored], [z for _, _, z in scored], float(t)) for t in thr_grid}
    for t, v in by_thr.items():
        print(f"decision {t:+.1f}: break F1 {v['break_f1']:.2f} advert F1 {v['advert_f1']:.2f}")
    thr = (args.decision if args.decision is not None else
           max(by_thr, key=lambda t: (by_thr[t]["break_f1"] + by_thr[t]["advert_f1"], -abs(t))))
    print(f"decoding at decision point {thr:+.1f}")
    for rec, s, zz in sorted(scored, key=lambda r: r[0].name):
        z = zz - thr
        found = decode(Scored(s.timeline, s.cands, s.x, z, s.names))
        ads = [a for b in found for a in b.adverts]
        print(f"\n{rec.name} ({rec.kind}, {rec.duration_s:.0f} s, logo {'yes' if s.timeline.logo.found else 'no'}, "
              f"{s.cands.n} candidates, {s.timeline.gaps.n} gaps)")
        print(f"  breaks truth {[(round(a, 1), round(b, 1)) for a, b in rec.breaks]}")
        print(f"  breaks found {[(round(b.start, 1), round(b.end, 1)) for b in found]}")
        g = s.timeline.gaps
        for a, b in rec.adverts:
            hit = np.flatnonzero((np.abs(s.cands.start_s - a) <= TOL_S) & (np.abs(s.cands.end_s - b) <= TOL_S))
            kept = any(iou((ad.start, ad.end), (a, b)) >= 0.5 for ad in ads)
            if hit.size:
                best = hit[np.argmax(z[hit])]
                print(f"  advert {a:6.1f}-{b:6.1f} ({b - a:4.1f} s) cand margin {z[best]:+6.2f} "
                      f"{'FOUND' if kept else 'missed'}")
            else:
                ra = g.right_s[np.argmin(np.abs(g.right_s - a))]
                lb = g.left_s[np.argmin(np.abs(g.left_s - b))]
                print(f"  advert {a:6.1f}-{b:6.1f} ({b - a:4.1f} s) NO CANDIDATE: nearest gaps start {ra - a:+.2f} "
                      f"end {lb - b:+.2f} {'(found anyway)' if kept else ''}")
        for ad in ads:
            if not any(iou((ad.start, ad.end), t) >= 0.5 for t in rec.adverts):
                print(f"  false  {ad.start:6.1f}-{ad.end:6.1f} p {ad.score:.2f}: {'; '.join(ad.why)}")


if __name__ == "__main__":
    main()
