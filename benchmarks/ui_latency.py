"""How long does the Qt event loop stall while a video indexes in the background? (target: < 50 ms)

A precise 5 ms QTimer runs a Python slot on the UI thread; each late tick is a stall of the event loop (the UI
could not paint or react for that long). Measured side by side in one run: the window idle with a video open,
then the same window while the video is indexed (evidence pass with speech and OCR, plus the video-LLM index
with a tiny random checkpoint when ``--tiny-model``), then while a question is answered.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/ui_latency.py --minutes 3 --tiny-model
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication

from app.settings import AppSettings
from tests.core.evidence.gen import Part, ad_break_parts, write_recording

TICK_MS = 5


class StallMeter:
    """Gaps between ticks of a precise timer, minus the interval: the event loop's stalls in ms."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.gaps_ms: list[float] = []
        self.stage = "idle"  # the engine's stage at each tick (set from its progress signal)
        self.by_stage: dict[str, list[float]] = {}
        self._last: float | None = None

    def start(self) -> None:
        self.gaps_ms, self._last = [], None
        self.timer.start()

    def stop(self) -> list[float]:
        self.timer.stop()
        return [max(0.0, g - TICK_MS) for g in self.gaps_ms]

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            gap = (now - self._last) * 1000
            self.gaps_ms.append(gap)
            self.by_stage.setdefault(self.stage, []).append(max(0.0, gap - TICK_MS))
        self._last = now


def programme(folder: Path, minutes: float) -> Path:
    """A programme with an ad break, repeated to about ``minutes`` long (160x90, 8 fps)."""
    parts, _ = ad_break_parts()
    one = sum(p.seconds for p in parts)
    reps = max(1, round(minutes * 60 / one))
    return write_recording(folder / "programme.mp4", [*parts * reps, Part("show", 2.0)], size=(160, 90), fps=8)


async def until(cond: Callable[[], object], timeout: float) -> None:
    t0 = time.monotonic()
    while not cond():
        if time.monotonic() - t0 > timeout:
            raise TimeoutError(f"waited {timeout} s")
        await asyncio.sleep(0.05)


def row(name: str, seconds: float, stalls: list[float]) -> str:
    s = sorted(stalls)
    p99 = s[min(len(s) - 1, int(0.99 * len(s)))] if s else 0.0
    over = sum(1 for x in s if x > 50)
    return (f"| {name} | {seconds:.1f} | {len(s)} | {statistics.median(s) if s else 0:.2f} | {p99:.1f} | "
            f"{max(s) if s else 0:.1f} | {over} |")


async def run(win: object, video: Path, meter: StallMeter, idle_s: float) -> list[str]:
    w: object = win
    c = w.controller  # type: ignore[attr-defined]
    await c.open_paths([str(video)], index=False)  # open only; indexing starts below
    await until(lambda: c.current is not None, 60)
    await asyncio.sleep(2.0)  # first frame, thumbnails
    out = []
    w.engine.progress.connect(lambda _fp, p: setattr(meter, "stage", p.stage))  # type: ignore[attr-defined]
    meter.start()
    t0 = time.monotonic()
    await asyncio.sleep(idle_s)
    out.append(row("idle, video open", time.monotonic() - t0, meter.stop()))
    meter.start()
    t0 = time.monotonic()
    c.index_current()
    await until(lambda: c.index_task is None and c.states.get(c.current.fingerprint) == "done", 3600)
    out.append(row("indexing in the background", time.monotonic() - t0, meter.stop()))
    meter.start()
    t0 = time.monotonic()
    w.questions.question.setText("call now")  # type: ignore[attr-defined]
    w.questions.ask_button.click()  # type: ignore[attr-defined]
    await until(lambda: c.ask_task is None and c.last_answer is not None, 600)
    out.append(row("answering a question", time.monotonic() - t0, meter.stop()))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=3.0, help="length of the generated programme")
    ap.add_argument("--idle", type=float, default=10.0, help="seconds of the idle baseline")
    ap.add_argument("--tiny-model", action="store_true", help="also build the video-LLM index with a tiny model")
    ap.add_argument("--switch-interval", type=float, default=None, metavar="S",
                    help="sys.setswitchinterval for this run (Python's default is 0.005 s)")
    args = ap.parse_args()
    if args.switch_interval is not None:
        sys.setswitchinterval(args.switch_interval)
    import qasync

    from app.window import MainWindow

    app = QApplication([sys.argv[0]])
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        video = programme(folder, args.minutes)
        settings = AppSettings(db_path=str(folder / "library.db"))
        if args.tiny_model:
            from core.model import write_tiny_checkpoint

            settings = settings.replace(model_dir=str(write_tiny_checkpoint(folder / "tiny")), quant="none",
                                        answer_tokens=32)
        win = MainWindow(QSettings(str(folder / "app.ini"), QSettings.Format.IniFormat), settings)
        win.resize(1440, 900)
        win.show()
        meter = StallMeter()
        rows = loop.run_until_complete(run(win, video, meter, args.idle))
        win.confirm_stop = lambda: True  # type: ignore[method-assign]
        win.close()
        loop.run_until_complete(until(lambda: not win.isVisible(), 60))
    print(f"\nGIL switch interval {sys.getswitchinterval() * 1000:g} ms; programme: {args.minutes:g} min 160x90 8 fps; evidence with speech + OCR"
          f"{'; video-LLM index with a tiny random checkpoint' if args.tiny_model else ''}")
    print("| phase | seconds | ticks | median stall ms | p99 stall ms | longest stall ms | stalls > 50 ms |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print("\nby engine stage (indexing and answering):")
    print("| stage | ticks | p99 stall ms | longest stall ms | stalls > 50 ms |")
    print("|---|---|---|---|---|")
    for stage, st in sorted(meter.by_stage.items()):
        s = sorted(st)
        print(f"| {stage} | {len(s)} | {s[min(len(s) - 1, int(0.99 * len(s)))]:.1f} | {s[-1]:.1f} | "
              f"{sum(1 for x in s if x > 50)} |")
    print(f"\nload average during the run: {os.getloadavg()[0]:.1f} (2 cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
