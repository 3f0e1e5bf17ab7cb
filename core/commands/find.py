"""``longwatch-cli find VIDEO DESCRIPTION``: ranked moments where an event happens."""

from __future__ import annotations

import argparse

from core.commands.ask import format_moment
from core.commands.context import CliContext
from core.commands.options import add_evidence_options, add_model_options


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("find", parents=[common], help="ranked moments for an event")
    p.add_argument("video", metavar="VIDEO", help="the video file (or its fingerprint); with --all, the description")
    p.add_argument("description", metavar="DESCRIPTION", nargs="?", default=None)
    p.add_argument("--all", action="store_true",
                   help="rank moments across every video of the library by meaning: find --all DESCRIPTION")
    p.add_argument("--top", type=int, default=5, metavar="K", help="how many moments (default 5)")
    p.add_argument("--refine", type=int, default=3, metavar="N",
                   help="refine the best N on densely sampled frames (default 3, 0 for none)")
    add_model_options(p)
    add_evidence_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from core.errors import UsageError
    from core.query import FindOptions

    if args.all:
        if args.description is not None:
            raise UsageError("With --all give only the description: find --all DESCRIPTION.")
        found = ctx.service().find_all(args.video, limit=args.top)
        human = "\n".join(f"{m.name}: {format_moment(m.moment)}" for m in found) or "No moment found in the library."
        ctx.emit([m.to_json() for m in found], human)
        return 0
    if args.description is None:
        raise UsageError("Give the video and the description: find VIDEO DESCRIPTION (or find --all DESCRIPTION).")
    options = FindOptions(top_k=args.top, refine=min(args.refine, args.top))
    with ctx.progress() as report:
        answer = ctx.service().find(args.video, args.description, model=args.model, options=options,
                                    progress=report)
    ctx.notes(answer.notes)
    human = "\n".join(format_moment(m) for m in answer.moments) or "No moment found."
    ctx.emit([m.to_json() for m in answer.moments], human)
    return 0
