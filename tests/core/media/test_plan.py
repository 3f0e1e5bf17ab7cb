"""The planner's worked examples (docstring of core.media.plan.plan_times) and option checks."""

import pytest

from core.errors import UsageError
from core.media import PerSecond, Uniform, plan_times
from core.media.types import VideoInfo, VideoStreamInfo


def _info(duration_s: float) -> VideoInfo:
    video = VideoStreamInfo(index=0, codec="h264", width=64, height=48, fps=25.0, variable_fps=False, rotation=0,
                            frame_count=None)
    return VideoInfo(path="/x.mp4", fingerprint="f", size_bytes=1, container="mp4", duration_s=duration_s, video=video)


def test_uniform_example():
    assert plan_times(Uniform(4), _info(10.0)) == pytest.approx((1.25, 3.75, 6.25, 8.75))


def test_per_second_example():
    times = plan_times(PerSecond(2), _info(10.0))
    assert len(times) == 20 and times[0] == pytest.approx(0.25) and times[-1] == pytest.approx(9.75)


def test_per_second_cap_spreads_uniformly():
    times = plan_times(PerSecond(2, max_frames=8), _info(10.0))
    assert times == pytest.approx(tuple(0.625 + 1.25 * i for i in range(8)))


def test_range():
    assert plan_times(Uniform(2), _info(10.0), start_s=4, end_s=6) == pytest.approx((4.5, 5.5))
    assert plan_times(Uniform(2), _info(10.0), start_s=9, end_s=60) == pytest.approx((9.25, 9.75))  # clipped
    with pytest.raises(UsageError, match="empty"):
        plan_times(Uniform(2), _info(10.0), start_s=6, end_s=4)


def test_short_video_gets_at_least_one_frame():
    assert plan_times(PerSecond(0.1), _info(2.0)) == pytest.approx((1.0,))


@pytest.mark.parametrize("make", [lambda: Uniform(0), lambda: Uniform(2.5), lambda: PerSecond(0),
                                  lambda: PerSecond(float("nan")), lambda: PerSecond(1, max_frames=0)])
def test_bad_policies_name_the_value(make):
    with pytest.raises(UsageError):
        make()
