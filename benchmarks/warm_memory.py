"""Warm memory benchmark: the second question on a film vs the first, as the service provides the memory.

Every question needs the video's memory decoded in RAM. The first reads every window blob from SQLite and decodes
it; the service (``core.usecases.warm.MemoryCache``) keeps it, so the next question on the same film starts from
the decoded windows and pays only its own prefill. This script builds a memory with the real storage codec and
Video-XL's 7B shapes (Qwen2-7B: 28 layers, 4 KV heads, head dim 128; ratio 8 keeps 180 VSTs per 10-frame
window) from synthetic tensors, commits it window by window exactly as the index does, then times, in one run:

* ``first``: ``MemoryCache.windows`` on an empty cache (read every blob, decode to fp32 tensors);
* ``second``: the same call again (the cache hit the service's next question takes).

The prefill itself (the 7B model attending to the memory) is not run: no 7B model fits this machine; it is the
same for both questions, so the saving is exactly the difference measured here.

    .venv/bin/python benchmarks/warm_memory.py                 # 1024 frames, about 1 minute
    .venv/bin/python benchmarks/warm_memory.py --frames 256 --repeats 5
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.index import store
from core.index.codec import encode_window
from core.model.memory import WindowMemory
from core.store import open_db, upsert_video
from core.usecases.warm import MemoryCache, window_bytes

LAYERS, KV_HEADS, HEAD_DIM = 28, 4, 128  # Qwen2-7B
FRAMES_PER_WINDOW, TOKENS_PER_FRAME = 10, 144


def build(db_path: Path, frames: int, ratio: int, storage: str) -> store.RunRow:
    """A library with one fake video and one finished run of ``frames`` frames in 7B shapes."""
    from core.media import probe
    from tests.core.report.conftest import make_video  # a real (tiny) file for the videos row

    db = open_db(db_path)
    info = probe(make_video(db_path.parent / "clip.mp4", seconds=2.0))
    upsert_video(db, info)
    windows = math.ceil(frames / FRAMES_PER_WINDOW)
    run = store.start_run(db, info.fingerprint, "bench", {"model": "bench", "ratio": ratio}, frames, windows)
    gen = torch.Generator().manual_seed(0)
    for w in range(windows):
        n_frames = min(FRAMES_PER_WINDOW, frames - w * FRAMES_PER_WINDOW)
        n_vst = n_frames * TOKENS_PER_FRAME // ratio
        kv = tuple(torch.randn(KV_HEADS, n_vst, HEAD_DIM, generator=gen) for _ in range(2 * LAYERS))
        per_frame = TOKENS_PER_FRAME // ratio
        frame_of = tuple(w * FRAMES_PER_WINDOW + j // per_frame for j in range(n_vst))
        window = WindowMemory(index=w, keys=kv[:LAYERS], values=kv[LAYERS:], vst_frame=frame_of,
                              vst_time_s=tuple(float(f) for f in frame_of), start_s=float(w * FRAMES_PER_WINDOW),
                              end_s=float(w * FRAMES_PER_WINDOW + n_frames - 1), n_frames=n_frames)
        store.commit_window(db, run.id, encode_window(window, storage))
    store.finish_run(db, run.id, "done")
    found = store.find_run(db, info.fingerprint, "bench")
    assert found is not None
    db.close()
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--frames", type=int, default=1024)
    ap.add_argument("--ratio", type=int, default=8)
    ap.add_argument("--storage", choices=("fp16", "int8"), default="fp16")
    ap.add_argument("--repeats", type=int, default=3, help="cold/warm pairs measured (median reported)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "lib.db"
        t0 = time.perf_counter()
        run = build(db_path, args.frames, args.ratio, args.storage)
        built = time.perf_counter() - t0
        db = open_db(db_path)
        stored = sum(len(r["blob"]) for r in db.query("SELECT blob FROM memory_windows WHERE run_id = ?", [run.id]))
        cold, warm = [], []
        decoded = 0
        for _ in range(args.repeats):
            cache = MemoryCache(budget_bytes=64_000_000_000)
            t0 = time.perf_counter()
            windows = cache.windows(db, run)
            cold.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            again = cache.windows(db, run)
            warm.append(time.perf_counter() - t0)
            assert again is windows and cache.stats().hits == 1
            decoded = window_bytes(windows)
            del windows, again, cache
    first, second = statistics.median(cold), statistics.median(warm)
    print(f"frames {args.frames}, ratio {args.ratio}, storage {args.storage}: {run.windows_total} windows, "
          f"{stored / 1e9:.2f} GB stored, {decoded / 1e9:.2f} GB decoded (built in {built:.0f} s)")
    print(f"first question's memory  (read + decode): median {first:.3f} s over {args.repeats}")
    print(f"second question's memory (warm cache):    median {second * 1e6:.1f} us")
    print(f"ratio first / second: {first / max(second, 1e-9):,.0f}x")


if __name__ == "__main__":
    main()
