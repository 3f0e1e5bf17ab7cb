"""``longwatch-cli ads VIDEO [--format F]``: advert / commercial segments, marked (never cut).

Runs (or resumes) the evidence pass when needed, with progress on stderr, then prints the segments: a table, JSON
with --json, or one of the segment formats (EDL for Kodi / MPlayer / mpv, ffmetadata chapters for ffmpeg / Plex,
LosslessCut CSV, SRT) with --format.
"""

from __future__ import annotations

import argparse
import json

from core.cli import CliContext, existing_file
from core.errors import UsageError

AD_FORMATS = ("json", "edl", "ffmetadata", "csv", "srt")


def add_evidence_options(p: argparse.ArgumentParser) -> None:
    """Options of the evidence pass, shared by the commands that may run it."""
    g = p.add_argument_group("evidence pass")
    g.add_argument("--fps", type=float, default=4.0, help="frames per second analysed (default 4)")
    g.add_argument("--no-ocr", action="store_true", help="skip on-screen text")
    g.add_argument("--ocr-every", type=float, default=2.0, metavar="S", help="seconds between OCR'd frames")
    g.add_argument("--no-speech", action="store_true", help="skip speech recognition")
    g.add_argument("--speech-model", metavar="DIR_OR_NAME", default=None,
                   help="faster-whisper model folder or name (default: the bundled Whisper tiny.en)")
    g.add_argument("--language", default=None, help="speech language code (default: the model's)")


def evidence_options(args: argparse.Namespace) -> object:
    from core.evidence import EvidenceOptions

    return EvidenceOptions(fps=args.fps, ocr=not args.no_ocr, ocr_every_s=args.ocr_every,
                           speech=not args.no_speech, speech_model=args.speech_model,
                           speech_language=args.language)


def ensure_evidence(args: argparse.Namespace, ctx: CliContext) -> tuple[str, float, str]:
    """Run or resume the evidence pass; returns (fingerprint, duration_s, file name)."""
    from core.evidence import EvidenceOptions, run_evidence
    from core.media import probe

    if not args.video.is_file():
        raise UsageError(f"No such video file: {args.video}; give the path of a video.")
    options = evidence_options(args)
    assert isinstance(options, EvidenceOptions)
    info = probe(args.video)
    with ctx.progress() as progress:
        summary = run_evidence(ctx.db(), args.video, options, progress=progress, info=info)
    if summary.stages_run:
        ctx.log(f"evidence: {', '.join(summary.stages_run)} done in {summary.seconds:.1f} s")
    return info.fingerprint, info.duration_s, info.name


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("ads", parents=[common], help="advertisement / commercial segments")
    p.add_argument("video", type=existing_file, metavar="VIDEO")
    p.add_argument("--format", choices=AD_FORMATS, default=None,
                   help="print the segments in this format (edl: Kodi/MPlayer/Comskip; ffmetadata: chapters)")
    p.add_argument("--min-score", type=float, default=0.5, help="lowest confidence reported (0..1, default 0.5)")
    add_evidence_options(p)
    from core.commands.model_args import add_model_options

    add_model_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from core.evidence import detect_ads
    from core.report.segments import format_segments

    if not 0.0 <= args.min_score <= 1.0:
        raise UsageError(f"--min-score {args.min_score} is outside 0..1; use e.g. 0.5.")
    fingerprint, duration_s, name = ensure_evidence(args, ctx)
    moments = detect_ads(ctx.db(), fingerprint, model_scores=_model_scores(args, ctx, fingerprint),
                         min_score=args.min_score)
    data = [m.to_json() for m in moments]
    with ctx.db().atomic():
        ctx.db().execute("INSERT INTO queries (video, kind, question, result_json) VALUES (?, 'ads', '', ?)",
                         [fingerprint, json.dumps(data)])
    if args.format is not None:
        ctx.out.write(format_segments(moments, args.format, duration_s=duration_s, title=name).rstrip("\n") + "\n")
        ctx.out.flush()
        return 0
    lines = [f"{hms(m.start)} - {hms(m.end)}  {m.score:.2f}  " + "; ".join(m.why) for m in moments]
    ctx.emit(data, "\n".join(lines) if lines else f"No ads found in {name}.")
    return 0


def _model_scores(args: argparse.Namespace, ctx: CliContext,
                  fingerprint: str) -> list[tuple[float, float, float]] | None:
    """The video-LLM's per-window advert probability when a model is configured and the video is indexed."""
    from core.commands.model_args import load, optional_model_options
    from core.index.store import list_runs

    options = optional_model_options(args)
    if options is None or not any(r.windows_done for r in list_runs(ctx.db(), fingerprint)):
        return None  # loading a model is only worth it when there is a memory to score
    from core.query import model_ad_scores_if_indexed

    return model_ad_scores_if_indexed(ctx.db(), fingerprint, load(options, ctx))


def hms(seconds: float) -> str:
    """H:MM:SS.t (tenths)."""
    tenths = round(seconds * 10)
    s = tenths // 10
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}.{tenths % 10}"
