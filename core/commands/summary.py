"""``longwatch-cli summary VIDEO``: chapters with titles and times, and an overall summary."""

from __future__ import annotations

import argparse

from core.commands.context import CliContext
from core.commands.options import add_evidence_options, add_model_options
from core.timefmt import clock


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("summary", parents=[common], help="chapters and an overall summary")
    p.add_argument("video", metavar="VIDEO", help="the video file (or its fingerprint)")
    p.add_argument("--chapters", type=int, default=8, metavar="N", help="at most N chapters (default 8)")
    add_model_options(p)
    add_evidence_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from core.query import SummaryOptions

    with ctx.progress() as report:
        answer = ctx.service().summary(args.video, model=args.model,
                                       options=SummaryOptions(max_chapters=args.chapters), progress=report)
    ctx.notes(answer.notes)
    summary = answer.summary
    assert summary is not None  # a summary answer always carries its summary
    lines = [f"{clock(c.start)}-{clock(c.end)}  {c.title}\n    {c.text}" for c in summary.chapters]
    ctx.emit({**summary.to_json(), "notes": list(answer.notes)}, "\n".join([*lines, "", summary.overview]))
    return 0
