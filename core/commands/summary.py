"""``longwatch-cli summary VIDEO``: chapters with titles and times, and an overall summary."""

from __future__ import annotations

import argparse

from core.cli import CliContext
from core.commands.grounding import add_source_options, prepare


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("summary", parents=[common], help="chapters and an overall summary")
    p.add_argument("video", metavar="VIDEO", help="the video file (or its fingerprint)")
    add_source_options(p)
    p.add_argument("--chapters", type=int, default=8, metavar="N", help="at most N chapters (default 8)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from core.query import SummaryOptions, grounded_summary
    from core.query.moments import fmt_time

    video, model = prepare(args, ctx)
    with ctx.progress() as report:
        summary = grounded_summary(ctx.db(), video, model, options=SummaryOptions(max_chapters=args.chapters),
                                   progress=report)
    lines = [f"{fmt_time(c.start)}-{fmt_time(c.end)}  {c.title}\n    {c.text}" for c in summary.chapters]
    ctx.emit(summary.to_json(), "\n".join([*lines, "", summary.overview]))
    return 0
