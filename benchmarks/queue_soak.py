"""The local worker under kill -9: N queued recordings (evidence, video-LLM index, ads), the worker process killed
every ~K seconds and started again until the queue is empty; then: all done, none twice, PRAGMA integrity_check,
and every digest (evidence rows, embedded lines, memories) against a clean run of the same files.

Reproduce: .venv/bin/python benchmarks/queue_soak.py --workdir /tmp/lw-soak --videos 100 --kill-every 20
(generates the recordings and a tiny model once; with the tiny model the index jobs are real but cheap). The
recordings carry no text, so the evidence jobs never load the sentence-embedding model (the Ray benchmark and
tests cover the embedded lines).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.library_corpus import recordings, settings, tiny_model
from core.store import open_db
from core.usecases import Longwatch, Worker
from core.usecases.digest import library_digests

KINDS = ["evidence", "index", "ads"]


def worker_cmd(db: Path) -> list[str]:
    return [sys.executable, "-m", "core", "queue", "run", "--until-empty", "--db", str(db)]


def soak(db: Path, kill_every: float, rng: random.Random, log: Path) -> tuple[int, float]:
    """Run the worker, SIGKILL it every kill_every +- 25 %, restart, until it empties the queue; (kills, seconds)."""
    kills, t0 = 0, time.monotonic()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    with log.open("a") as out:
        while True:
            child = subprocess.Popen(worker_cmd(db), stdout=out, stderr=out, env=env)
            try:
                child.wait(timeout=kill_every * rng.uniform(0.75, 1.25))
            except subprocess.TimeoutExpired:
                child.send_signal(signal.SIGKILL)
                child.wait()
                kills += 1
                counts = Longwatch(db_path=db).queue_counts()
                print(f"  kill {kills}: {counts['done']} done, {counts['queued'] + counts['running']} left",
                      flush=True)
                continue
            if child.returncode != 0:
                raise SystemExit(f"the worker exited with {child.returncode}; see {log}")
            return kills, time.monotonic() - t0


def check(db_path: Path) -> dict[str, object]:
    service = Longwatch(db_path=db_path)
    jobs = service.jobs()
    twice = [j.id for j in jobs if [e.event for e in service.job_history(j.id)].count("done") != 1]
    after_done = [j.id for j in jobs if _claimed_after_done([e.event for e in service.job_history(j.id)])]
    reclaimed = sum(1 for j in jobs if "reclaimed" in [e.event for e in service.job_history(j.id)])
    return {"jobs": len(jobs), "counts": service.queue_counts(), "done_not_once": twice,
            "claimed_after_done": after_done, "reclaimed": reclaimed,
            "integrity": service.db.execute("PRAGMA integrity_check").fetchone()[0],
            "attempts_max": max(j.attempts for j in jobs)}


def _claimed_after_done(events: list[str]) -> bool:
    return "done" in events and "claimed" in events[events.index("done"):]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/lw-soak"))
    ap.add_argument("--videos", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=24.0)
    ap.add_argument("--kill-every", type=float, default=20.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    t = time.monotonic()
    # No subtitles: each restarted worker would load the sentence-embedding model (40 s on this shared box).
    files = recordings(work / "media", args.videos, args.seconds, subtitles=False)
    model = tiny_model(work)
    print(f"{len(files)} recordings of {args.seconds:g} s ready ({time.monotonic() - t:.0f} s)", flush=True)
    chosen = settings(model)
    for name in ("soak.db", "clean.db"):
        for suffix in ("", "-wal", "-shm"):
            (work / (name + suffix)).unlink(missing_ok=True)
    soaked = Longwatch(chosen, db_path=work / "soak.db")
    soaked.enqueue(files, KINDS)
    soaked.close_thread()
    kills, soak_s = soak(work / "soak.db", args.kill_every, random.Random(args.seed), work / "soak.log")
    report = check(work / "soak.db")
    clean = Longwatch(chosen, db_path=work / "clean.db")
    clean.enqueue(files, KINDS)
    t = time.monotonic()
    Worker(clean).run(until_empty=True)
    clean_s = time.monotonic() - t
    got, want = library_digests(open_db(work / "soak.db")), library_digests(open_db(work / "clean.db"))
    fields = ("evidence", "lines", "memories")
    differ = {f: sum(getattr(got[k], f) != getattr(want[k], f) for k in want) for f in fields}
    print(f"\nsoak: {kills} kills in {soak_s:.0f} s; clean run {clean_s:.0f} s")
    print(f"jobs {report['jobs']}: {report['counts']}; reclaimed after a kill: {report['reclaimed']}; "
          f"most attempts of one job: {report['attempts_max']}")
    print(f"done more or less than once: {report['done_not_once']}; claimed after done: "
          f"{report['claimed_after_done']}; integrity_check: {report['integrity']}")
    print(f"videos {len(want)}; digests differing from the clean run: {differ}")


if __name__ == "__main__":
    main()
