"""Frame sampling speed and memory: Longwatch vs decord (Video-XL's loader) vs a plain sequential PyAV decode.

    .venv/bin/python benchmarks/sampling.py                 # full run, prints a Markdown table
    .venv/bin/python benchmarks/sampling.py --counts 128 --reps 1 --duration 600   # quick look

The input is generated once and cached under benchmarks/_work/ (git-ignored): a 1280x720 H.264 MP4 at 25 fps
with a keyframe every 250 frames (10 s, x264's default keyint), low-complexity content (grey level stepping
every second, a moving bar, the frame number as a bar code) encoded with x264 ``ultrafast`` so that making the
1-hour file takes ~4 minutes on 2 cores.

Every (method, count, repetition) runs in a fresh subprocess, which reports its wall time and its peak resident
memory (``ru_maxrss``); the table shows medians. All methods fetch the same frames: the frame displayed at each
target time of ``Uniform(n)``, as full-resolution RGB arrays (decord as Video-XL calls it: one ``get_batch``).
``--crossover`` also measures what a seek costs in decoded frames (the ``SEEK_COST_FRAMES`` constant).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "_work"
FPS, GOP, SIZE = 25, 250, (1280, 720)
METHODS = ("longwatch", "longwatch-clip336", "decord", "pyav-sequential")


def video_path(duration_s: int) -> Path:
    return WORK / f"h264_{SIZE[0]}x{SIZE[1]}_{FPS}fps_gop{GOP}_{duration_s}s.mp4"


def generate(path: Path, duration_s: int) -> Path:
    """Write the benchmark video (cached): cheap-to-encode content, realistic GOP structure."""
    import av
    import numpy as np

    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part.mp4")
    w, h = SIZE
    with av.open(str(tmp), "w", format="mp4") as out:
        s = out.add_stream("libx264", rate=FPS)
        s.width, s.height, s.pix_fmt = w, h, "yuv420p"
        s.codec_context.gop_size = GOP
        s.options = {"preset": "ultrafast", "crf": "32", "x264-params": f"keyint={GOP}:min-keyint={GOP}:scenecut=0"}
        base = np.full((h * 3 // 2, w), 128, np.uint8)  # yuv420p planes stacked: Y (h rows) then U, V
        for k in range(duration_s * FPS):
            y = base.copy()
            y[:h] = 16 + (k // FPS) % 200
            x = (k * 8) % (w - 64)
            y[100:300, x:x + 64] = 235
            for b in range(17):  # frame number as a bar code
                if (k >> b) & 1:
                    y[400:440, b * 32:(b + 1) * 32] = 235
            frame = av.VideoFrame.from_ndarray(y, format="yuv420p")
            frame.pts = k
            out.mux(s.encode(frame))
        out.mux(s.encode(None))
    tmp.rename(path)
    return path


def target_times(path: Path, n: int) -> list[float]:
    from core.media import Uniform, plan_times, probe

    return list(plan_times(Uniform(n), probe(path)))


# ------------------------------------------------------------------ workers (one per subprocess)


def run_longwatch(path: Path, n: int, clip: bool) -> int:
    from core.media import FrameSize, Uniform, sample_frames

    got = 0
    for frame in sample_frames(path, Uniform(n), size=FrameSize.clip(336) if clip else None):
        got += frame.image.shape[0] > 0
    return got


def run_decord(path: Path, n: int) -> int:
    import decord

    vr = decord.VideoReader(str(path), ctx=decord.cpu(0), num_threads=os.cpu_count() or 1)
    idx = [min(len(vr) - 1, math.floor(t * FPS + 1e-9)) for t in target_times(path, n)]
    batch = vr.get_batch(idx).asnumpy()  # (n, 720, 1280, 3) uint8, as Video-XL's loader does
    return int(batch.shape[0])


def run_sequential(path: Path, n: int) -> int:
    import av

    wanted = sorted({math.floor(t * FPS + 1e-9) for t in target_times(path, n)})
    got, pos = 0, 0
    with av.open(str(path)) as c:
        vs = c.streams.video[0]
        vs.thread_type = "AUTO"
        for k, frame in enumerate(c.decode(vs)):
            if pos < len(wanted) and k == wanted[pos]:
                got += frame.to_ndarray(format="rgb24").shape[0] > 0
                pos += 1
    return got


def worker(method: str, n: int, path: Path) -> None:
    t0 = time.perf_counter()
    if method.startswith("longwatch"):
        got = run_longwatch(path, n, clip=method.endswith("clip336"))
    elif method == "decord":
        got = run_decord(path, n)
    else:
        got = run_sequential(path, n)
    dt = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"method": method, "n": n, "frames": got, "seconds": dt, "peak_mb": peak_mb}))


def crossover(path: Path) -> dict[str, float]:
    """Cost of one seek (to a keyframe, decoder flushed, first frame out) in sequentially decoded frames."""
    import av

    with av.open(str(path)) as c:
        vs = c.streams.video[0]
        vs.thread_type = "AUTO"
        t0 = time.perf_counter()
        for k, _ in enumerate(c.decode(vs)):
            if k >= 2000:
                break
        per_frame = (time.perf_counter() - t0) / 2000
        tb = float(vs.time_base)
        seeks = 40
        t0 = time.perf_counter()
        for i in range(seeks):
            c.seek(int((60 + i * 37 * GOP / FPS) / tb), stream=vs, backward=True)
            next(c.decode(vs))
        per_seek = (time.perf_counter() - t0) / seeks
    return {"ms_per_frame": per_frame * 1e3, "ms_per_seek": per_seek * 1e3, "seek_in_frames": per_seek / per_frame}


# ------------------------------------------------------------------ driver


def measure(method: str, n: int, path: Path) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", method, str(n), str(path)]
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    if res.returncode != 0:
        return {"error": 1.0, "stderr": res.stderr.strip().splitlines()[-1] if res.stderr.strip() else "?"}
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--counts", type=int, nargs="+", default=[128, 512, 2048])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--seq-reps", type=int, default=1, help="repetitions of the (slow) sequential decode")
    ap.add_argument("--duration", type=int, default=3600, help="seconds of generated video")
    ap.add_argument("--methods", nargs="+", default=list(METHODS))
    ap.add_argument("--crossover", action="store_true")
    ap.add_argument("--worker", nargs=3, metavar=("METHOD", "N", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), Path(args.worker[2]))
        return
    path = generate(video_path(args.duration), args.duration)
    print(f"input: {path.name}, {path.stat().st_size / 1e6:.0f} MB", flush=True)
    if args.crossover:
        print("crossover:", json.dumps({k: round(v, 3) for k, v in crossover(path).items()}), flush=True)
    rows = []
    for n in args.counts:
        for method in args.methods:
            reps = args.seq_reps if method == "pyav-sequential" else args.reps
            runs = [measure(method, n, path) for _ in range(reps)]
            ok = [r for r in runs if "error" not in r]
            if not ok:
                rows.append((n, method, None, None, None, runs[0].get("stderr")))
                print(n, method, "FAILED", runs[0], flush=True)
                continue
            sec = statistics.median(r["seconds"] for r in ok)
            peak = statistics.median(r["peak_mb"] for r in ok)
            rows.append((n, method, sec, ok[0]["frames"] / sec, peak, f"{len(ok)} runs"))
            print(n, method, f"{sec:.2f} s", f"{ok[0]['frames'] / sec:.1f} frames/s", f"{peak:.0f} MB", flush=True)
    print("\n| frames | method | time (s) | frames/s | peak RSS (MB) | vs decord |")
    print("|---:|---|---:|---:|---:|---:|")
    for n, method, sec, fps, peak, note in rows:
        base = next((r[2] for r in rows if r[0] == n and r[1] == "decord" and r[2]), None)
        ratio = f"{base / sec:.2f}x" if base and sec else "-"
        if sec is None:
            print(f"| {n} | {method} | failed: {note} | | | |")
        else:
            print(f"| {n} | {method} | {sec:.2f} | {fps:.1f} | {peak:.0f} | {ratio} |")


if __name__ == "__main__":
    main()
