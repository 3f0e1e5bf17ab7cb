"""``longwatch-cli postprocess FILE``: a drop-in for a Comskip post-processing script (Plex, Jellyfin, MythTV,
cTiVo...). Analyses the finished recording as needed and writes ``NAME.edl`` next to it (and chapters with
``--chapters``); exits 0 with one line, or 1 with one line saying what went wrong. Safe to run twice; never
touches the recording unless ``--chapters-into-original``."""

from __future__ import annotations

import argparse

from core.commands.context import CliContext
from core.commands.options import add_evidence_options, add_model_options


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("postprocess", parents=[common], help="DVR post-processing: write FILE's .edl (Comskip drop-in)")
    p.add_argument("file", metavar="FILE", help="the finished recording")
    p.add_argument("--chapters", choices=("none", "ffmetadata", "mkv"), default="none",
                   help="also write chapters: NAME.ffmetadata, or NAME.chapters.mkv (a copy, no re-encoding)")
    p.add_argument("--chapters-into-original", action="store_true",
                   help="mux the chapters into the recording itself (MKV/MP4; replaced atomically)")
    p.add_argument("--no-edl", action="store_true", help="do not write NAME.edl")
    p.add_argument("--with-index", action="store_true", help="also build the video-LLM index (needs --model)")
    add_model_options(p)
    add_evidence_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from core.usecases import PostprocessOptions, postprocess

    kinds = ("evidence", "index", "ads") if args.with_index else ("evidence", "ads")
    options = PostprocessOptions(kinds=kinds, edl=not args.no_edl, chapters=args.chapters,
                                 into_original=args.chapters_into_original)
    outcome = postprocess(ctx.service(), args.file, options)
    ctx.emit(outcome.to_json(), outcome.line())
    return 0
