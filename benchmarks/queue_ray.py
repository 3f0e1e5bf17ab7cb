"""The same queue on the local worker and on Ray (local mode, 2 workers): wall time, throughput ratio, and whether
the two libraries are identical (every digest: evidence rows, embedded lines, memories).

N generated recordings with subtitles (so the lines are embedded), jobs evidence + index (tiny video-LLM) + ads,
one torch thread per job everywhere. Each configuration starts from an empty library; all run in one session,
one after the other, so their ratios compare like with like. Ray's time includes starting its instance and its
workers' imports (torch, transformers, sentence-transformers), as a real run pays them.

Reproduce: .venv/bin/python benchmarks/queue_ray.py --workdir /tmp/lw-ray --videos 20
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.library_corpus import recordings, settings, tiny_model
from core.store import open_db
from core.usecases import Longwatch, RayDriver, Worker
from core.usecases.digest import library_digests

KINDS = ["evidence", "index", "ads"]


def fresh(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)


def run_local(files: list[Path], model: Path, db: Path, concurrency: int) -> float:
    fresh(db)
    service = Longwatch(settings(model, concurrency=concurrency), db_path=db)
    service.enqueue(files, KINDS)
    t = time.monotonic()
    stats = Worker(service).run(until_empty=True)
    elapsed = time.monotonic() - t
    assert stats.failed == 0, service.jobs(states=["failed"])
    service.close_thread()
    return elapsed


def run_ray(files: list[Path], model: Path, db: Path, cpus: int) -> float:
    fresh(db)
    service = Longwatch(settings(model), db_path=db)
    service.enqueue(files, KINDS)
    t = time.monotonic()
    stats = RayDriver(service, "local", num_cpus=cpus).run(until_empty=True)
    elapsed = time.monotonic() - t
    assert stats.failed == 0, service.jobs(states=["failed"])
    service.close_thread()
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/lw-ray"))
    ap.add_argument("--videos", type=int, default=20)
    ap.add_argument("--cpus", type=int, default=2, help="CPUs of the local Ray instance (its workers)")
    args = ap.parse_args()
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    files = recordings(work / "media", args.videos)
    model = tiny_model(work)
    runs = [("local worker, 1 job at a time", "local1.db", lambda db: run_local(files, model, db, 1)),
            ("local worker, 2 jobs at a time", "local2.db", lambda db: run_local(files, model, db, 2)),
            (f"Ray local mode, {args.cpus} workers", "ray.db", lambda db: run_ray(files, model, db, args.cpus))]
    times = {}
    for name, db_name, fn in runs:
        times[name] = fn(work / db_name)
        print(f"{name}: {times[name]:.0f} s", flush=True)
    base = library_digests(open_db(work / "local1.db"))
    same = {db_name: library_digests(open_db(work / db_name)) == base for _, db_name, _ in runs}
    first = times[runs[0][0]]
    print(f"\n{args.videos} recordings, {3 * args.videos} jobs\n")
    print("| run | wall s | jobs/min | throughput vs local x1 | library identical to local x1 |")
    print("|---|---:|---:|---:|---|")
    for name, db_name, _ in runs:
        t = times[name]
        print(f"| {name} | {t:.0f} | {3 * args.videos * 60 / t:.1f} | {first / t:.2f} | {same[db_name]} |")


if __name__ == "__main__":
    main()
