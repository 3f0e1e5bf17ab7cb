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
    p.add_argument("video", metavar="VIDEO", help="the video file (or its fingerprint); with --all, the text")
    p.add_argument("text", metavar="TEXT", nargs="?", default=None,
                   help="words to find (all of them; any of them when none match all)")
    p.add_argument("--all", action="store_true", help="search every video of the library: search --all TEXT")
    p.add_argument("--limit", type=int, default=20, help="most hits shown (default 20)")
    add_evidence_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    if args.all:
        return run_all(args, ctx)
    if args.text is None:
        from core.errors import UsageError

        raise UsageError("Give the video and the words: search VIDEO TEXT (or search --all TEXT).")
    with ctx.progress() as report:
        hits = ctx.service().search(args.video, args.text, limit=args.limit, progress=report)
    lines = [f"{clock(h.start_s, tenths=True, hours=True)} - {clock(h.end_s, tenths=True, hours=True)}  "
             f"{h.source:<8} {h.score:8.3g}  {h.snippet or h.text}" for h in hits]
    ctx.emit([h.to_json() for h in hits], "\n".join(lines) if lines else f"No hits for {args.text!r}.")
    return 0


def run_all(args: argparse.Namespace, ctx: CliContext) -> int:
    """``search --all TEXT``: hits across every video with evidence (nothing is computed first)."""
    from core.errors import UsageError

    if args.text is not None:
        raise UsageError("With --all give only the words: search --all TEXT.")
    hits = ctx.service().search_all(args.video, limit=args.limit)
    lines = [f"{clock(h.hit.start_s, tenths=True, hours=True)}  {h.hit.source:<8} {h.hit.score:8.3g}  "
             f"{h.name}: {h.hit.snippet or h.hit.text}" for h in hits]
    ctx.emit([h.to_json() for h in hits], "\n".join(lines) if lines else f"No hits for {args.video!r} in the library.")
    return 0
