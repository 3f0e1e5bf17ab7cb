"""``longwatch [FILE ...]``: open the window (and those files) on a qasync event loop."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

from PySide6.QtWidgets import QApplication


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="longwatch", description="Index long videos once, then ask them anything.")
    p.add_argument("files", nargs="*", metavar="FILE", help="videos or folders to open")
    p.add_argument("--check", action="store_true",
                   help="print which models this build finds (and what each adds), then exit")
    p.add_argument("--quit-after", type=float, default=None, metavar="SECONDS",
                   help="close the window after this long (smoke tests of a packaged build)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.check:
        return _check()
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false")
    logging.basicConfig(level=logging.INFO, format="longwatch: %(message)s")  # the window's messages, for a terminal
    import qasync

    from app.icons import icon, stylesheet
    from app.window import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName("Longwatch")
    app.setOrganizationName("Longwatch")
    app.setDesktopFileName("longwatch")
    app.setWindowIcon(icon("longwatch"))
    app.setStyleSheet(stylesheet())
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    closed = asyncio.Event()
    app.lastWindowClosed.connect(closed.set)
    window = MainWindow()
    window.show()
    if args.files:
        window.open_paths(args.files)
    if args.quit_after is not None:
        window.ask_on_close = False
        loop.call_later(args.quit_after, window.close)
    print("Longwatch window open", flush=True)
    with loop:
        loop.run_until_complete(closed.wait())
    return 0


def _check() -> int:
    """One line per model slot: installed or missing, and what it adds (exit 1 when an evidence model is missing:
    the video-LLM and the image-text model are optional downloads)."""
    from core.usecases import Longwatch

    entries = Longwatch(db_path=":memory:").models_installed()
    for e in entries:
        print(f"{e.role:11} {'yes' if e.installed else 'NO '}  {e.name}: {e.adds}")
    return 0 if all(e.installed for e in entries if e.role not in ("video-llm", "vision")) else 1


if __name__ == "__main__":
    raise SystemExit(main())
