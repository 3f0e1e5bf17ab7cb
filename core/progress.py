"""Progress events and cancellation for long work, with no UI in them.

Long jobs in core are generators that yield ``Progress`` events (or take a callback receiving them) and check a
``CancelToken`` between chunks. The CLI renders events as a terminal bar; the app turns them into Qt signals.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from core.errors import Cancelled


@dataclass(frozen=True)
class Progress:
    """One progress report.

    ``done`` and ``total`` are counted in ``unit`` (frames, windows, seconds of media...). ``total`` is None when
    unknown. ``rate`` is units per wall-clock second and ``eta_s`` the seconds left, both None until measurable.
    ``detail`` carries secondary counters, e.g. {"windows_done": 3, "windows_total": 12}.
    """

    stage: str
    done: float
    total: float | None = None
    unit: str = ""
    rate: float | None = None
    eta_s: float | None = None
    message: str = ""
    detail: tuple[tuple[str, float], ...] = ()

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        return max(0.0, min(1.0, self.done / self.total))


ProgressCallback = Callable[[Progress], None]


def no_progress(_: Progress) -> None:
    """A callback that ignores progress."""


class CancelToken:
    """A thread-safe flag the caller sets and long work checks between chunks."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until cancelled or ``timeout`` seconds pass; whether it is cancelled."""
        return self._event.wait(timeout)


class RateMeter:
    """Turns (done, total) samples into Progress events with rate and ETA (an exponential moving average).

    >>> m = RateMeter("decode", total=100, unit="frames", clock=iter([0.0, 0.5, 1.0]).__next__)
    >>> m.update(0).rate is None
    True
    >>> m.update(10).rate
    10.0
    """

    def __init__(
        self,
        stage: str,
        total: float | None,
        unit: str,
        clock: Callable[[], float] = time.monotonic,
        smoothing: float = 0.3,
    ) -> None:
        self.stage, self.total, self.unit = stage, total, unit
        self._clock = clock
        self._smoothing = smoothing
        self._last_t = clock()
        self._last_done = 0.0
        self._rate: float | None = None

    def update(self, done: float, message: str = "", **detail: float) -> Progress:
        now = self._clock()
        dt = now - self._last_t
        if dt > 0 and done > self._last_done:
            inst = (done - self._last_done) / dt
            self._rate = inst if self._rate is None else self._smoothing * inst + (1 - self._smoothing) * self._rate
            self._last_t, self._last_done = now, done
        eta = None
        if self._rate and self.total is not None:
            eta = max(0.0, (self.total - done) / self._rate)
        return Progress(
            stage=self.stage,
            done=done,
            total=self.total,
            unit=self.unit,
            rate=self._rate,
            eta_s=eta,
            message=message,
            detail=tuple(sorted(detail.items())),
        )
