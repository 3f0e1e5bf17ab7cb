"""``longwatch-cli ads VIDEO [--format F]``: advert / commercial breaks, each with its adverts, marked (never cut).

Runs (or resumes) the evidence pass when needed, with progress on stderr, and uses the video-LLM's window scores
too when the video has a memory. Prints the breaks: a table, JSON with --json (each break a moment labelled "ad"
with its ``adverts``), or one of the segment formats (EDL for Kodi / MPlayer / mpv, ffmetadata chapters for
ffmpeg / Plex, LosslessCut CSV, SRT) with --format.
"""

from __future__ import annotations

import argparse

from core.commands.context import CliContext
from core.commands.options import add_evidence_options, add_model_options
from core.timefmt import clock

AD_FORMATS = ("json", "edl", "ffmetadata", "csv", "srt")


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("ads", parents=[common], help="advertisement / commercial breaks")
    p.add_argument("video", metavar="VIDEO", help="the video file (or its fingerprint)")
    p.add_argument("--format", choices=AD_FORMATS, default=None,
                   help="print the breaks in this format (edl: Kodi/MPlayer/Comskip; ffmetadata: chapters)")
    p.add_argument("--min-score", type=float, default=0.5, help="lowest confidence reported (0..1, default 0.5)")
    add_evidence_options(p)
    add_model_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from core.report.segments import format_segments

    service = ctx.service()
    with ctx.progress() as report:
        answer = service.ads(args.video, model=args.model, min_score=args.min_score, progress=report)
    ctx.notes([n for n in answer.notes if "No video-LLM" not in n])  # the detector needs none
    if args.format is not None:
        ref = service.video(args.video)
        ctx.out.write(format_segments(list(answer.moments), args.format, duration_s=ref.duration_s,
                                      title=ref.name).rstrip("\n") + "\n")
        ctx.out.flush()
        return 0
    lines = []
    for b in answer.breaks:
        lines.append(f"{clock(b.start, tenths=True, hours=True)} - {clock(b.end, tenths=True, hours=True)}  "
                     f"{b.score:.2f}  " + "; ".join(b.why))
        lines += [f"    advert {clock(a.start, tenths=True, hours=True)} - {clock(a.end, tenths=True, hours=True)}"
                  for a in b.adverts if len(b.adverts) > 1]
    ctx.emit([b.to_json() for b in answer.breaks], "\n".join(lines) or "No ads found.")
    return 0
