"""Timestamp mapping: the frame returned for target t is the one displayed at t (frame k shows k from k/fps)."""

import bisect
import math

import pytest

from core.errors import Cancelled
from core.media import FrameSize, PerSecond, Uniform, plan_times, probe, sample_frames
from core.media import frames as frames_module
from core.progress import CancelToken
from tests import mediagen


def _check_exact(stream, fps=10.0, times=None):
    out = list(stream)
    assert [f.index for f in out] == list(range(len(stream)))
    for f in out:
        k = mediagen.read_frame_number(f.image)
        if times is None:
            assert k == math.floor(f.target_s * fps + 1e-9), (f.target_s, k)
            assert f.pts_s == pytest.approx(k / fps, abs=1e-6)
        else:
            assert k == bisect.bisect_right(times, f.target_s + 1e-9) - 1
            assert f.pts_s == pytest.approx(times[k], abs=1e-3)
        assert f.pts_s <= f.target_s + 1e-6
    return out


@pytest.mark.parametrize("fixture", ["mp4_av", "webm_vp9", "mkv_srt", "avi_mpeg4"])
@pytest.mark.parametrize("n", [1, 7, 19])
def test_uniform_picks_the_frame_on_screen(request, fixture, n):
    _check_exact(sample_frames(request.getfixturevalue(fixture), Uniform(n)))


def test_per_second_dense_gives_repeated_frames(mp4_av):
    stream = sample_frames(mp4_av, PerSecond(25))  # 25 targets per second on a 10 fps video
    assert len(stream) == 75
    out = _check_exact(stream)
    assert len({mediagen.read_frame_number(f.image) for f in out}) == 30


def test_variable_frame_rate_mapping(tmp_path):
    times = mediagen.vfr_times(3.0, 10)
    path = mediagen.make_video(tmp_path / "vfr.mp4", frame_times=times, gop=4)
    _check_exact(sample_frames(path, Uniform(23)), times=times)


@pytest.mark.parametrize("cost", [0, 10**9])
def test_seeking_and_sequential_decoding_agree(mp4_av, monkeypatch, cost):
    monkeypatch.setattr(frames_module, "SEEK_COST_FRAMES", cost)  # always seek / never seek
    _check_exact(sample_frames(mp4_av, Uniform(11)))


def test_time_range(mp4_av):
    stream = sample_frames(mp4_av, Uniform(4), start_s=1.0, end_s=2.0)
    out = _check_exact(stream)
    assert [f.target_s for f in out] == pytest.approx([1.125, 1.375, 1.625, 1.875])


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_rotated_video_comes_out_upright(tmp_path, rotation):
    path = mediagen.make_video(tmp_path / f"rot{rotation}.mp4", rotation=rotation, size=(64, 48))
    for f in _check_exact(sample_frames(path, Uniform(3))):
        assert f.image.shape == (48, 64, 3)
        r, g, b = f.image[2, 2]
        assert r > 200 and g < 60 and b < 60  # the red corner is top-left once upright


def test_clip_size_on_the_way(mp4_av):
    out = list(sample_frames(mp4_av, Uniform(3), size=FrameSize.clip(336)))
    assert all(f.image.shape == (336, 336, 3) and f.image.dtype.name == "uint8" for f in out)
    assert [mediagen.read_frame_number(f.image) for f in out] == [math.floor(f.target_s * 10) for f in out]


def test_fit_size_keeps_aspect(mp4_av):
    out = list(sample_frames(mp4_av, Uniform(2), size=FrameSize.fit(32, 32)))
    assert all(f.image.shape == (24, 32, 3) for f in out)


def test_len_is_planned_count_and_iteration_is_lazy(mp4_av):
    info = probe(mp4_av)
    stream = sample_frames(mp4_av, Uniform(12), info=info)
    assert len(stream) == len(plan_times(Uniform(12), info)) == 12
    first = next(stream)
    assert first.index == 0
    stream.close()


def test_cancel(mp4_av):
    token = CancelToken()
    stream = sample_frames(mp4_av, Uniform(10), cancel=token)
    next(stream)
    token.cancel()
    with pytest.raises(Cancelled):
        next(stream)


@pytest.mark.parametrize("suffix, codec", [(".mkv", "h264"), (".webm", "vp9"), (".mp4", "h264"), (".avi", "mpeg4")])
def test_sparse_plans_seek_instead_of_decoding_everything(tmp_path, monkeypatch, suffix, codec):
    path = mediagen.make_video(tmp_path / f"long{suffix}", duration_s=30.0, gop=20, codec=codec)
    decoded = []

    class Counting(frames_module._Decoded):
        __slots__ = ()

        def __init__(self, *args):
            super().__init__(*args)
            decoded.append(self.pts_s)

    monkeypatch.setattr(frames_module, "_Decoded", Counting)
    _check_exact(sample_frames(path, Uniform(3)))
    assert len(decoded) < 100  # of 300 frames: each target costs at most one GOP (20 frames) + look-ahead


def test_non_reference_frames_far_from_targets_are_skipped(tmp_path, monkeypatch):
    path = mediagen.make_video(tmp_path / "bframes.mp4", duration_s=10.0, gop=100, bframes=True)
    counts = {}
    default = frames_module.SKIP_MARGIN_FRAMES
    for margin in (default, 10**9):  # default, and "never skip"
        decoded = []

        class Counting(frames_module._Decoded):
            __slots__ = ()

            def __init__(self, *args):
                super().__init__(*args)
                decoded.append(self.pts_s)  # noqa: B023 (read right away)

        monkeypatch.setattr(frames_module, "_Decoded", Counting)
        monkeypatch.setattr(frames_module, "SKIP_MARGIN_FRAMES", margin)
        _check_exact(sample_frames(path, Uniform(4)))
        counts[margin] = len(decoded)
    assert counts[default] < 0.9 * counts[10**9], counts
