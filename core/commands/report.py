"""``longwatch-cli report VIDEO --out FILE.{md,html,pdf,json}``: the video's report from what the library holds.

Works on any video: one never indexed gets a report with its file facts, and the report lists what is missing
and how to get it. ``--chapters-into COPY.mkv`` also writes the summary's chapters into a copy of the video
(no re-encoding).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from core.cli import CliContext
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
    p.add_argument("--no-thumbnails", action="store_true", help="leave chapter thumbnails out (faster)")
    p.add_argument("--thumb-width", type=int, default=320, metavar="PX", help="thumbnail width (default 320)")
    p.add_argument("--no-location", action="store_true",
                   help="name the video but not the folder it is in (for a report you share)")
    p.add_argument("--chapters-into", metavar="COPY", default=None,
                   help="also write the chapters into a copy of the video (.mkv, .mp4, .mov), without re-encoding")
    p.add_argument("--chapters-out", metavar="FILE", default=None,
                   help="also write the chapters as segments: .srt, .csv (LosslessCut), .edl, .ffmetadata.txt, "
                        ".youtube.txt (YouTube description) or .json")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from core.report.collect import ReportOptions, collect_report
    from core.report.write import default_report_name, write_report

    try:
        options = ReportOptions(thumbnails=not args.no_thumbnails, thumb_width=args.thumb_width,
                                show_location=not args.no_location)
    except ValueError as e:
        raise UsageError(str(e)) from e
    db = ctx.db()
    fingerprint, path = _resolve(ctx, args.video)
    data = collect_report(db, fingerprint, path=path, options=options)
    out = Path(args.out).expanduser()
    if out.is_dir():
        out = out / default_report_name(data, args.format or "html")
    written = write_report(data, out, fmt=args.format)
    result = {
        "path": str(written.path),
        "format": written.format,
        "size_bytes": written.size_bytes,
        "extra_files": [str(p) for p in written.extra_files],
        "chapters": len(data.chapters),
        "ads": None if data.ads is None else len(data.ads),
        "questions": len(data.questions),
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


def _resolve(ctx: CliContext, video: str) -> tuple[str, Path | None]:
    """(fingerprint, current path): a file is probed and added to the library if new; else a fingerprint."""
    from core.store import get_video_row, upsert_video

    db = ctx.db()
    p = Path(video).expanduser()
    if p.is_file():
        from core.media import probe

        info = probe(p.resolve())
        upsert_video(db, info)
        return info.fingerprint, p.resolve()
    if get_video_row(db, video) is not None:
        return video, None
    raise UsageError(f"{video} is neither a file nor a video in the library; give the video file's path.")


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
