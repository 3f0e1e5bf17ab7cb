"""``longwatch-cli report`` and writing chapters into a copy of the video (checked with ffprobe)."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from core.cli import main
from core.report.chapters_mux import write_chapters
from core.report.collect import ReportError
from core.results import Chapter
from tests.core.report.conftest import store_results


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def _ffprobe(path: Path, *what: str) -> dict[str, Any]:
    res = subprocess.run(["ffprobe", "-v", "error", *what, "-of", "json", str(path)], check=True,
                         capture_output=True, text=True)
    return dict(json.loads(res.stdout))


def test_report_of_a_video_never_seen(tmp_path: Path, tiny_mp4: Path) -> None:
    db = str(tmp_path / "lib.db")
    code, out, err = _cli("--db", db, "report", str(tiny_mp4), "--out", str(tmp_path / "r.json"), "--json",
                          "--existing-only")
    assert code == 0, err
    result = json.loads(out)
    assert result["format"] == "json" and result["chapters"] == 0 and result["ads"] is None
    assert "longwatch-cli summary" in err  # says what is missing, on stderr
    doc = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert doc["video"]["name"] == "clip.mp4" and doc["summary"] is None


@pytest.mark.parametrize("fmt", ["md", "html", "pdf", "json"])
def test_report_every_format_from_stored_results(fmt: str, library: tuple[Any, str, Path], tmp_path: Path) -> None:
    db, fp, video = library
    store_results(db, fp)
    out = tmp_path / f"report.{fmt}"
    code, stdout, err = _cli("--db", str(tmp_path / "library.db"), "report", str(video), "--out", str(out))
    assert code == 0, err
    assert stdout.startswith(f"Wrote {out}") and "3 chapters, ads 1, 2 questions" in stdout
    assert out.stat().st_size > 1000


def test_report_into_a_folder_by_fingerprint(library: tuple[Any, str, Path], tmp_path: Path) -> None:
    db, fp, _ = library
    store_results(db, fp)
    folder = tmp_path / "exports"
    folder.mkdir()
    code, _, err = _cli("--db", str(tmp_path / "library.db"), "report", fp, "--out", str(folder), "--format", "md",
                        "--no-thumbnails")
    assert code == 0, err
    assert [p.name for p in folder.iterdir()] == ["clip - report.md"]


def test_report_usage_errors(tmp_path: Path, tiny_mp4: Path) -> None:
    db = str(tmp_path / "lib.db")
    code, _, err = _cli("--db", db, "report", "nope.mp4", "--out", str(tmp_path / "r.html"))
    assert code == 2 and "neither a file nor a video" in err
    code, _, err = _cli("--db", db, "report", str(tiny_mp4), "--out", str(tmp_path / "r.docx"))
    assert code == 1 and "end the file name with .md, .html, .pdf, .json" in err
    code, _, err = _cli("--db", db, "report", str(tiny_mp4), "--out", str(tmp_path / "r.md"), "--thumb-width", "2")
    assert code == 2 and "Thumbnail width 2 px" in err and err.count("\n") == 1
    code, _, err = _cli("--db", db, "report", str(tiny_mp4), "--out", str(tmp_path / "r.md"), "--existing-only",
                        "--chapters-into", str(tmp_path / "c.mkv"))
    assert code == 2 and "summary" in err


def test_cli_writes_chapters_into_a_copy(library: tuple[Any, str, Path], tmp_path: Path) -> None:
    db, fp, video = library
    store_results(db, fp)
    copy = tmp_path / "with chapters.mkv"
    code, out, err = _cli("--db", str(tmp_path / "library.db"), "report", str(video), "--out",
                          str(tmp_path / "r.json"), "--chapters-into", str(copy), "--json")
    assert code == 0, err
    assert json.loads(out)["chapters_into"] == str(copy)
    chapters = _ffprobe(copy, "-show_chapters")["chapters"]
    assert [c["tags"]["title"] for c in chapters] == ["Opening", "The middle", "Ending"]


@pytest.mark.parametrize("ext", ["mkv", "mp4"])
def test_write_chapters_remuxes_without_reencoding(ext: str, tiny_mp4: Path, tmp_path: Path) -> None:
    chapters = [Chapter(0, 10, "Intro = start; #1"), Chapter(10, 20.5, "Ünïcode — middle"), Chapter(20.5, 30, "End")]
    dst = write_chapters(tiny_mp4, tmp_path / f"copy.{ext}", chapters)
    got = _ffprobe(dst, "-show_chapters")["chapters"]
    assert [(float(c["start_time"]), float(c["end_time"]), c["tags"]["title"]) for c in got] == [
        (c.start, c.end, c.title) for c in chapters]
    # Same video packets, byte for byte in size: copied, not re-encoded.
    def packets(p: Path) -> list[int]:
        data = _ffprobe(p, "-select_streams", "v:0", "-show_entries", "packet=size")
        return [int(x["size"]) for x in data["packets"]]
    assert packets(dst) == packets(tiny_mp4)
    assert list(tmp_path.glob(".tmp-*")) == []


def test_write_chapters_refuses_bad_outputs(tiny_mp4: Path, tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="extensions"):
        write_chapters(tiny_mp4, tmp_path / "x.avi", [Chapter(0, 1, "a")])
    with pytest.raises(ReportError, match="copy"):
        write_chapters(tiny_mp4, tiny_mp4, [Chapter(0, 1, "a")])
    with pytest.raises(ReportError, match="Cannot copy"):
        (tmp_path / "junk.mp4").write_bytes(b"not a video")
        write_chapters(tmp_path / "junk.mp4", tmp_path / "y.mkv", [Chapter(0, 1, "a")])


@pytest.mark.parametrize(("name", "fmt"), [("ch.srt", "srt"), ("ch.csv", "csv"), ("ch.edl", "edl"),
                                           ("ch.ffmetadata.txt", "ffmetadata"), ("ch.youtube.txt", "youtube"),
                                           ("ch.json", "json")])
def test_cli_writes_chapters_as_segments(name: str, fmt: str, library: tuple[Any, str, Path],
                                         tmp_path: Path) -> None:
    from core.report.segments import parse_segments

    db, fp, video = library
    store_results(db, fp)
    out = tmp_path / name
    code, _, err = _cli("--db", str(tmp_path / "library.db"), "report", str(video), "--out",
                        str(tmp_path / "r.json"), "--no-thumbnails", "--chapters-out", str(out))
    assert code == 0, err
    back = parse_segments(out.read_text("utf-8"), fmt)
    starts = [m.start for m in back]
    assert starts == [0.0, 10.0, 20.0]
    if fmt != "edl":  # EDL lines carry an action, not a title
        assert [m.label for m in back] == ["Opening", "The middle", "Ending"]
    assert "YouTube chapters:" not in err  # 3 chapters of 10 s from 0:00: nothing to adjust


def test_report_makes_what_is_missing_first(tmp_path: Path) -> None:
    """A video with subtitles and nothing computed yet: ``report`` runs the evidence pass, makes the summary and
    the ads, and the page holds the chapters, the ads section and the subtitles (folded, times as links)."""
    from tests import mediagen

    clip = mediagen.make_video(tmp_path / "talk.mp4", duration_s=30.0, fps=5, size=(96, 64))
    mediagen.write_srt(tmp_path / "talk.srt", [(2.0, 6.0, "The lighthouse keeper climbs the stairs."),
                                               (18.0, 22.0, "Tomorrow the ferry leaves at dawn.")])
    db = str(tmp_path / "lib.db")
    code, out, err = _cli("--db", db, "report", str(clip), "--out", str(tmp_path / "r.html"), "--json",
                          "--no-speech", "--no-ocr", "--fps", "2")
    assert code == 0, err
    result = json.loads(out)
    assert result["computed"] == ["summary", "ads"] and result["chapters"] >= 1 and result["ads"] is not None
    assert not any("longwatch-cli summary" in m or "longwatch-cli ads" in m for m in result["missing"])
    page = (tmp_path / "r.html").read_text("utf-8")
    assert 'id="chapters-h"' in page and 'id="ads-h"' in page
    assert '<details class="lines">' in page and "ferry leaves at dawn" in page
    assert 'data-t="18.000"' in page  # the subtitle's time seeks the player
    code, out, _ = _cli("--db", db, "report", str(clip), "--out", str(tmp_path / "again.md"), "--json")
    assert code == 0 and json.loads(out)["computed"] == []  # made once, reused
