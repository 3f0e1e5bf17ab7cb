"""``longwatch-cli``: the headless command line (also ``python -m core``).

Contract (ARCHITECTURE.md): every command takes ``--db PATH`` and ``--json``; the machine-readable result goes
to stdout, progress and logs to stderr. Exit status 0 on success, 2 on bad usage, 1 on any other failure with a
one-line message on stderr and no traceback unless ``--debug``; 130 when interrupted (Ctrl-C).

Each command lives in ``core/commands/<name>.py`` with ``register(subparsers, common)``, which adds its parser and
sets ``func(args, ctx) -> int``. This module only parses, builds the ``CliContext``
(``core.commands.context``) and turns errors into exit codes.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

from core.commands.context import CliContext
from core.errors import Cancelled, LongwatchError, UsageError

if TYPE_CHECKING:
    pass


EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def _common_options(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS everywhere: the options may stand before or after the command, and a subparser's default must
    # not overwrite a value given before the command (an argparse quirk). Read them with getattr(args, ..., default).
    parser.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS,
                        help="library database (default: user data dir, or $LONGWATCH_DB)")
    parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="print the result as JSON on stdout")
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show tracebacks and debug logs")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="longwatch-cli",
        description="Longwatch engine: index long videos once, then ask, find, summarise and export.",
    )
    _common_options(parser)
    common = argparse.ArgumentParser(add_help=False)
    _common_options(common)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    from core.commands import (
        ads,
        ask,
        dev,
        find,
        history,
        index,
        index_library,
        library,
        models,
        postprocess,
        probe,
        queue,
        report,
        search,
        summary,
        watch,
    )

    for module in (probe, library, index, ask, find, summary, search, ads, report, history, models, queue, watch,
                   postprocess, index_library, dev):
        module.register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None, out: IO[str] | None = None, err: IO[str] | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse: --help (0) or bad usage (2)
        return int(e.code) if isinstance(e.code, int) else EXIT_USAGE
    debug = bool(getattr(args, "debug", False))
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, stream=err,
                        format="%(levelname)s %(name)s: %(message)s")
    ctx = CliContext(args, out, err)
    try:
        return int(args.func(args, ctx))
    except UsageError as e:
        err.write(f"longwatch-cli: {e}\n")
        return EXIT_USAGE
    except Cancelled as e:
        err.write(f"{e}\n")
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        err.write("Interrupted; the work committed so far is kept and the next run resumes.\n")
        return EXIT_INTERRUPTED
    except LongwatchError as e:
        if debug:
            traceback.print_exc(file=err)
        err.write(f"Error: {e}\n")
        return EXIT_FAIL
    except Exception as e:  # a bug: still one line unless --debug
        if debug:
            traceback.print_exc(file=err)
        msg = " ".join(str(e).split()) or type(e).__name__
        err.write(f"Internal error ({type(e).__name__}): {msg}. Run again with --debug and report it.\n")
        return EXIT_FAIL
    finally:
        ctx.close()


