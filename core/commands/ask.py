"""``longwatch-cli ask VIDEO QUESTION``: the answer, streamed, with the moments that ground it.

From the video's memory (the model its index recorded, or ``--model``), else from the evidence (the evidence pass
runs first when it is missing).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from core.commands.context import CliContext
from core.commands.options import add_evidence_options, add_model_options
from core.results import Moment
from core.timefmt import clock


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("ask", parents=[common], help="answer a question about a video")
    p.add_argument("video", metavar="VIDEO", help="the video file (or its fingerprint)")
    p.add_argument("question", metavar="QUESTION")
    p.add_argument("--max-tokens", type=int, default=None, metavar="N", help="longest answer in tokens (default 256)")
    add_model_options(p)
    add_evidence_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from core.query import AskOptions

    service = ctx.service()
    options = AskOptions(max_new_tokens=args.max_tokens or service.settings.answer_tokens)
    with ctx.progress() as report:
        answer = service.ask(args.video, args.question, model=args.model, options=options,
                             on_text=None if ctx.json else _stream(ctx), progress=report)
    ctx.notes(answer.notes)
    if ctx.json:
        ctx.emit(answer.to_json(), "")
    else:
        ctx.out.write("\n")
        ctx.emit(None, "\n".join(format_moment(m) for m in answer.moments))
    return 0


def _stream(ctx: CliContext) -> Callable[[str], None]:
    def write(piece: str) -> None:
        ctx.out.write(piece)
        ctx.out.flush()

    return write


def format_moment(m: Moment) -> str:
    why = f"  ({'; '.join(m.why)})" if m.why else ""
    return f"{clock(m.start)}-{clock(m.end)}  {m.score:.2f}  {m.label}{why}"
