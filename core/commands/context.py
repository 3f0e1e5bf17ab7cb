"""What a command gets from the command line: the service, stdout/stderr, progress rendering (``CliContext``)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import sqlite_utils

from core.progress import Progress, ProgressCallback

if TYPE_CHECKING:
    from core.usecases import Longwatch


class CliContext:
    """What a command needs from the command line: the database, output and progress rendering."""

    def __init__(self, args: argparse.Namespace, out: IO[str], err: IO[str]) -> None:
        self.args = args
        self.json: bool = bool(getattr(args, "json", False))
        self.db_path: str | None = getattr(args, "db", None)
        self.out, self.err = out, err
        self._service: Longwatch | None = None

    def service(self) -> Longwatch:
        """The engine's use cases with the settings the arguments ask for (see ``core.commands.options``)."""
        if self._service is None:
            from core.commands.options import settings
            from core.usecases import Longwatch

            self._service = Longwatch(settings(self.args), db_path=self.db_path)
        return self._service

    def db(self) -> sqlite_utils.Database:
        return self.service().db

    def close(self) -> None:
        if self._service is not None:
            self._service.close_thread()
            self._service = None

    def notes(self, notes: Sequence[str]) -> None:
        """What an answer could not use, one line each on stderr."""
        for note in notes:
            self.log(f"note: {note}")

    def emit(self, data: Any, human: str) -> None:
        """Print ``data`` as JSON with --json, else the human text."""
        if self.json:
            self.out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        else:
            self.out.write(human.rstrip("\n") + "\n")
        self.out.flush()

    def log(self, message: str) -> None:
        self.err.write(message.rstrip("\n") + "\n")
        self.err.flush()

    @contextmanager
    def progress(self) -> Iterator[ProgressCallback]:
        """A progress callback drawing a bar on stderr when it is a terminal, else occasional plain lines."""
        if self.err.isatty():
            with _RichBar(self.err) as bar:
                yield bar.update
        else:
            yield _PlainProgress(self.err).update


class _PlainProgress:
    """One line per stage and every 10% (for logs and pipes)."""

    def __init__(self, err: IO[str]) -> None:
        self.err = err
        self._last: tuple[str, int] | None = None

    def update(self, p: Progress) -> None:
        frac = p.fraction
        step = int(frac * 10) if frac is not None else -1
        if self._last == (p.stage, step):
            return
        self._last = (p.stage, step)
        total = f"/{p.total:g}" if p.total is not None else ""
        eta = f" eta {p.eta_s:.0f}s" if p.eta_s is not None else ""
        self.err.write(f"{p.stage}: {p.done:g}{total} {p.unit}{eta} {p.message}".rstrip() + "\n")
        self.err.flush()


class _RichBar:
    """A rich progress bar on a terminal: stage, bar, done/total, rate, ETA."""

    def __init__(self, err: IO[str]) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[unit]}"),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=Console(file=err),
            transient=False,
        )
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> _RichBar:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def update(self, p: Progress) -> None:
        rate = f"{p.rate:.1f}/s" if p.rate else ""
        if p.stage not in self._tasks:
            self._tasks[p.stage] = self._progress.add_task(p.stage, total=p.total, unit=p.unit, rate=rate)
        self._progress.update(self._tasks[p.stage], completed=p.done, total=p.total, unit=p.unit, rate=rate)


def existing_file(value: str) -> Path:
    """argparse type: a path (existence is checked by the command, so the message can say what to do)."""
    return Path(value).expanduser()
