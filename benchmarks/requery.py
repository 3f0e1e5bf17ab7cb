"""Re-query benchmark: answer a new question from the persisted memory vs re-encoding the video per question.

The official Video-XL code re-encodes the whole video for every question. Longwatch indexes once and answers
from the memory in SQLite. This script measures both, side by side in one run, with a small random model
(``core.model.write_tiny_checkpoint``) on a generated video, at 256 and 1024 frames:

* ``persisted``: open the database, read and decode the memory, answer (greedy, ``--tokens`` new tokens);
* ``re-encode``: decode the frames, encode every window, answer the same question.

It also reports the cache bytes per frame (measured for the tiny model at each ratio, and computed for the
Qwen2-7B Video-XL shapes) and bytes per hour of video at 1 frame per second.

    .venv/bin/python benchmarks/requery.py                    # about 3 minutes on 2 CPU cores
    .venv/bin/python benchmarks/requery.py --frames 256 --questions 2
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.index import IndexOptions, index_video
from core.media import FrameSize, Uniform, sample_frames
from core.model import ModelOptions, VideoMemory, load_model, write_tiny_checkpoint
from core.model.tokenizer import prompt_suffix
from core.query.memory import load_memory
from core.store import open_db

QUESTIONS = ["What happens in the video?", "What colour is the screen?", "Is there a moving bar?",
             "How many scenes are there?", "What is on the left?"]
RATIOS = (2, 4, 8, 16)
# Qwen2-7B (Video-XL): 28 layers x (keys + values) x 4 KV heads x 128 dims; 144 tokens per frame.
QWEN7B_BYTES_PER_VST_FP16 = 28 * 2 * 4 * 128 * 2


def make_video(path: Path, seconds: int, fps: int = 2, size: tuple[int, int] = (96, 64)) -> Path:
    """A low-resolution clip whose colour changes every 8 s, with a moving bar."""
    w, h = size
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        for k in range(seconds * fps):
            img = np.zeros((h, w, 3), np.uint8)
            scene = k // (8 * fps)
            img[:] = ((scene * 53) % 256, (scene * 97) % 256, (scene * 31) % 256)
            img[:, (k * 3) % w:(k * 3) % w + 6] = 255
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def measure(model, video: Path, work: Path, n: int, questions: list[str], ratio: int,  # type: ignore[no-untyped-def]
            tokens: int) -> tuple[int, int, float, float, float, float, float]:
    """Index ``n`` frames once, then time each new question both ways (same question, back to back)."""
    db_path = work / f"lib-{n}.db"
    options = IndexOptions(frames=n, ratio=ratio)
    t_index = timed(lambda: index_video(open_db(db_path), video, options, model=model))
    result = index_video(open_db(db_path), video, options, model=model)  # returns at once: already indexed

    def from_store(q: str) -> None:
        db = open_db(db_path)
        memory = load_memory(db, result.video, model).memory
        "".join(model.answer(memory, q, max_new_tokens=tokens))
        db.close()

    def from_video(q: str) -> None:
        frames = sample_frames(video, Uniform(n), size=FrameSize.clip(336))
        memory = VideoMemory(model.sink(), tuple(model.encode(frames, ratio)), ratio, model.identity)
        "".join(model.answer(memory, q, max_new_tokens=tokens))

    persisted, reencode = [], []
    for q in questions:
        persisted.append(timed(lambda q=q: from_store(q)))
        reencode.append(timed(lambda q=q: from_video(q)))
        print(f"  {n} frames, {q!r}: persisted {persisted[-1]:.3f} s, re-encode {reencode[-1]:.2f} s",
              file=sys.stderr)
    p, r = statistics.median(persisted), statistics.median(reencode)
    return n, result.windows, t_index, p, r, r / p, result.bytes / result.frames


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--frames", type=int, nargs="+", default=[256, 1024])
    ap.add_argument("--questions", type=int, default=3, help="new questions per setting (median reported)")
    ap.add_argument("--tokens", type=int, default=16, help="answer length in new tokens")
    ap.add_argument("--ratio", type=int, default=8)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # tables survive an interruption
    torch.set_num_threads(args.threads)
    work = Path(tempfile.mkdtemp(prefix="lw-requery-"))
    model_dir = write_tiny_checkpoint(work / "model", seed=0)
    model = load_model(ModelOptions(model=str(model_dir), device="cpu", dtype="fp32"))
    video = make_video(work / "long.mp4", seconds=max(args.frames) // 2 + 8)
    questions = QUESTIONS[: args.questions]
    print(f"tiny random model {model.identity[:12]}, video {video.stat().st_size / 1e6:.1f} MB, "
          f"{args.threads} threads, ratio {args.ratio}, {args.tokens} answer tokens", file=sys.stderr)
    rows = [measure(model, video, work, n, questions, args.ratio, args.tokens) for n in args.frames]
    print("\n| frames | windows | index once (s) | new question from memory (s) | re-encode + answer (s) | "
          "speed-up | cache bytes/frame (tiny, fp16) |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for n, w, ti, p, r, x, bpf in rows:
        print(f"| {n} | {w} | {ti:.1f} | {p:.3f} | {r:.2f} | {x:.0f}x | {bpf:.0f} |")
    print_bytes_table(model, video, work)
    print_codec_effect(model, video, args.ratio, questions, args.tokens)


def print_codec_effect(model, video: Path, ratio: int, questions: list[str], tokens: int) -> None:  # type: ignore[no-untyped-def]
    """How far fp16 / int8 storage moves P(yes) per window and the greedy answers, against the fp32 memory."""
    from core.index.codec import roundtrip

    def memory(storage: str | None) -> VideoMemory:
        kept = []

        def keep(w):  # type: ignore[no-untyped-def]
            back = roundtrip(w, storage)[0] if storage else w
            kept.append(back)
            return back

        for _ in model.encode(sample_frames(video, Uniform(100), size=FrameSize.clip(336)), ratio, keep=keep):
            pass
        return VideoMemory(model.sink(), tuple(kept), ratio, model.identity)

    mems = {name: memory(None if name == "fp32" else name) for name in ("fp32", "fp16", "int8")}

    def first_logits(mem: VideoMemory, q: str) -> torch.Tensor:
        out: list[torch.Tensor] = []
        for _ in model.answer_ids(mem, model.tokenize(prompt_suffix(q)), max_new_tokens=1, logits_out=out):
            pass
        return out[0]

    print("\n| storage | max abs change of P(yes) per window | max abs change of next-token logits "
          "(logit std) | greedy answers equal |")
    print("|---|---:|---:|---:|")
    base = {q: np.asarray(model.score_windows(mems["fp32"], q)) for q in questions}
    base_logits = {q: first_logits(mems["fp32"], q) for q in questions}
    base_ans = {q: "".join(model.answer(mems["fp32"], q, max_new_tokens=tokens)) for q in questions}
    for name in ("fp16", "int8"):
        dp = max(float(np.abs(np.asarray(model.score_windows(mems[name], q)) - base[q]).max()) for q in questions)
        dl = max(float((first_logits(mems[name], q) - base_logits[q]).abs().max()) for q in questions)
        std = float(np.mean([float(base_logits[q].std()) for q in questions]))
        same = sum("".join(model.answer(mems[name], q, max_new_tokens=tokens)) == base_ans[q] for q in questions)
        print(f"| {name} vs fp32 | {dp:.1e} | {dl:.1e} ({std:.2f}) | {same}/{len(questions)} |")


def print_bytes_table(model, video: Path, work: Path) -> None:  # type: ignore[no-untyped-def]
    """Cache bytes per frame measured for the tiny model (40 frames) and computed for Qwen2-7B, per ratio."""
    print("\n| ratio | VSTs/frame | tiny fp16 B/frame | tiny int8 B/frame | 7B fp16 MB/frame | 7B fp16 GB/hour @1fps "
          "| 7B int8 GB/hour @1fps | 7B fp16 GB, 1 h at the default 2048-frame cap |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for ratio in RATIOS:
        measured = {}
        for storage in ("fp16", "int8"):
            res = index_video(open_db(work / f"bytes-{ratio}-{storage}.db"), video,
                              IndexOptions(frames=40, ratio=ratio, storage=storage), model=model)
            measured[storage] = res.bytes / res.frames
        vst_per_frame = 144 / ratio
        fp16_frame = QWEN7B_BYTES_PER_VST_FP16 * vst_per_frame
        n = 1440 // ratio  # VSTs in a full window; int8 = codes + fp32 key scales per channel + value scales per VST
        int8_frame = 28 * (2 * 4 * n * 128 + 4 * 4 * 128 + 4 * 4 * n) / 10
        print(f"| {ratio} | {vst_per_frame:g} | {measured['fp16']:.0f} | {measured['int8']:.0f} | "
              f"{fp16_frame / 1e6:.2f} | {fp16_frame * 3600 / 1e9:.1f} | {int8_frame * 3600 / 1e9:.1f} | "
              f"{fp16_frame * 2048 / 1e9:.1f} |")


if __name__ == "__main__":
    main()
