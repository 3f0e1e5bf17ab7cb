"""Shared by the ad benchmarks: the corpus with its evidence, and the scoring (break / advert matching at IoU 0.5).

``prepare`` writes the recordings that are missing (``benchmarks/ads_corpus.py``) and runs the evidence pass on
each into its own database beside it (``NAME.evidence.db``), ``workers`` recordings at a time; the wall and CPU
seconds of each pass are kept in ``NAME.pass.json``. Everything is reused on the next run.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import ads_corpus
from core.evidence import EvidenceOptions, run_evidence
from core.store import open_db

# The corpus pass: frames (statistics, shots, black frames, logo edges) and audio (levels, silences). The shipped
# model uses no OCR or transcript features, so its decisions do not depend on those stages.
CORPUS_OPTIONS = EvidenceOptions(ocr=False, speech=False, subtitles=False)
Span = tuple[float, float]


@dataclass(frozen=True)
class Recording:
    name: str
    kind: str  # broadcast, film, programme
    split: str  # train, test
    path: Path
    db_path: Path
    duration_s: float
    adverts: tuple[Span, ...]
    breaks: tuple[Span, ...]
    sources: tuple[str, ...]  # programme source, then advert sources
    pass_s: float  # wall seconds of the evidence pass
    pass_cpu_s: float

    def db(self):
        return open_db(self.db_path)

    def fingerprint(self) -> str:
        return str(next(iter(self.db().query("SELECT fingerprint FROM videos")))["fingerprint"])


def add_corpus_args(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--corpus", type=Path, default=Path.home() / ".cache/longwatch/ads-corpus")
    ap.add_argument("--train", type=int, default=12, help="training recordings")
    ap.add_argument("--test", type=int, default=8, help="recordings outside training (development + held out)")
    ap.add_argument("--dev", type=int, default=0,
                    help="the first DEV of the --test recordings are the development set: ads_fit.py chooses the "
                         "decoder and the tick features on them, ads.py leaves them out and reports the rest")
    ap.add_argument("--dev-from", type=int, default=0,
                    help="leave out (neither build nor score) the --test recordings before this one: development "
                         "runs from DEV_FROM to DEV, so an earlier stretch that is no longer needed costs no time")
    ap.add_argument("--minutes", type=float, default=3.0, help="programme minutes of a broadcast recording")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--footage", type=Path, nargs="*", help="footage files or folders instead of benchmarks.footage")


def _prepare_one(job: tuple[ads_corpus.Plan, Path]) -> dict[str, object]:
    plan, out = job
    os.nice(5)
    t = ads_corpus.ensure_recording(plan, out)
    db_path = out / f"{plan.name}.evidence.db"
    timing = out / f"{plan.name}.pass.json"
    if not timing.exists():
        db_path.unlink(missing_ok=True)
        began, cpu = time.perf_counter(), time.process_time()
        run_evidence(open_db(db_path), Path(str(t["path"])), CORPUS_OPTIONS)
        timing.write_text(json.dumps({"wall_s": time.perf_counter() - began, "cpu_s": time.process_time() - cpu}))
        print(f"evidence {plan.name} done", file=sys.stderr, flush=True)
    return t


def prepare(args: argparse.Namespace) -> list[Recording]:
    ads_corpus.check_tools()
    files = ([f for p in args.footage for f in (p.rglob("*") if p.is_dir() else [p]) if f.is_file()]
             if args.footage else ads_corpus.footage_files())
    sources, plans = ads_corpus.plans_for(files, args.train, args.test, args.minutes)
    plans = [p for p in plans if p.split == "train" or int(p.name.split("_")[1]) >= args.dev_from]
    out: Path = args.corpus
    out.mkdir(parents=True, exist_ok=True)
    jobs = [(p, out) for p in plans]
    if args.workers > 1:
        with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
            manifest = pool.map(_prepare_one, jobs, chunksize=1)
    else:
        manifest = [_prepare_one(j) for j in jobs]
    ads_corpus.write_manifest(out, sources, manifest)
    return [_recording(t, out) for t in manifest]


def _recording(t: dict, out: Path) -> Recording:  # type: ignore[type-arg]
    timing = json.loads((out / f"{t['name']}.pass.json").read_text())
    return Recording(str(t["name"]), str(t["kind"]), str(t["split"]), Path(t["path"]), out / f"{t['name']}.evidence.db",
                     float(t["duration_s"]), tuple((a["start_s"], a["end_s"]) for a in t["adverts"]),
                     tuple((b["start_s"], b["end_s"]) for b in t["breaks"]),
                     (str(t["programme_source"]), *t["advert_sources"]), float(timing["wall_s"]),
                     float(timing["cpu_s"]))


# ---- scoring ---------------------------------------------------------------------------------------------------


def index(rec: Recording) -> int:
    """The recording's number within its split (test_05_film -> 5)."""
    return int(rec.name.split("_")[1])


def development(recs: list[Recording], dev: int) -> list[Recording]:
    return [r for r in recs if r.split == "test" and index(r) < dev]


def held_out(recs: list[Recording], dev: int) -> list[Recording]:
    return [r for r in recs if r.split == "test" and index(r) >= dev]


def iou(a: Span, b: Span) -> float:
    inter = max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union > 0 else 0.0


def match(pred: list[Span], truth: list[Span], min_iou: float = 0.5) -> list[tuple[int, int]]:
    """One-to-one pairs (pred index, truth index) with IoU >= min_iou, best IoU first."""
    pairs = sorted(((iou(p, t), i, j) for i, p in enumerate(pred) for j, t in enumerate(truth)), reverse=True)
    used_p, used_t, out = set(), set(), []
    for v, i, j in pairs:
        if v >= min_iou and i not in used_p and j not in used_t:
            used_p.add(i)
            used_t.add(j)
            out.append((i, j))
    return out


@dataclass
class Tally:
    """Counts over many recordings for one detector and one unit (breaks or adverts)."""

    tp: int = 0
    n_pred: int = 0
    n_truth: int = 0

    def add(self, pred: list[Span], truth: list[Span], errors: list[float] | None = None) -> None:
        pairs = match(pred, truth)
        self.tp += len(pairs)
        self.n_pred += len(pred)
        self.n_truth += len(truth)
        if errors is not None:
            for i, j in pairs:
                errors += [abs(pred[i][0] - truth[j][0]), abs(pred[i][1] - truth[j][1])]

    @property
    def precision(self) -> float:
        return self.tp / self.n_pred if self.n_pred else (1.0 if not self.n_truth else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / self.n_truth if self.n_truth else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def median(x: list[float]) -> float:
    return float(np.median(x)) if x else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description="Build the ad corpus and run the evidence pass on it.")
    add_corpus_args(ap)
    recs = prepare(ap.parse_args())
    print(f"{len(recs)} recordings, {sum(r.duration_s for r in recs) / 60:.1f} min")


if __name__ == "__main__":
    main()
