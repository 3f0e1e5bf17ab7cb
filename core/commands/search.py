"""``longwatch-cli search VIDEO TEXT``: ranked full-text hits in the transcript, subtitles and on-screen text.

Runs (or resumes) the evidence pass when needed (options as for ``ads``), then queries the full-text index.
"""

from __future__ import annotations

import argparse

from core.commands.context import CliContext
from core.commands.options import add_evidence_options
from core.timefmt import clock


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("search", parents=[common], help="full-text hits in transcript, subtitles, on-screen text")
    p.add_argument("video", metavar="VIDEO", help="the video file (or its fingerprint)")
    p.add_argument("text", metavar="TEXT", help="words to find (all of them; any of them when none match all)")
    p.add_argument("--limit", type=int, default=20, help="most hits shown (default 20)")
    add_evidence_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    with ctx.progress() as report:
        hits = ctx.service().search(args.video, args.text, limit=args.limit, progress=report)
    lines = [f"{clock(h.start_s, tenths=True, hours=True)} - {clock(h.end_s, tenths=True, hours=True)}  "
             f"{h.source:<8} {h.score:8.3g}  {h.snippet or h.text}" for h in hits]
    ctx.emit([h.to_json() for h in hits], "\n".join(lines) if lines else f"No hits for {args.text!r}.")
    return 0
