"""``longwatch-cli history VIDEO``: the answers asked of a video (ask, find, ads, summary), newest first."""

from __future__ import annotations

import argparse

from core.commands.context import CliContext
from core.results import ANSWER_KINDS


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("history", parents=[common], help="past answers about a video")
    p.add_argument("video", metavar="VIDEO", help="the video file (or its fingerprint)")
    p.add_argument("--kind", choices=ANSWER_KINDS, default=None, help="only answers of this kind")
    p.add_argument("--limit", type=int, default=20, help="most answers shown (default 20)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    records = ctx.service().history(args.video, kind=args.kind, limit=args.limit)
    lines = [f"{r.created_at[:16].replace('T', ' ')}  {r.kind:<7} {r.answer.question}" for r in records]
    ctx.emit([{"id": r.id, "created_at": r.created_at, **r.answer.to_json()} for r in records],
             "\n".join(lines) or "Nothing asked about this video yet.")
    return 0
