"""``longwatch-cli index VIDEO``: index once (resuming an interrupted run; at once when already indexed)."""

from __future__ import annotations

import argparse

from core.cli import CliContext, existing_file
from core.commands.model_args import add_model_options, model_options
from core.index.options import DEFAULT_RATIO, STORAGE_CODECS


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("index", parents=[common], help="index a video once (resumable)")
    p.add_argument("video", type=existing_file, metavar="VIDEO")
    add_model_options(p)
    how = p.add_mutually_exclusive_group()
    how.add_argument("--frames", type=int, metavar="N", help="sample N frames spread evenly over the video")
    how.add_argument("--fps", type=float, metavar="F", help="sample F frames per second (default 1, at most 2048)")
    p.add_argument("--ratio", type=int, default=DEFAULT_RATIO, metavar="R", help="compression ratio: 2, 4, 8 (default), 12, 16")
    p.add_argument("--storage", choices=STORAGE_CODECS, default="fp16",
                   help="how the memory is stored: fp16 (default) or int8 (about half the bytes)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from core.index import IndexOptions, index_video

    options = IndexOptions(frames=args.frames, fps=args.fps, ratio=args.ratio, storage=args.storage)
    model = model_options(args)
    with ctx.progress() as report:
        result = index_video(ctx.db(), args.video, options, model=model, progress=report)
    if result.reused:
        how = "already indexed"
    elif result.resumed_from:
        how = f"resumed at window {result.resumed_from}"
    else:
        how = "indexed"
    human = (f"{args.video.name}: {how}; {result.frames} frames, {result.windows} windows, "
             f"{result.bytes / 1e6:.1f} MB of memory ({result.elapsed_s:.1f} s)")
    ctx.emit(result.to_json(), human)
    return 0
