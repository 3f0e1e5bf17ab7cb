"""``longwatch-cli search VIDEO TEXT``: ranked full-text hits in the transcript, subtitles and on-screen text.

Runs (or resumes) the evidence pass when needed (options as for ``ads``), then queries the FTS5 index.
"""

from __future__ import annotations

import argparse

from core.cli import CliContext, existing_file
from core.commands.ads import add_evidence_options, ensure_evidence, hms
from core.errors import UsageError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("search", parents=[common], help="full-text hits in transcript, subtitles, on-screen text")
    p.add_argument("video", type=existing_file, metavar="VIDEO")
    p.add_argument("text", metavar="TEXT", help="words to find (all of them; any of them when none match all)")
    p.add_argument("--limit", type=int, default=20, help="most hits shown (default 20)")
    add_evidence_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from core.evidence import search_text

    if args.limit < 1:
        raise UsageError(f"--limit {args.limit} must be at least 1.")
    if not args.text.strip():
        raise UsageError("Nothing to search for; give one or more words.")
    fingerprint, _duration, name = ensure_evidence(args, ctx)
    hits = search_text(ctx.db(), fingerprint, args.text, limit=args.limit)
    lines = [f"{hms(h.start_s)} - {hms(h.end_s)}  {h.source:<8} {h.score:8.3g}  {h.snippet or h.text}"
             for h in hits]
    ctx.emit([h.to_json() for h in hits], "\n".join(lines) if lines else f"No hits for {args.text!r} in {name}.")
    return 0
