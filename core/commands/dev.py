"""``longwatch-cli dev tiny-model DIR``: developer tools (a tiny random Video-XL checkpoint to try the pipeline)."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.commands.context import CliContext


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("dev", parents=[common], help="developer tools (tiny random model)")
    dev = p.add_subparsers(dest="dev_command", required=True, metavar="TOOL")
    tiny = dev.add_parser("tiny-model", parents=[common],
                          help="write a tiny random checkpoint in the official Video-XL layout")
    tiny.add_argument("dir", type=Path, metavar="DIR", help="folder to write (created)")
    tiny.add_argument("--seed", type=int, default=0, help="random seed of the weights (default 0)")
    tiny.set_defaults(func=run_tiny_model)


def run_tiny_model(args: argparse.Namespace, ctx: CliContext) -> int:
    from core.model import write_tiny_checkpoint

    folder = write_tiny_checkpoint(args.dir, seed=args.seed)
    files = sorted(p.name for p in folder.iterdir())
    ctx.emit({"folder": str(folder), "files": files, "seed": args.seed},
             f"Wrote a tiny random Video-XL checkpoint to {folder}\n"
             f"Try it: longwatch-cli index VIDEO --model {folder}")
    return 0
