"""Subtitles from streams (SubRip, ASS, mov_text, WebVTT) and sidecar .srt/.vtt, markup stripped."""

import pytest

from core.media import probe, read_subtitles
from core.media.subtitles import clean_text
from tests import mediagen

EXPECTED = [(0.5, 1.2, "Hello world"), (1.4, 1.9, "Line two\nsecond")]


@pytest.mark.parametrize("fixture, codec", [("mkv_srt", "subrip"), ("mp4_av", "mov_text"), ("webm_vp9", "webvtt")])
def test_embedded_streams(request, fixture, codec):
    path = request.getfixturevalue(fixture)
    lines = read_subtitles(path)
    assert [(line.start_s, line.end_s, line.text) for line in lines] == [
        (pytest.approx(a, abs=1e-3), pytest.approx(b, abs=1e-3), t) for a, b, t in EXPECTED]
    stream = probe(path).subtitles[0]
    assert stream.codec in (codec, "srt") and {line.source for line in lines} == {f"stream:{stream.index}"}


def test_ass_override_tags_are_stripped(tmp_path):
    cues = [(0.2, 0.8, r"{\i1}Hi{\i0} {\pos(10,20)\c&H00FF00&}there"), (1.0, 1.5, "two\nlines")]
    path = mediagen.make_video(tmp_path / "ass.mkv", duration_s=2.0, subtitles=cues, subtitle_codec="ass")
    assert probe(path).subtitles[0].codec in ("ass", "ssa")
    assert [line.text for line in read_subtitles(path)] == ["Hi there", "two\nlines"]


def test_sidecars_merge_sorted(tmp_path):
    video = mediagen.make_video(tmp_path / "film.mp4", duration_s=2.0)
    mediagen.write_srt(tmp_path / "film.srt", [(1.0, 1.5, "<font color=\"red\">Side</font> &amp; car")])
    mediagen.write_vtt(tmp_path / "film.fr.vtt", [(0.2, 0.4, "<v Bob><c.loud>Vtt</c> <00:00:00.300>line")])
    lines = read_subtitles(video)
    assert [(line.start_s, line.text) for line in lines] == [(0.2, "Vtt line"), (1.0, "Side & car")]
    assert lines[0].source.endswith("film.fr.vtt") and lines[1].source.endswith("film.srt")


def test_sidecar_in_windows_1252_and_a_broken_one(tmp_path):
    video = mediagen.make_video(tmp_path / "old.mp4", duration_s=1.0)
    (tmp_path / "old.srt").write_bytes("1\n00:00:00,100 --> 00:00:00,500\nCaf\u00e9 cr\u00e8me\n\n".encode("cp1252"))
    (tmp_path / "old.en.vtt").write_bytes(b"\x00\x01 garbage")
    assert [line.text for line in read_subtitles(video)] == ["Caf\u00e9 cr\u00e8me"]


def test_no_subtitles_is_empty(avi_mpeg4):
    assert read_subtitles(avi_mpeg4) == []


def test_clean_text():
    assert clean_text(r"3,0,Default,,0,0,0,,{\i1}Hello{\i0}, <b>world</b>\Nbye") == "Hello, world\nbye"
    assert clean_text(r"0,0,Default,,0,0,0,,  spaced\h out  ") == "spaced out"
