"""``longwatch-cli report VIDEO --out FILE.{md,html,pdf,json}``: the video's report.

By default what is missing is computed first, with progress (the summary and chapters, the ads; from the
video-LLM memory when the video has one, else from the evidence, running the evidence pass when needed);
``--existing-only`` writes only what the library holds, and the report lists what is missing and how to get it.
``--chapters-into COPY.mkv`` also writes the chapters into a copy of the video (no re-encoding).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from core.commands.context import CliContext
from core.commands.options import add_evidence_options
from core.errors import UsageError

if TYPE_CHECKING:
    from core.report.data import ReportData


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("report", parents=[common], help="export a report (Markdown, HTML, PDF or JSON)",
                       description="Export the video's report: file facts, summary and chapters with thumbnails, "
                                   "ads, and the questions asked, from what the library holds.")
    p.add_argument("video", metavar="VIDEO", help="the video file (or its fingerprint)")
    p.add_argument("--out", required=True, metavar="FILE",
                   help="FILE.md, FILE.html, FILE.pdf or FILE.json; a folder picks a name from the video's")
    p.add_argument("--format", choices=("md", "html", "pdf", "json"), default=None,
                   help="the format when --out is a folder or has another extension (default: from --out, else html)")
    p.add_argument("--existing-only", action="store_true",
                   help="do not compute a missing summary or ads first; report what the library holds")
    p.add_argument("--no-thumbnails", action="store_true", help="leave chapter thumbnails out (faster)")
    p.add_argument("--thumb-width", type=int, default=320, metavar="PX", help="thumbnail width (default 320)")
    p.add_argument("--no-location", action="store_true",
                   help="name the video but not the folder it is in (for a report you share)")
    p.add_argument("--chapters-into", metavar="COPY", default=None,
                   help="also write the chapters into a copy of the video (.mkv, .mp4, .mov), without re-encoding")
    p.add_argument("--chapters-out", metavar="FILE", default=None,
                   help="also write the chapters as segments: .srt, .csv (LosslessCut), .edl, .ffmetadata.txt, "
                        ".youtube.txt (YouTube description) or .json")
    add_evidence_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from core.report.collect import ReportOptions

    options = ReportOptions(thumbnails=not args.no_thumbnails, thumb_width=args.thumb_width,
                            show_location=not args.no_location)
    with ctx.progress() as report:
        outcome = ctx.service().report(args.video, args.out, fmt=args.format, existing_only=args.existing_only,
                                       options=options, progress=report)
    data, written = outcome.data, outcome.written
    result = {
        "path": str(written.path),
        "format": written.format,
        "size_bytes": written.size_bytes,
        "extra_files": [str(p) for p in written.extra_files],
        "chapters": len(data.chapters),
        "ads": None if data.ads is None else len(data.ads),
        "questions": len(data.questions),
        "computed": list(outcome.computed),
        "missing": list(data.missing),
    }
    if args.chapters_into:
        result["chapters_into"] = str(_chapters_into(data, Path(args.chapters_into).expanduser()))
    if args.chapters_out:
        result["chapters_out"] = str(_chapters_out(ctx, data, Path(args.chapters_out).expanduser()))
    for line in data.missing:
        ctx.log(f"note: {line}")
    ads = "not looked for" if data.ads is None else str(len(data.ads))
    ctx.emit(result, f"Wrote {written.path} ({written.size_bytes / 1000:.0f} kB): {len(data.chapters)} chapters, "
                     f"ads {ads}, {len(data.questions)} questions.")
    return 0


def _chapters_into(data: ReportData, dst: Path) -> Path:
    from core.report.chapters_mux import write_chapters

    if not data.chapters:
        raise UsageError("No chapters to write: run `longwatch-cli summary VIDEO` first.")
    if not data.video_found:
        raise UsageError(f"The video is not at {data.video.path}; give its current path as VIDEO.")
    return write_chapters(data.video.path, dst, [e.chapter for e in data.chapters])


def _chapters_out(ctx: CliContext, data: ReportData, dst: Path) -> Path:
    from core.report.segments import (
        chapters_to_moments,
        format_segments,
        segment_format_for,
        youtube_chapters,
    )
    from core.report.write import write_text

    fmt = segment_format_for(dst)
    if not data.chapters:
        raise UsageError("No chapters to write: run `longwatch-cli summary VIDEO` first.")
    moments = chapters_to_moments([e.chapter for e in data.chapters])
    duration = data.video.duration_s
    if fmt == "youtube":
        yt = youtube_chapters(moments, duration_s=duration)
        for note in yt.adjustments:
            ctx.log(f"YouTube chapters: {note}")
        text = yt.text
    else:
        text = format_segments(moments, fmt, duration_s=duration, title=data.title)
    write_text(dst, text)
    return dst
