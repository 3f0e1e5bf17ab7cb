"""``longwatch-cli summary VIDEO``: chapters with titles and times, and an overall summary."""

from __future__ import annotations

import argparse

from core.cli import CliContext
from core.commands.model_args import add_model_options, load, model_options


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("summary", parents=[common], help="chapters and an overall summary")
    p.add_argument("video", metavar="VIDEO", help="the video file (or its fingerprint)")
    add_model_options(p)
    p.add_argument("--chapters", type=int, default=8, metavar="N", help="at most N chapters (default 8)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from core.query import SummaryOptions, resolve_video, summarize
    from core.query.moments import fmt_time

    options_model = model_options(args)  # first: no model configured is one clear line
    db = ctx.db()
    video = resolve_video(db, args.video)
    model = load(options_model, ctx)
    with ctx.progress() as report:
        summary = summarize(db, video, model, options=SummaryOptions(max_chapters=args.chapters), progress=report)
    lines = [f"{fmt_time(c.start)}-{fmt_time(c.end)}  {c.title}\n    {c.text}" for c in summary.chapters]
    ctx.emit(summary.to_json(), "\n".join([*lines, "", summary.overview]))
    return 0
