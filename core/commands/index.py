"""``longwatch-cli index VIDEO``: index once: the evidence pass, then the video-LLM memory when a model is given
(``--model`` or ``$LONGWATCH_MODEL``). Each part resumes an interrupted run and returns at once when done."""

from __future__ import annotations

import argparse

from core.commands.context import CliContext
from core.commands.options import add_evidence_options, add_index_options, add_model_options


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("index", parents=[common], help="index a video once (resumable)")
    p.add_argument("video", metavar="VIDEO", help="the video file")
    add_model_options(p)
    add_index_options(p)
    p.add_argument("--no-evidence", action="store_true",
                   help="skip the evidence pass (shots, speech, on-screen text); only the video-LLM memory")
    add_evidence_options(p, fps_flag="--evidence-fps")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from core.errors import UsageError
    from core.index.options import NO_MODEL_MESSAGE

    service = ctx.service()
    if args.no_evidence and not (args.model or service.settings.has_model):
        raise UsageError(NO_MODEL_MESSAGE)
    with ctx.progress() as report:
        outcome = service.index(args.video, model=args.model, frames=args.frames, fps=args.fps,
                                evidence=not args.no_evidence, progress=report)
    ctx.notes(outcome.notes)
    parts = []
    if outcome.evidence is not None:
        ev = outcome.evidence
        parts.append(f"evidence {'done' if not ev.stages_run else 'made: ' + ', '.join(ev.stages_run)}")
    result = outcome.memory
    if result is not None:
        how = "already indexed" if result.reused else (
            f"resumed at window {result.resumed_from}" if result.resumed_from else "indexed")
        parts.append(f"{how}; {result.frames} frames, {result.windows} windows, "
                     f"{result.bytes / 1e6:.1f} MB of memory ({result.elapsed_s:.1f} s)")
    ctx.emit(outcome.to_json(), f"{outcome.video.name}: " + "; ".join(parts))
    return 0
