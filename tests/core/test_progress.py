import threading

import pytest

from core.errors import Cancelled, LongwatchError
from core.progress import CancelToken, Progress, RateMeter


def test_rate_meter_rate_and_eta_from_samples():
    clock = iter([0.0, 0.5, 1.0, 2.0]).__next__  # created at 0 s, then one reading per update
    meter = RateMeter("frames", total=100, unit="frames", clock=clock, smoothing=1.0)
    first = meter.update(0)
    assert first.rate is None and first.eta_s is None
    p = meter.update(10)  # 10 frames in the 1 s since the meter started
    assert p.rate == pytest.approx(10.0)
    assert p.eta_s == pytest.approx(9.0)
    p = meter.update(30, windows_done=2)
    assert p.rate == pytest.approx(20.0)
    assert p.eta_s == pytest.approx(3.5)
    assert dict(p.detail) == {"windows_done": 2}


def test_progress_fraction_clamped_and_unknown_total():
    assert Progress("x", 5, 10).fraction == 0.5
    assert Progress("x", 15, 10).fraction == 1.0
    assert Progress("x", 5, None).fraction is None


def test_cancel_token_is_seen_from_another_thread():
    token = CancelToken()
    token.raise_if_cancelled()
    t = threading.Thread(target=token.cancel)
    t.start()
    t.join()
    assert token.cancelled
    with pytest.raises(Cancelled):
        token.raise_if_cancelled()


def test_errors_are_one_line():
    err = LongwatchError("first line\n  second   line\n")
    assert str(err) == "first line second line"
