import shutil

import pytest

from core.media import fingerprint, probe
from tests import mediagen


def test_probe_mp4_streams(mp4_av):
    info = probe(mp4_av)
    assert info.container.startswith("mov,mp4")
    assert info.video.codec == "h264" and (info.video.width, info.video.height) == (64, 48)
    assert info.video.fps == pytest.approx(10.0)
    assert not info.video.variable_fps and info.video.rotation == 0
    assert info.duration_s == pytest.approx(3.0, abs=0.1)
    assert [a.codec for a in info.audio] == ["aac"] and info.audio[0].channels == 1
    assert info.audio[0].language is None  # "und" (undetermined) is no language
    assert [(s.codec, s.is_text) for s in info.subtitles] == [("mov_text", True)]
    assert info.readable_s is None
    assert info.to_json()["name"] == "clip.mp4"


@pytest.mark.parametrize("fixture, container, codec, audio", [
    ("webm_vp9", "matroska,webm", "vp9", "opus"),
    ("mkv_srt", "matroska,webm", "h264", None),
    ("avi_mpeg4", "avi", "mpeg4", "mp2"),
])
def test_probe_other_containers(request, fixture, container, codec, audio):
    info = probe(request.getfixturevalue(fixture))
    assert info.container == container and info.video.codec == codec
    assert info.video.fps == pytest.approx(10.0)
    assert [a.codec for a in info.audio] == ([audio] if audio else [])


def test_variable_frame_rate_is_flagged(tmp_path):
    info = probe(mediagen.make_video(tmp_path / "vfr.mkv", frame_times=mediagen.vfr_times(2.0, 10)))
    assert info.video.variable_fps


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_rotation_and_displayed_size(tmp_path, rotation):
    info = probe(mediagen.make_video(tmp_path / f"r{rotation}.mp4", rotation=rotation, size=(64, 48)))
    assert info.video.rotation == rotation
    assert (info.video.width, info.video.height) == (64, 48)  # as displayed


def test_fingerprint_same_for_moved_file_different_for_other(tmp_path, mkv_srt, webm_vp9):
    moved = tmp_path / "sub" / "renamed.mkv"
    moved.parent.mkdir()
    shutil.copy(mkv_srt, moved)
    assert fingerprint(moved) == fingerprint(mkv_srt) == probe(moved).fingerprint
    assert fingerprint(webm_vp9) != fingerprint(mkv_srt)
    other = mediagen.make_video(tmp_path / "other.mkv", duration_s=2.0, subtitles=None, size=(64, 48), fps=10, gop=3)
    assert fingerprint(other) != fingerprint(mkv_srt)


def test_sidecar_subtitles_are_listed(tmp_path):
    video = mediagen.make_video(tmp_path / "movie.mp4", duration_s=1.0)
    mediagen.write_srt(tmp_path / "movie.en.srt", [(0.1, 0.5, "x")])
    mediagen.write_vtt(tmp_path / "movie.vtt", [(0.1, 0.5, "y")])
    mediagen.write_srt(tmp_path / "movie2.srt", [(0.1, 0.5, "not ours")])
    names = [p.split("/")[-1] for p in probe(video).sidecar_subtitles]
    assert names == ["movie.en.srt", "movie.vtt"]
