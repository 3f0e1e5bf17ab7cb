"""App test fixtures: a qasync loop on pytest-qt's QApplication, a ``spin`` helper, test media, a main window
on a temporary database, and napari-style leak checks that run around every app test (dangling QThreads,
active QTimers, top-level widgets left open, engine threads left running)."""

from __future__ import annotations

import asyncio
import os
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, QThread, QTimer
from PySide6.QtWidgets import QApplication

from core.usecases import Settings

os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false")

Spin = Callable[..., None]


# ---- leak checks ----------------------------------------------------------------------------------------------
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/app" in str(item.fspath).replace(os.sep, "/") and hasattr(item, "fixturenames"):
            item.fixturenames.insert(0, "_leak_checks")  # set up first, so torn down after qtbot's cleanup


@pytest.fixture
def _leak_checks(qapp: QApplication, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    threads: list[tuple[QThread, str]] = []
    timers: list[tuple[QTimer, str]] = []
    orig_thread_start, orig_timer_start = QThread.start, QTimer.start

    def thread_start(self: QThread, *a: object) -> None:
        threads.append((self, "".join(traceback.format_stack(limit=6))))
        orig_thread_start(self, *a)

    def timer_start(self: QTimer, *a: object) -> None:
        timers.append((self, "".join(traceback.format_stack(limit=6))))
        orig_timer_start(self, *a)

    monkeypatch.setattr(QThread, "start", thread_start)
    monkeypatch.setattr(QTimer, "start", timer_start)
    before = {id(w) for w in qapp.topLevelWidgets()}
    yield
    _drain(qapp)
    deadline = time.monotonic() + 2.0
    for t, where in threads:
        while _alive(t) and time.monotonic() < deadline:
            _drain(qapp)
        assert not _alive(t), f"a QThread started here is still running:\n{where}"
    for tm, where in timers:
        assert not _active(tm), f"a QTimer started here is still active:\n{where}"
    engine = [t.name for t in threading.enumerate() if t.name.startswith("longwatch-")]
    assert not engine, f"engine threads left running (call Engine.shutdown): {engine}"
    left = [w for w in qapp.topLevelWidgets() if id(w) not in before and w.isVisible()]
    assert not left, f"top-level widgets left open: {[type(w).__name__ for w in left]}"


def _drain(qapp: QApplication) -> None:
    qapp.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _alive(t: QThread) -> bool:
    try:
        return t.isRunning()
    except RuntimeError:  # the C++ object is gone: the thread finished and was deleted
        return False


def _active(tm: QTimer) -> bool:
    try:
        return tm.isActive()
    except RuntimeError:
        return False


# ---- event loop ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    import qasync

    qapp.setQuitOnLastWindowClosed(False)  # closing a test's window must not stop the loop
    ev = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(ev)
    yield ev
    ev.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def spin(loop: asyncio.AbstractEventLoop) -> Spin:
    """``spin(cond, timeout=30)``: run the Qt + asyncio loop until ``cond()`` is true (fails on timeout)."""

    def run(cond: Callable[[], object], timeout: float = 60.0, what: str = "") -> None:
        async def wait() -> None:
            t0 = time.monotonic()
            while not cond():
                if time.monotonic() - t0 > timeout:
                    raise AssertionError(f"timed out after {timeout} s waiting for {what or cond}")
                await asyncio.sleep(0.02)

        loop.run_until_complete(wait())

    return run


# ---- media -----------------------------------------------------------------------------------------------------
class Media:
    """Tiny clips made on first use: ``clip`` (6 s, 10 fps, tone), ``ads`` (a 63.5 s programme with a 23.5 s ad
    break, 128x72), ``bad`` (text named .mp4)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made: dict[str, Path] = {}

    def __getitem__(self, name: str) -> Path:
        if name not in self.made:
            self.made[name] = self._make(name)
        return self.made[name]

    def _make(self, name: str) -> Path:
        from tests.core.evidence.gen import ad_break_parts, write_recording
        from tests.mediagen import make_text, make_video

        if name == "clip":
            return make_video(self.folder / "clip.mp4", duration_s=6.0, fps=10, size=(160, 120), audio=True)
        if name == "ads":
            return write_recording(self.folder / "programme.mp4", ad_break_parts()[0], size=(128, 72), fps=8)
        if name == "bad":
            return make_text(self.folder / "notes.mp4")
        raise KeyError(name)


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> Media:
    return Media(tmp_path_factory.mktemp("media"))


# ---- the window ------------------------------------------------------------------------------------------------
def fast_settings(tmp_path: Path) -> Settings:
    """Evidence without speech and OCR (their models take seconds to load), on a temporary database."""
    return Settings(db_path=str(tmp_path / "library.db"), speech=False, ocr=False)


@contextmanager
def open_window(tmp_path: Path, spin: Spin, settings: Settings) -> Iterator[Any]:
    """A shown MainWindow with ``settings``; closed, its engine stopped and deleted afterwards."""
    from app.window import MainWindow

    qs = QSettings(str(tmp_path / "longwatch.ini"), QSettings.Format.IniFormat)
    win = MainWindow(qs, settings)
    win.confirm_stop = lambda: True  # type: ignore[method-assign]
    win.show()
    try:
        yield win
    finally:
        if win.isVisible():
            win.close()
            spin(lambda: not win.isVisible(), what="the window to close")
        win.engine.shutdown(wait=True)
        win.deleteLater()


@pytest.fixture
def window(qtbot: object, tmp_path: Path, spin: Spin, loop: asyncio.AbstractEventLoop) -> Iterator[object]:
    with open_window(tmp_path, spin, fast_settings(tmp_path)) as win:
        yield win


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete tiny random Video-XL checkpoint (core.model.write_tiny_checkpoint)."""
    from core.model import write_tiny_checkpoint

    return write_tiny_checkpoint(tmp_path_factory.mktemp("model") / "tiny")
