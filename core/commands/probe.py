"""``longwatch-cli probe VIDEO``: streams, duration and fingerprint of a file."""

from __future__ import annotations

import argparse

from core.commands.context import CliContext, existing_file
from core.media.types import VideoInfo
from core.timefmt import clock


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("probe", parents=[common], help="streams, duration, fingerprint")
    p.add_argument("video", type=existing_file, metavar="VIDEO")
    p.add_argument("--no-save", action="store_true", help="do not add the video to the library")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from core.media import probe

    info = probe(args.video) if args.no_save else ctx.service().open(args.video)
    ctx.emit(info.to_json(), format_info(info))
    return 0


def format_info(info: VideoInfo) -> str:
    v = info.video
    lines = [
        f"{info.name}",
        f"  container   {info.container}, {info.size_bytes / 1e6:.1f} MB",
        f"  duration    {clock(info.duration_s, hours=True)} ({info.duration_s:.3f} s)",
        f"  video       #{v.index} {v.codec} {v.width}x{v.height} {v.fps:.3f} fps"
        + (" (variable)" if v.variable_fps else "")
        + (f", rotated {v.rotation}°" if v.rotation else ""),
    ]
    for a in info.audio:
        lines.append(f"  audio       #{a.index} {a.codec} {a.sample_rate} Hz {a.channels} ch"
                     + (f" [{a.language}]" if a.language else ""))
    for s in info.subtitles:
        lines.append(f"  subtitles   #{s.index} {s.codec}" + (f" [{s.language}]" if s.language else "")
                     + ("" if s.is_text else " (bitmap, not read)"))
    for path in info.sidecar_subtitles:
        lines.append(f"  subtitles   {path}")
    if info.readable_s is not None:
        lines.append(f"  damaged     only {clock(info.readable_s, hours=True)} of {clock(info.duration_s, hours=True)} can be read; "
                     "Longwatch indexes the readable part")
    lines.append(f"  fingerprint {info.fingerprint}")
    return "\n".join(lines)

