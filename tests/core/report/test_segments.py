"""Every segment format round-trips: written, read back (by ffmpeg/ffprobe where it can, else a strict or
third-party parser), compared."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import srt

from core.report.segments import (
    SEGMENT_FORMATS,
    SegmentFormatError,
    chapters_to_moments,
    format_segments,
    parse_segments,
    youtube_chapters,
)
from core.results import Chapter, Moment

ADS = [Moment(120.5, 185.25, 0.91, "ad", ("black frames",)), Moment(600.0, 660.0, 0.8, "ad")]
HOSTILE = 'Intro; part=1 #2 \\ "quoted", <script>alert(1)</script> [x](javascript:alert(1))'
LABELLED = [
    Moment(0.0, 95.0, 1.0, "Opening credits"),
    Moment(95.0, 400.0, 0.7, HOSTILE),
    Moment(400.0, 1800.0, 0.6, "Ünïcode — finale"),
]


def test_contract_names() -> None:
    assert SEGMENT_FORMATS == ("json", "edl", "ffmetadata", "csv", "srt", "youtube")
    with pytest.raises(SegmentFormatError, match="use one of"):
        format_segments(ADS, "xml")


def test_json_round_trip_is_exact() -> None:
    text = format_segments(LABELLED + ADS, "json")
    assert parse_segments(text, "json") == LABELLED + ADS
    assert json.loads(text)[3] == {"start": 120.5, "end": 185.25, "score": 0.91, "label": "ad",
                                   "why": ["black frames"]}


def test_edl_is_kodi_type_3() -> None:
    text = format_segments(ADS, "edl")
    assert text == "120.500\t185.250\t3\n600.000\t660.000\t3\n"
    back = parse_segments(text, "edl")
    assert [(m.start, m.end, m.label) for m in back] == [(120.5, 185.25, "ad"), (600.0, 660.0, "ad")]


def test_edl_reader_follows_kodi_rules() -> None:
    back = parse_segments("0:01:02.5 0:01:10 0\n5 6 1\n7  7  2\n10\t20\n", "edl")
    assert [(m.start, m.end, m.label) for m in back] == [
        (62.5, 70.0, "cut"), (5.0, 6.0, "mute"), (7.0, 7.0, "scene"), (10.0, 20.0, "cut")]
    for bad, msg in [("#100 #200 3", "frame numbers"), ("1 2 7", "action"), ("5 2 3", "before start"),
                     ("abc 2 3", "not a time")]:
        with pytest.raises(SegmentFormatError, match=msg):
            parse_segments(bad, "edl")


def test_ffmetadata_ads_alternate_show_and_commercial() -> None:
    text = format_segments(ADS, "ffmetadata", duration_s=900.0)
    assert text.startswith(";FFMETADATA1\n")
    assert text.count("TIMEBASE=1/1000") == 5
    titles = [ln.split("=", 1)[1] for ln in text.splitlines() if ln.startswith("title=")]
    assert titles == ["Show", "Commercial", "Show", "Commercial", "Show"]
    assert "START=120500\nEND=185250\ntitle=Commercial" in text
    back = parse_segments(text, "ffmetadata")
    assert [(m.start, m.end, m.label) for m in back] == [(120.5, 185.25, "ad"), (600.0, 660.0, "ad")]


def test_ffmetadata_escapes_specials() -> None:
    text = format_segments(LABELLED, "ffmetadata", title="a=b;c")
    assert "title=a\\=b\\;c" in text
    assert [m.label for m in parse_segments(text, "ffmetadata")] == [m.label for m in LABELLED]


def test_csv_round_trip_with_quotes() -> None:
    text = format_segments(LABELLED, "csv")
    assert text.splitlines()[0] == "0.000,95.000,Opening credits"
    back = parse_segments(text, "csv")
    assert [(m.start, m.end, m.label) for m in back] == [(m.start, m.end, m.label) for m in LABELLED]


def test_srt_round_trip_and_srt_library_agrees() -> None:
    moments = [*LABELLED, Moment(3723.456, 3725.0, 0.5, "two\n\nlines")]
    text = format_segments(moments, "srt")
    subs = list(srt.parse(text))  # a third-party, spec-following SRT parser
    assert [s.index for s in subs] == [1, 2, 3, 4]
    assert subs[3].start.total_seconds() == pytest.approx(3723.456)
    assert subs[3].content == "two\nlines"
    back = parse_segments(text, "srt")
    assert [(m.start, m.end) for m in back] == [(m.start, m.end) for m in moments]
    assert [m.label for m in back[:3]] == [m.label for m in LABELLED]
    assert srt.compose(subs) == text


def test_youtube_chapters_follow_the_rules() -> None:
    moments = [Moment(5.0, 60.0, 1, "Intro"), Moment(60.0, 64.0, 1, "Blip"),
               Moment(64.0, 1800.0, 1, "Main part"), Moment(1800.0, 3700.0, 1, "Finale"),
               Moment(3700.0, 3705.0, 1, "Credits")]
    yt = youtube_chapters(moments, duration_s=3705.0)
    assert yt.text == "0:00 Intro\n1:04 Main part\n30:00 Finale\n"
    # moved 'Intro' to 0:00, merged the 4 s 'Blip', dropped the 5 s 'Credits'
    assert [a.split()[0] for a in yt.adjustments] == ["moved", "merged", "dropped"]
    assert format_segments(moments, "youtube", duration_s=3705.0) == yt.text
    back = parse_segments(yt.text, "youtube")
    assert [(m.start, m.label) for m in back] == [(0, "Intro"), (64, "Main part"), (1800, "Finale")]
    assert youtube_chapters(moments[2:], duration_s=3705.0).adjustments[0].startswith("added a chapter")
    long = youtube_chapters([*LABELLED, Moment(3600.0, 3700.0, 1, "Late")], duration_s=4000.0)
    assert long.adjustments == ()
    assert long.text.splitlines()[-1] == "1:00:00 Late"


def test_youtube_ads_and_too_few_chapters() -> None:
    assert youtube_chapters(ADS, duration_s=900).text == (
        "0:00 Show\n2:00 Commercial\n3:05 Show\n10:00 Commercial\n11:00 Show\n")
    with pytest.raises(SegmentFormatError, match="at least 3 chapters"):
        youtube_chapters([Moment(0, 30, 1, "Only")], duration_s=30)


def test_youtube_reader_reads_description_styles() -> None:
    back = parse_segments("My video\n00:00 - Start\n(1:30) Middle\n1:02:03 | End\nthanks\n", "youtube")
    assert [(m.start, m.label) for m in back] == [(0, "Start"), (90, "Middle"), (3723, "End")]


def test_chapters_to_moments() -> None:
    moments = chapters_to_moments([Chapter(0, 10, "A", "text a"), Chapter(10, 20, "B")])
    assert moments[0] == Moment(0, 10, 1.0, "A", ("text a",))
    assert moments[1].why == ()


def _ffprobe_chapters(path: Path) -> list[dict[str, object]]:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(path)],
                         check=True, capture_output=True, text=True).stdout
    return list(json.loads(out)["chapters"])


@pytest.mark.parametrize("moments", [ADS, LABELLED], ids=["ads", "labelled"])
def test_ffmetadata_read_by_ffmpeg(moments: list[Moment], tiny_mp4: Path, tmp_path: Path) -> None:
    meta = tmp_path / "meta.txt"
    meta.write_text(format_segments(moments, "ffmetadata", duration_s=1800.0, title="T"), encoding="utf-8")
    out = tmp_path / "with_chapters.mkv"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(tiny_mp4), "-i", str(meta), "-map", "0",
                    "-map_metadata", "1", "-map_chapters", "1", "-codec", "copy", str(out)], check=True)
    chapters = _ffprobe_chapters(out)
    # ffprobe's view, turned back into ffmetadata terms, parses to the same moments.
    rebuilt = ";FFMETADATA1\n" + "".join(
        f"[CHAPTER]\nTIMEBASE={c['time_base']}\nSTART={c['start']}\nEND={c['end']}\n"
        f"title={_escape(str(c['tags']['title']))}\n" for c in chapters)
    assert parse_segments(rebuilt, "ffmetadata") == parse_segments(meta.read_text("utf-8"), "ffmetadata")


def _escape(value: str) -> str:
    return "".join("\\" + ch if ch in "=;#\\\n" else ch for ch in value)
