"""``longwatch-cli library``: the videos Longwatch knows and the state of their indexes."""

from __future__ import annotations

import argparse

from core.commands.context import CliContext
from core.timefmt import clock


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("library", parents=[common], help="indexed videos and their state")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    entries = ctx.service().library()
    if not entries:
        human = "The library is empty. Add a video with: longwatch-cli probe VIDEO (or index VIDEO)."
    else:
        rows = [f"{'duration':>9}  {'memory':<9} {'evidence':<9} name"]
        for e in entries:
            rows.append(f"{clock(e.duration_s, hours=True):>9}  {e.memory_state or '-':<9} "
                        f"{e.evidence_state or '-':<9} {e.name}")
        human = "\n".join(rows)
    ctx.emit([e.to_json() for e in entries], human)
    return 0
