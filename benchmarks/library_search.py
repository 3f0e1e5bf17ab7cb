"""``search --all`` (and ``find --all``) over a large synthetic library: how fast a question across every video is.

The library is rows, not media: N videos of one hour each, a transcript line every ~4 s and a subtitle line every
~4 s (Zipf-distributed words over a 20k-word vocabulary with common English words at the head, so frequent terms
match hundreds of thousands of lines as in real speech), on-screen text once a minute, written through the same
table full-text search reads (``semantic_lines``, indexed by ``semantic_fts``). For ``find --all`` the lines also get unit
vectors that are RANDOM (embedding 700k lines with MiniLM would take hours here): the vector part's cost is real,
its ranking is not, so only its time is reported. Queries: 40 one- to three-word phrases of mixed frequency.

Reproduce: .venv/bin/python benchmarks/library_search.py --hours 200 --workdir /tmp/lw-search
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.semantic import normalize_text
from core.store import open_db
from core.usecases import Longwatch

COMMON = ["the", "of", "and", "to", "a", "in", "is", "it", "you", "that", "he", "was", "for", "on", "are", "with", "as", "his", "they", "at", "be", "this", "have", "from", "or", "one", "had", "by", "word", "but", "not", "what", "all", "were", "we", "when", "your", "can", "said", "there", "use", "an", "each", "which", "she", "do", "how", "their", "if", "will", "up", "other", "about", "out", "many", "then", "them", "these", "so", "some", "her", "would", "make", "like", "him", "into", "time", "has", "look", "two", "more", "write", "go", "see", "number", "no", "way", "could", "people", "my", "than", "first", "water", "been", "call", "who", "oil", "its", "now", "find", "long", "down", "day", "did", "get", "come", "made", "may", "part", "news", "weather", "police", "car", "crash", "goal", "football", "election", "storm", "price", "sale", "call", "now", "harbour", "lighthouse", "train", "river", "city", "night", "morning", "minister", "market"]
SECONDS = 3600.0


def vocabulary(n: int, rng: random.Random) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    extra = {"".join(rng.choice(letters) for _ in range(rng.randint(4, 9))) for _ in range(n)}
    return [*COMMON, *sorted(extra - set(COMMON))]


def sentence(words: list[str], weights: np.ndarray, rng: np.random.Generator) -> str:
    return " ".join(words[i] for i in rng.choice(len(words), size=int(rng.integers(5, 14)), p=weights))


def build(db_path: Path, hours: int, vectors: bool, seed: int = 0) -> int:
    """Write the synthetic library; returns the number of text lines."""
    rnd = random.Random(seed)
    rng = np.random.default_rng(seed)
    words = vocabulary(20000, rnd)
    weights = 1.0 / np.arange(1, len(words) + 1) ** 1.05
    weights /= weights.sum()
    db = open_db(db_path)
    lines = 0
    for v in range(hours):
        fp = f"{v:032x}"
        probe = json.dumps({"synthetic": True})
        with db.atomic():
            db.execute("INSERT INTO videos (fingerprint, path, name, size_bytes, duration_s, container, width, height, "
                       "fps, probe_json) VALUES (?, ?, ?, 0, ?, 'mpegts', 1280, 720, 25, ?)",
                       [fp, f"/tv/recording-{v:03d}.ts", f"recording-{v:03d}.ts", SECONDS, probe])
            run = db.execute("INSERT INTO index_runs (video, kind, settings_key, settings_json, state) "
                             "VALUES (?, 'evidence', 'evidence/v1', '{}', 'done')", [fp]).lastrowid
            rows = []
            for source, every in (("speech", 4.0), ("subtitle", 4.0), ("ocr", 60.0)):
                t = float(rng.uniform(0, every))
                while t < SECONDS - 3:
                    rows.append((sentence(words, weights, rng), source, run, t, t + 3.0))
                    t += float(rng.uniform(0.5, 1.5)) * every
            vecs: list[bytes | None] = [None] * len(rows)
            if vectors:
                unit = rng.standard_normal((len(rows), 384)).astype("<f4")
                unit /= np.linalg.norm(unit, axis=1, keepdims=True)
                vecs = [v.tobytes() for v in unit]
            db.conn.executemany(
                "INSERT INTO semantic_lines (video, source, start_s, end_s, text, norm, model, vector) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(fp, s, a, b, text, normalize_text(text), "all-MiniLM-L6-v2:384" if vec is not None else None, vec)
                 for (text, s, _r, a, b), vec in zip(rows, vecs, strict=True)])
        lines += len(rows)
    db.conn.close()
    return lines


def queries(rnd: random.Random) -> list[str]:
    fixed = ["weather", "police car", "football goal", "price", "harbour lighthouse", "election night",
             "the minister", "storm", "call now", "train crash", "market price", "city news"]
    return fixed + [" ".join(rnd.sample(COMMON, rnd.randint(1, 3))) for _ in range(28)]


def timed(fn, texts: list[str]) -> list[float]:
    out = []
    for text in texts:
        t = time.perf_counter()
        fn(text)
        out.append((time.perf_counter() - t) * 1000)
    return out


def summary(name: str, ms: list[float]) -> str:
    ms = sorted(ms)
    return (f"| {name} | {len(ms)} | {statistics.median(ms):.0f} | {ms[int(0.9 * (len(ms) - 1))]:.0f} | "
            f"{ms[-1]:.0f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--hours", type=int, default=200)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/lw-search"))
    ap.add_argument("--no-find", action="store_true", help="skip find --all (no vectors are written)")
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    db_path = args.workdir / f"library-{args.hours}h{'-novec' if args.no_find else ''}.db"
    if not db_path.exists():
        t = time.monotonic()
        n = build(db_path.with_suffix(".tmp"), args.hours, not args.no_find)
        for suffix in ("-wal", "-shm"):
            Path(str(db_path.with_suffix(".tmp")) + suffix).unlink(missing_ok=True)
        db_path.with_suffix(".tmp").rename(db_path)
        print(f"built {args.hours} h, {n} lines in {time.monotonic() - t:.0f} s ({db_path.stat().st_size / 1e6:.0f} MB)")
    service = Longwatch(db_path=db_path)
    texts = queries(random.Random(1))
    service.search_all("warm up")  # the first query pays for opening the file's pages
    print("| query | n | median ms | p90 ms | max ms |\n|---|---:|---:|---:|---:|")
    print(summary("search --all (FTS5 bm25, top 20)", timed(lambda q: service.search_all(q, limit=20), texts)))
    if not args.no_find:
        t = time.perf_counter()
        service.find_all("warm up")
        print(f"(find --all first call, loading the library's vectors and the embedder: "
              f"{(time.perf_counter() - t):.1f} s)")
        print(summary("find --all (FTS5 + cosine over all lines, warm)",
                      timed(lambda q: service.find_all(q, limit=10), texts)))


if __name__ == "__main__":
    main()
