"""``longwatch-cli ask VIDEO QUESTION``: an answer streamed from the persisted memory (or from the evidence
when no video-LLM is configured), with moments."""

from __future__ import annotations

import argparse

from core.cli import CliContext
from core.commands.grounding import add_source_options, prepare
from core.results import Moment


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("ask", parents=[common], help="answer a question about an indexed video")
    p.add_argument("video", metavar="VIDEO", help="the video file (or its fingerprint)")
    p.add_argument("question", metavar="QUESTION")
    add_source_options(p)
    p.add_argument("--max-tokens", type=int, default=256, metavar="N", help="longest answer in tokens")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from core.query import AskOptions, grounded_ask

    video, model = prepare(args, ctx)
    stream = None if ctx.json else _Streamer(ctx)
    answer = grounded_ask(ctx.db(), video, args.question, model,
                          options=AskOptions(max_new_tokens=args.max_tokens), on_text=stream)
    if ctx.json:
        ctx.emit(answer.to_json(), "")
    else:
        ctx.out.write("\n")
        ctx.emit(None, "\n".join(format_moment(m) for m in answer.moments))
    return 0


class _Streamer:
    def __init__(self, ctx: CliContext) -> None:
        self.ctx = ctx

    def __call__(self, piece: str) -> None:
        self.ctx.out.write(piece)
        self.ctx.out.flush()


def format_moment(m: Moment) -> str:
    from core.query.moments import fmt_time

    why = f"  ({'; '.join(m.why)})" if m.why else ""
    return f"{fmt_time(m.start)}-{fmt_time(m.end)}  {m.score:.2f}  {m.label}{why}"
