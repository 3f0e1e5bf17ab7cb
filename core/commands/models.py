"""``longwatch-cli models``: which models are installed or configured, their sizes, what each adds, and how to
get a larger one."""

from __future__ import annotations

import argparse

from core.commands.context import CliContext
from core.models_catalog import ModelEntry, list_models


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("models", parents=[common], help="installed and configured models, sizes, what each adds")
    p.add_argument("--model", metavar="DIR", default=None,
                   help="video model folder to report on (default $LONGWATCH_MODEL)")
    p.set_defaults(func=run)


def human_size(n: int | None) -> str:
    """Bytes in decimal units: 84.3 MB."""
    if n is None:
        return "-"
    value = float(n)
    for unit in ("B", "KB", "MB"):
        if value < 1000:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


def format_entries(entries: list[ModelEntry]) -> str:
    out = []
    for e in entries:
        state = "installed" if e.installed else "missing"
        out.append(f"{e.role:<11} {state:<9} {human_size(e.size_bytes):>9}  {e.name}")
        if e.path:
            out.append(f"{'':<11} {e.path}")
        if e.note:
            out.append(f"{'':<11} {e.note}")
        out.append(f"{'':<11} adds: {e.adds}")
        out.append(f"{'':<11} larger: {e.larger}")
    return "\n".join(out)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    entries = list_models(args.model)
    ctx.emit([e.to_json() for e in entries], format_entries(entries))
    return 0
