"""Every way a file can be wrong gives one MediaError subclass with a one-line message (and never hangs)."""

import os

import pytest

from core.media import (
    AbsurdResolution,
    DamagedMedia,
    FileMissing,
    MediaError,
    NoAudioStream,
    NoPermission,
    NotAFile,
    NotMedia,
    NoVideoStream,
    Uniform,
    UnsupportedCodec,
    ZeroDuration,
    decode_audio,
    probe,
    sample_frames,
)
from tests import mediagen


def _one_line(err: MediaError) -> str:
    text = str(err)
    assert "\n" not in text and "Traceback" not in text and len(text) < 300
    return text


def test_missing_file(tmp_path):
    with pytest.raises(FileMissing) as e:
        probe(tmp_path / "nope.mp4")
    assert "does not exist" in _one_line(e.value)


def test_directory(tmp_path):
    with pytest.raises(NotAFile) as e:
        probe(tmp_path)
    assert "folder" in _one_line(e.value)


def test_no_permission(tmp_path, monkeypatch):
    video = mediagen.make_video(tmp_path / "locked.mp4", duration_s=0.5)
    video.chmod(0)
    if os.geteuid() == 0:  # root reads anything: make the OS answer "no" as it would for a normal user
        real = os.access
        monkeypatch.setattr(os, "access", lambda p, m: False if str(p) == str(video) else real(p, m))
    with pytest.raises(NoPermission) as e:
        probe(video)
    assert "permission" in _one_line(e.value)


@pytest.mark.parametrize("make, name", [
    (mediagen.make_random_bytes, "random.bin"),
    (mediagen.make_random_bytes, "random.mp4"),
    (mediagen.make_random_bytes, "random.mkv"),
    (mediagen.make_text, "notes.txt"),
    (mediagen.make_text, "notes.avi"),
    (mediagen.make_png, "picture.png"),
])
def test_not_media(tmp_path, make, name):
    path = make(tmp_path / name)
    with pytest.raises(NotMedia) as e:
        probe(path)
    assert "not a video" in _one_line(e.value)


def test_audio_only(tmp_path):
    with pytest.raises(NoVideoStream) as e:
        probe(mediagen.make_audio_only(tmp_path / "song.m4a"))
    assert "no video stream" in _one_line(e.value)


def test_zero_duration(tmp_path):
    with pytest.raises(ZeroDuration) as e:
        probe(mediagen.make_zero_duration(tmp_path / "empty.mp4"))
    assert "empty" in _one_line(e.value)


def test_truncated_without_index_is_damaged(tmp_path):
    full = mediagen.make_video(tmp_path / "full.mp4", duration_s=2.0)  # index (moov) at the end: lost
    with pytest.raises(DamagedMedia) as e:
        probe(mediagen.make_truncated(full, tmp_path / "cut.mp4", 0.6))
    assert e.value.readable_s == 0.0 and "re-download" in _one_line(e.value)


@pytest.mark.parametrize("suffix, faststart", [(".mp4", True), (".mkv", False)])
def test_truncated_file_reads_what_is_there(tmp_path, suffix, faststart):
    full = mediagen.make_video(tmp_path / f"full{suffix}", duration_s=6.0, gop=10, faststart=faststart)
    cut = mediagen.make_truncated(full, tmp_path / f"cut{suffix}", 0.5)
    info = probe(cut)
    assert info.readable_s is not None and 0.5 <= info.readable_s < 5.0
    stream = sample_frames(cut, Uniform(6), info=info)
    frames = list(stream)
    assert frames and all(f.pts_s <= info.readable_s for f in frames)
    assert [mediagen.read_frame_number(f.image) for f in frames] == [round(f.pts_s * 10) for f in frames]
    assert stream.gaps[-1].end_s == pytest.approx(info.duration_s) and "truncated" in stream.gaps[-1].reason


@pytest.mark.parametrize("suffix, codec", [(".mkv", "h264"), (".mp4", "h264"), (".avi", "mpeg4")])
def test_damaged_stretch_is_skipped(tmp_path, suffix, codec):
    import numpy as np

    src = mediagen.make_video(tmp_path / f"ok{suffix}", duration_s=10.0, gop=10, codec=codec, faststart=True)
    data = bytearray(src.read_bytes())
    a, b = int(len(data) * 0.45), int(len(data) * 0.55)
    data[a:b] = np.random.default_rng(1).integers(0, 256, b - a, dtype=np.uint8).tobytes()
    (tmp_path / f"bad{suffix}").write_bytes(bytes(data))
    stream = sample_frames(tmp_path / f"bad{suffix}", Uniform(20))
    frames = list(stream)
    assert len(frames) >= 10
    assert any(f.pts_s > 6.0 for f in frames)  # it carried on after the damage
    if len(frames) < 20:
        assert stream.gaps  # what was skipped is recorded
    if suffix == ".avi":
        return  # AVI packets carry no timestamps: libav counts them, so after lost data its times drift
    for f in frames:  # every frame that came out is the right one
        assert mediagen.read_frame_number(f.image) == round(f.pts_s * 10)


def test_unsupported_codec(tmp_path):
    with pytest.raises(UnsupportedCodec) as e:
        probe(mediagen.make_unsupported_codec(tmp_path / "odd.avi"))
    assert "ffmpeg" in _one_line(e.value)


def test_absurd_resolution(tmp_path):
    with pytest.raises(AbsurdResolution) as e:
        probe(mediagen.make_absurd_resolution(tmp_path / "wide.avi"))
    assert "20000x16" in _one_line(e.value)


def test_no_audio_stream(mkv_srt):
    with pytest.raises(NoAudioStream):
        decode_audio(mkv_srt)  # at the call, not at the first chunk


@pytest.mark.timeout(60)
@pytest.mark.parametrize("suffix", [".mp4", ".ts", ".mkv", ".avi", ".mpg", ".webm", ".mov", ""])
def test_garbage_never_hangs_or_leaks_a_traceback(tmp_path, suffix):
    path = mediagen.make_random_bytes(tmp_path / f"junk{suffix}", n_bytes=3_000_000, seed=len(suffix))
    with pytest.raises(MediaError) as e:
        info = probe(path)
        list(sample_frames(path, Uniform(4), info=info))
    _one_line(e.value)


def test_errors_chain_their_cause(tmp_path):
    with pytest.raises(NotMedia) as e:
        probe(mediagen.make_random_bytes(tmp_path / "r.mp4"))
    assert e.value.__cause__ is not None
