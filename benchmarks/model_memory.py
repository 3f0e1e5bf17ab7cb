"""Peak memory of encoding N frames: Longwatch's windowed encoder vs all frames through CLIP at once.

Each measurement runs in a fresh child process (so peaks do not leak between runs). The child loads a random
checkpoint written in the official layout, resets the kernel's peak-RSS counter (``/proc/self/clear_refs``),
encodes N synthetic 336x336 frames, and reports the peak RSS above the loaded model ("working peak"). Children run
with ``MALLOC_MMAP_THRESHOLD_=131072`` so that freed large blocks leave the RSS (see ``run_child``).

* ``longwatch``: ``VideoXL.encode`` on a frame generator (frames stream as core.media yields them; the vision tower
  runs in micro-batches inside each 10-frame window; only the kept VSTs grow with N);
* ``baseline``: what the official code does: all frames decoded into one array, preprocessed into one pixel
  tensor, one vision tower call over every frame (``hidden_states`` of all layers), then the same LLM loop.

CPU (default): a small random model (LLM hidden 64, 2 layers; CLIP width 32, 2 layers, 336 px) so the run takes
minutes on two shared cores; frames are 336x336 (what core.media's FrameSize.clip(336) yields). GPU: ``--layout 7b --quant 4bit --device cuda`` writes a random checkpoint of the
full Video-XL layout (Qwen2-7B + CLIP ViT-L/14-336, bf16 shards, ~16 GB disk) and reports frames/s and
``torch.cuda.max_memory_allocated`` (target: under 24 GB at 2048 frames).

    .venv/bin/python benchmarks/model_memory.py                       # CPU table, small model
    .venv/bin/python benchmarks/model_memory.py --layout 7b --quant 4bit --device cuda --frames 2048 --modes longwatch
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MB = 1024 * 1024


@dataclass(frozen=True)
class SynthFrame:
    index: int
    pts_s: float
    image: np.ndarray


def frames(n: int, hw: tuple[int, int] = (336, 336)) -> Iterator[SynthFrame]:
    """Deterministic frames, one at a time (a moving bar over a gradient), 1 frame per second."""
    h, w = hw
    base = (np.arange(w, dtype=np.uint16)[None, :, None] + np.arange(3, dtype=np.uint16) * 60) % 256
    for i in range(n):
        img = np.broadcast_to(base, (h, w, 3)).astype(np.uint8).copy()
        img[:, (i * 7) % w : (i * 7) % w + 20] = 255
        yield SynthFrame(i, float(i), img)


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def write_model(folder: Path, layout: str) -> Path:
    import torch

    from core.model.tiny import tiny_clip_config, tiny_spec, write_checkpoint

    if layout == "small":
        spec = tiny_spec(385, hidden=64, layers=2, heads=4, kv_heads=2, intermediate=128, clip_hidden=32)
        clip = tiny_clip_config(hidden=32, layers=2, heads=2, intermediate=64)
        return write_checkpoint(folder, spec, clip, seed=0)
    spec = tiny_spec(152064, hidden=3584, layers=28, heads=28, kv_heads=4, intermediate=18944, clip_hidden=1024)
    clip = tiny_clip_config(hidden=1024, layers=24, heads=16, intermediate=4096)
    return write_checkpoint(folder, spec, clip, seed=0, dtype=torch.bfloat16, n_shards=8)


def child(args: argparse.Namespace) -> dict[str, float]:
    import torch

    from core.model import ModelOptions, load_model
    from core.model.vision import pool_2x2

    torch.set_num_threads(args.threads)
    model = load_model(ModelOptions(model=args.model, quant=args.quant, device=args.device))
    cuda = model.rt.device.type == "cuda"
    base_kb = _status_kb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM (peak RSS) to the current RSS
    if cuda:
        torch.cuda.reset_peak_memory_stats()
        base_gpu = torch.cuda.memory_allocated()
    t0 = time.perf_counter()
    if args.mode == "longwatch":
        windows = list(model.encode(frames(args.frames), args.ratio))
    else:
        images = np.stack([f.image for f in frames(args.frames)])  # decord get_batch: every frame at once
        pixels = model.vision.frames_to_pixels(list(images))  # (N, 3, 336, 336) float32
        with torch.no_grad():
            feats = model.vision.patch_features(pixels)  # one tower call over all N frames
            tokens = pool_2x2(model.vision.projector(feats.to(model.rt.dtype)))
        windows = list(model.encode_features(tokens, args.ratio))
    if cuda:
        torch.cuda.synchronize()
    seconds = time.perf_counter() - t0
    n_vst = sum(w.n_vst for w in windows)
    kept = sum(t.numel() * t.element_size() for w in windows for t in (*w.keys, *w.values))
    out = {"frames": args.frames, "mode": args.mode, "seconds": seconds, "fps": args.frames / seconds,
           "base_rss_mb": base_kb / 1024, "peak_rss_mb": _status_kb("VmHWM") / 1024,
           "working_peak_mb": (_status_kb("VmHWM") - base_kb) / 1024, "n_vst": n_vst, "kept_vst_mb": kept / MB}
    if cuda:
        out["peak_gpu_mb"] = torch.cuda.max_memory_allocated() / MB
        out["working_gpu_mb"] = (torch.cuda.max_memory_allocated() - base_gpu) / MB
    return out


def run_child(args: argparse.Namespace, model: Path, mode: str, n: int) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", "--model", str(model), "--mode", mode, "--frames", str(n),
           "--ratio", str(args.ratio), "--quant", args.quant, "--device", args.device, "--threads", str(args.threads)]
    # glibc raises its mmap threshold after big frees and then keeps freed heap pages: RSS would count memory
    # that is free (malloc_trim returned 133 MB after 30 windows). A fixed threshold returns big blocks at free.
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": str(128 * 1024)}
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        return {"frames": n, "mode": mode, "error": done.stderr.strip().splitlines()[-1]}  # type: ignore[dict-item]
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(rows: list[dict[str, float]]) -> str:
    lines = ["| frames | mode | working peak RSS (MB) | kept VSTs (MB) | peak - kept (MB) | s | frames/s |",
             "|---:|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['frames']} | {r['mode']} | failed: {r['error']} | | | | |")
            continue
        lines.append(f"| {r['frames']} | {r['mode']} | {r['working_peak_mb']:.0f} | {r['kept_vst_mb']:.1f} | "
                     f"{r['working_peak_mb'] - r['kept_vst_mb']:.0f} | {r['seconds']:.1f} | {r['fps']:.1f} |")
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--frames", type=int, nargs="+", default=[64, 256, 1024, 2048])
    p.add_argument("--modes", nargs="+", default=["longwatch", "baseline"], choices=["longwatch", "baseline"])
    p.add_argument("--layout", choices=["small", "7b"], default="small")
    p.add_argument("--quant", choices=["none", "4bit", "8bit"], default="none")
    p.add_argument("--device", default="cpu")
    p.add_argument("--ratio", type=int, default=4)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--keep-model", type=Path, default=None, help="write/reuse the random checkpoint here")
    p.add_argument("--json", type=Path, default=None, help="also write the raw rows here")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--model", default=None, help=argparse.SUPPRESS)
    p.add_argument("--mode", default="longwatch", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        args.frames = args.frames[0]
        print(json.dumps(child(args)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep_model or Path(tmp) / "model"
        if not (folder / "config.json").is_file():
            write_model(folder, args.layout)
        rows = []
        for n in args.frames:
            for mode in args.modes:
                rows.append(run_child(args, folder, mode, n))
                print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
