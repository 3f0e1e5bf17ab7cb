"""Regenerate docs/screenshots/*.png: the main window empty, indexing, answered, with the ads marked, with an
error, after a restart with an interrupted index (the library and the offer to resume), the settings dialog
with a bad value, the Library panel's queue (a folder of recordings waiting in a paused queue) and its search over
every video.

Runs the real app on a generated programme (a show with spoken news, an ad break with on-screen text, more
show) under a display: ``xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python benchmarks/screenshots.py``.
Evidence only (no video-LLM configured), speech and OCR on, a fresh database in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication

from core.progress import Progress
from core.usecases import Settings
from tests.core.evidence.gen import Part, spoken, write_recording

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
MAX_BYTES = 500_000
SUFFIX = [""]  # "_dark" with --dark


def programme(folder: Path) -> Path:
    """Show 20 s (news read aloud), black, two adverts (one with a phone number on screen), black, show 20 s."""
    parts = [
        Part("show", 20.0, colour=(70, 90, 120), shot_s=5.0),
        Part("black", 0.5),
        Part("ad", 12.0, colour=(250, 200, 30), tone_hz=1000, level_db=-12, text="CALL 555-0199 NOW", shot_s=3.0),
        Part("black", 0.5),
        Part("ad", 10.0, colour=(40, 60, 240), tone_hz=660, level_db=-12, shot_s=2.0),
        Part("black", 0.5),
        Part("show", 20.0, colour=(90, 110, 80), shot_s=5.0),
    ]
    speech = spoken("Good evening. Tonight the storm moves north, and the harbour bridge is closed until Friday.",
                    folder)
    return write_recording(folder / "evening_news.mp4", parts, size=(640, 360), fps=12, speech=speech,
                           speech_at_s=2.0)


def second_programme(folder: Path) -> Path:
    """Another recording (another fingerprint): the one whose index is stopped halfway for the restart view."""
    parts = [Part("show", 30.0, colour=(120, 70, 60), shot_s=6.0), Part("black", 0.5),
             Part("show", 30.0, colour=(60, 100, 120), shot_s=6.0)]
    return write_recording(folder / "late_film.mp4", parts, size=(640, 360), fps=12)


def dark_palette() -> QPalette:
    """A dark system palette, as a desktop in dark mode hands to Qt."""
    pal = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#202329"), (QPalette.ColorRole.WindowText, "#e6e9ee"),
                         (QPalette.ColorRole.Base, "#16181d"), (QPalette.ColorRole.AlternateBase, "#1d2026"),
                         (QPalette.ColorRole.Text, "#e6e9ee"), (QPalette.ColorRole.Button, "#2a2e36"),
                         (QPalette.ColorRole.ButtonText, "#e6e9ee"), (QPalette.ColorRole.Highlight, "#2f6db5"),
                         (QPalette.ColorRole.HighlightedText, "#ffffff"), (QPalette.ColorRole.Mid, "#50555f"),
                         (QPalette.ColorRole.PlaceholderText, "#8b93a1"), (QPalette.ColorRole.ToolTipBase, "#2a2e36"),
                         (QPalette.ColorRole.ToolTipText, "#e6e9ee"), (QPalette.ColorRole.Link, "#6cb2ff")):
        pal.setColor(role, QColor(colour))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#6b717c"))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#6b717c"))
    return pal


def save(win: object, name: str) -> Path:
    """Grab the window; re-encode with fewer colours if the PNG is over the size limit."""
    path = OUT / f"{name}{SUFFIX[0]}.png"
    img = win.grab().toImage()  # type: ignore[attr-defined]
    img.save(str(path))
    if path.stat().st_size > MAX_BYTES:
        img.convertToFormat(QImage.Format.Format_Indexed8).save(str(path))
    print(f"{path} {path.stat().st_size // 1024} KB", flush=True)
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dark", action="store_true", help="use a dark system palette (files named *_dark.png)")
    args = ap.parse_args()
    import qasync

    from app.icons import stylesheet
    from app.window import MainWindow

    app = QApplication([sys.argv[0]])
    app.setStyle("Fusion")
    if args.dark:
        app.setPalette(dark_palette())
        SUFFIX[0] = "_dark"
    app.setStyleSheet(stylesheet())
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        video = programme(folder)
        qs = QSettings(str(folder / "app.ini"), QSettings.Format.IniFormat)
        settings = Settings(db_path=str(folder / "library.db"))
        win = MainWindow(qs, settings)
        win.resize(1440, 900)
        win.show()
        loop.run_until_complete(_states(win, video, loop))
        loop.run_until_complete(_error(win, folder))
        loop.run_until_complete(_stop_halfway(win, second_programme(folder)))
        _close(win, loop)
        again = MainWindow(qs, settings)  # a restart on the same library
        again.resize(1440, 900)
        again.show()
        loop.run_until_complete(_restarted(again))
        loop.run_until_complete(_queue_and_search(again, folder))
        _close(again, loop)
    return 0


def _close(win: object, loop: asyncio.AbstractEventLoop) -> None:
    win.confirm_stop = lambda: True  # type: ignore[attr-defined]
    win.close()  # type: ignore[attr-defined]
    loop.run_until_complete(_until(lambda: not win.isVisible(), 60))  # type: ignore[attr-defined]
    win.engine.shutdown(wait=True)  # type: ignore[attr-defined]


async def _error(win: object, folder: Path) -> None:
    bad = folder / "holiday.mp4"
    bad.write_text("not a video")
    w: object = win
    w.open_paths([str(bad)])  # type: ignore[attr-defined]
    await _until(lambda: w.banner.text, 60)  # type: ignore[attr-defined]
    await asyncio.sleep(0.3)
    save(w, "error")
    from app.settings_dialog import SettingsDialog

    dlg = SettingsDialog(w.engine.settings, w.engine, w)  # type: ignore[attr-defined]
    dlg.show()
    dlg.model_dir.setText(str(folder / "models" / "Video_XL" / "VideoXL_weight_8"))
    dlg.refresh_memory()
    await asyncio.sleep(0.5)
    save(dlg, "settings")
    dlg.reject()


async def _stop_halfway(win: object, video: Path) -> None:
    """Open a second film and quit while its frame pass runs (the restart view shows it stopped)."""
    w: object = win
    c = w.controller  # type: ignore[attr-defined]
    w.open_paths([str(video)])  # type: ignore[attr-defined]
    await _until(lambda: c.current is not None and c.current.path == str(video.resolve()), 60)
    await _until(lambda: c.library.rows[c.current.fingerprint].fraction > 0.55, 300)
    c.cancel_index()
    await _until(lambda: c.index_task is None, 60)


async def _restarted(win: object) -> None:
    w: object = win
    await _until(lambda: len(w.library.rows) == 2 and w.banner.text, 60)  # type: ignore[attr-defined]
    await _until(lambda: w.controller.current is not None and w.player.view.has_frame, 60)  # type: ignore[attr-defined]
    await _until(lambda: w.timeline.thumbs, 60)  # type: ignore[attr-defined]
    await asyncio.sleep(1.5)  # library thumbnails
    save(w, "restart")


async def _queue_and_search(win: object, folder: Path) -> None:
    """A folder of three recordings queued while the queue is paused, one of them paused by hand; then a search
    over every video of the library."""
    from tests.mediagen import make_video

    w: object = win
    tv = folder / "tv"
    tv.mkdir()
    for i, name in enumerate(("news-monday.mp4", "news-tuesday.mp4", "late-film.mkv")):
        make_video(tv / name, duration_s=4.0 + i, fps=8, size=(96, 64))
    view = w.library.queue  # type: ignore[attr-defined]
    await w.flows.pause_queue(True)  # type: ignore[attr-defined]
    await w.flows.queue_paths([str(tv)])  # type: ignore[attr-defined]
    await _until(lambda: len(view.jobs) >= 6, 60)
    third = [j for j in view.jobs if j.kind == "evidence"][2]
    await w.flows.control(third.id, "pause")  # type: ignore[attr-defined]
    view.select(third.id)
    await asyncio.sleep(0.5)
    save(w, "queue")
    w.library.search.setText("storm")  # type: ignore[attr-defined]
    w.library.search.returnPressed.emit()  # type: ignore[attr-defined]
    await _until(lambda: w.library.results.count() > 0, 60)  # type: ignore[attr-defined]
    await asyncio.sleep(0.5)
    save(w, "search")


async def _until(cond: Callable[[], object], timeout: float) -> None:
    t0 = time.monotonic()
    while not cond():
        if time.monotonic() - t0 > timeout:
            raise TimeoutError(f"waited {timeout} s for {cond}")
        await asyncio.sleep(0.05)


async def _states(win: object, video: Path, loop: asyncio.AbstractEventLoop) -> None:
    w: object = win
    await asyncio.sleep(0.5)
    save(w, "empty")
    shot: list[bool] = []

    def on_progress(_fp: str, p: Progress) -> None:
        if not shot and p.stage in ("audio", "speech") and 0.3 < (p.fraction or 0) < 0.8:
            shot.append(True)
            save(w, "indexing")

    w.engine.progress.connect(on_progress)  # type: ignore[attr-defined]
    w.open_paths([str(video)])  # type: ignore[attr-defined]
    c = w.controller  # type: ignore[attr-defined]
    await _until(lambda: c.current is not None and c.index_task is None and c.states.get(c.current.fingerprint) == "done", 300)
    await _until(lambda: w.timeline.thumbs, 60)  # type: ignore[attr-defined]
    w.player.seek(6.0)  # type: ignore[attr-defined]
    await asyncio.sleep(1.0)
    w.questions.question.setText("storm")  # type: ignore[attr-defined]
    w.questions.ask_button.click()  # type: ignore[attr-defined]
    await _until(lambda: c.ask_task is None and c.last_answer is not None, 120)
    await asyncio.sleep(1.0)
    save(w, "answered")
    w.questions.preset_buttons["ads"].click()  # type: ignore[attr-defined]
    await _until(lambda: c.ask_task is None and w.timeline.segments, 120)  # type: ignore[attr-defined]
    seg = w.timeline.segments[0]  # type: ignore[attr-defined]
    w.questions.moments.itemClicked.emit(w.questions.moments.item(0))  # type: ignore[attr-defined]
    w.timeline.selected = seg.id  # type: ignore[attr-defined]
    w.player.seek(seg.start_s + 4.0)  # type: ignore[attr-defined]
    await asyncio.sleep(1.5)
    save(w, "ads")


if __name__ == "__main__":
    raise SystemExit(main())
