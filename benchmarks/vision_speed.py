"""Speed and size of the vision stage (issue 16): frames embedded per second on 2 CPU threads for the default
model and the larger one (fp32 against int8, side by side in one run), time per text -> frame query over a
2-hour film, and bytes of vectors per hour of video.

    .venv/bin/python benchmarks/vision_speed.py [--workdir benchmarks/_work/vision_speed] [--threads 2]

Speed depends only on the layer sizes, so the models are random-weight checkpoints with the exact sizes of
openai/clip-vit-base-patch32 and google/siglip-base-patch16-224 (``core.vision.tiny.SIZES``); quality needs the
real weights (benchmarks/find_quality.py). Frames are 448x252 (the evidence pass's vision width, 16:9), in
batches of 16 as the stage embeds them; numbers are medians of ``--repeats`` batches after one warm-up batch.
The query set-up is the worst case the stage produces (one frame every 0.5 s: 14,400 frames for 2 hours) and
the typical one (one every 2 s). Prints a Markdown table and writes results.json in the work folder.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.store import open_db
from core.vision import FrameEmbedder, ImageTextModel, VisionOptions, visual_find
from core.vision import store as vstore
from core.vision.tiny import SIZES, write_tiny_model

QUERIES = ["a taxi", "a man driving a car", "people crossing a square", "a tree seen from below",
           "an animated dinner by candlelight", "a rocket launch", "a dog on the beach", "a band playing",
           "a red screen", "a close-up of a face"]


def frames_per_s(models: dict[str, ImageTextModel], batch: list[np.ndarray], repeats: int) -> dict[str, float]:
    """Median frames/s of each model, measured in alternation (batch by batch) so a busy machine slows all
    of them alike and the ratios hold."""
    times: dict[str, list[float]] = {name: [] for name in models}
    for m in models.values():
        m.encode_images(batch)  # warm-up
    for _ in range(repeats):
        for name, m in models.items():
            t0 = time.perf_counter()
            m.encode_images(batch)
            times[name].append(time.perf_counter() - t0)
    return {name: len(batch) / statistics.median(ts) for name, ts in times.items()}


def query_ms(model: ImageTextModel, folder: Path, work: Path, every_s: float) -> dict[str, float]:
    db = open_db(work / f"query_{every_s:g}.db")
    db.execute("DELETE FROM vision_frames")
    db["videos"].upsert({"fingerprint": "two-hours", "path": "-", "name": "-", "size_bytes": 0, "duration_s": 7200.0,
                         "container": "mp4", "width": 1, "height": 1, "fps": 25.0, "probe_json": "{}"},
                        pk="fingerprint")
    opts = VisionOptions(model=str(folder), quantization=model.quantization, every_s=max(every_s, 0.5),
                         min_gap_s=0.5)
    FrameEmbedder(db, "two-hours", model, opts)
    times = np.arange(0.0, 7200.0, every_s)
    rng = np.random.default_rng(0)
    mat = rng.normal(size=(len(times), model.dim)).astype(np.float32)
    mat /= np.linalg.norm(mat, axis=1, keepdims=True)
    with db.atomic():
        vstore.write_frames(db, "two-hours", model.identity, list(times), mat)
    visual_find(db, "two-hours", "warm up", options=opts)
    ms = []
    for q in QUERIES * 2:
        t0 = time.perf_counter()
        visual_find(db, "two-hours", q, options=opts)
        ms.append(1000 * (time.perf_counter() - t0))
    vec_bytes = len(times) * model.dim * 4
    return {"frames": float(len(times)), "query_ms_median": statistics.median(ms), "query_ms_max": max(ms),
            "vector_mb_per_hour": vec_bytes / 2 / 1e6}


def selection(video: Path, work: Path) -> dict[str, float]:
    """How many frames the vision stage keeps on a real video, and the vectors per hour that makes. The choice
    depends only on the pictures (cuts, change, every_s), so a tiny random model stands in for the real one."""
    from core.evidence import EvidenceOptions, run_evidence

    tiny = work / "tiny-clip"
    if not (tiny / "config.json").exists():
        write_tiny_model(tiny)
    db = open_db(work / "selection.db")
    s = run_evidence(db, video, EvidenceOptions(ocr=False, speech=False, audio=False, subtitles=False, vision=True,
                                                vision_model=str(tiny)))
    n = vstore.count_frames(db, s.fingerprint)
    per_hour = n / s.duration_s * 3600
    return {"duration_s": s.duration_s, "frames": float(n), "shots": float(len(vstore.shots(db, s.fingerprint))),
            "frames_per_hour": per_hour, "mb_per_hour_512d": per_hour * 512 * 4 / 1e6,
            "mb_per_hour_768d": per_hour * 768 * 4 / 1e6}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workdir", type=Path, default=Path("benchmarks/_work/vision_speed"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--sizes", nargs="*", default=list(SIZES))
    ap.add_argument("--queries-only", action="store_true", help="only the query timings (first size)")
    ap.add_argument("--selection-video", type=Path, default=None,
                    help="also count the frames the stage keeps on this (real) video, e.g. a find_corpus recording")
    args = ap.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    args.workdir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    batch = [rng.integers(0, 255, (252, 448, 3), dtype=np.uint8) for _ in range(16)]
    results: dict[str, object] = {"threads": args.threads, "cpus": os.cpu_count(), "load_average": os.getloadavg(),
                                  "models": {}}
    if args.selection_video is not None:
        results["selection"] = selection(args.selection_video, args.workdir)
        print(f"selection: {json.dumps(results['selection'])}", flush=True)
    for size in args.sizes:
        folder = args.workdir / size
        if not (folder / "config.json").exists():
            write_tiny_model(folder, size=size)
        row: dict[str, object] = {}
        models = {q: ImageTextModel(folder, VisionOptions(model=str(folder), quantization=q, threads=args.threads))
                  for q in ("none", "int8")}
        if not args.queries_only:
            for quant, fps in frames_per_s(models, batch, args.repeats).items():
                row[f"frames_per_s_{quant}"] = fps
        if size == args.sizes[0]:
            for quant, model in models.items():
                row[f"query_{quant}"] = {f"every_{e:g}s": query_ms(model, folder, args.workdir, e) for e in (0.5, 2.0)}
                print(f"{size} {quant} query: {json.dumps(row[f'query_{quant}'])}", flush=True)
        del models
        results["models"][size] = row  # type: ignore[index]
        if args.queries_only:
            break
        row["int8_speedup"] = float(row["frames_per_s_int8"]) / float(row["frames_per_s_none"])  # type: ignore[arg-type]
        print(f"{size}: fp32 {row['frames_per_s_none']:.1f} frames/s, int8 {row['frames_per_s_int8']:.1f} frames/s "
              f"(x{row['int8_speedup']:.2f})", flush=True)
    (args.workdir / "results.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
