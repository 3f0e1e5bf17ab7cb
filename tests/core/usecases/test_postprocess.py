"""DVR post-processing: NAME.edl beside the recording, chapters on request, safe to run twice, one line out."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import av
import pytest

from core.cli import main
from core.usecases import Longwatch, PostprocessOptions, postprocess
from tests.core.usecases.conftest import BREAK_S, FAST, short_recording

FAST_ARGS = ("--no-speech", "--no-ocr", "--fps", "2")


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def rec(tmp_path: Path, recordings: list[Path]) -> Path:
    return Path(shutil.copy(recordings[0], tmp_path / "News 2026-12-01.ts"))


def test_cli_writes_the_edl_and_a_second_run_changes_nothing(rec: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "lib.db")
    code, out, err = cli("postprocess", str(rec), "--chapters", "ffmetadata", *FAST_ARGS, "--db", db)
    assert code == 0, err
    assert out.count("\n") == 1 and "1 ad break(s)" in out and "ran evidence, ads" in out
    edl = rec.with_suffix(".edl")
    start, end, action = edl.read_text().split()
    assert abs(float(start) - BREAK_S[0]) <= 1.5 and abs(float(end) - BREAK_S[1]) <= 1.5 and action == "3"
    assert "title=Commercial" in rec.with_suffix(".ffmetadata").read_text()
    before = edl.stat().st_mtime_ns
    code, out, _ = cli("postprocess", str(rec), "--chapters", "ffmetadata", *FAST_ARGS, "--db", db)
    assert code == 0 and "nothing to redo" in out and edl.stat().st_mtime_ns == before
    code, _, err = cli("postprocess", str(tmp_path / "missing.ts"), "--db", db)
    assert code == 1 and err.count("\n") == 1 and "missing.ts is not a file" in err
    (tmp_path / "junk.ts").write_text("junk")
    code, _, err = cli("postprocess", str(tmp_path / "junk.ts"), "--db", db)
    assert code == 1 and err.count("\n") == 1 and "junk.ts" in err


def test_marks_corrected_in_the_app_are_the_ones_written(rec: Path, tmp_path: Path) -> None:
    service = Longwatch(FAST, db_path=tmp_path / "lib.db")
    first = postprocess(service, rec)
    seg = service.segments(first.video, kind="ad")[0]
    service.update_segment(seg.id, start_s=10.0, end_s=20.0)
    again = postprocess(service, rec)
    assert again.ran_here == () and rec.with_suffix(".edl").read_text() == "10.000\t20.000\t3\n"
    service.close_thread()


def test_chapters_in_a_copy_and_in_the_original_which_a_rerun_recognises(tmp_path: Path,
                                                                         recordings: list[Path]) -> None:
    mkv = short_recording(tmp_path / "film.mkv", seed=7)
    service = Longwatch(FAST, db_path=tmp_path / "lib.db")
    copy = postprocess(service, mkv, PostprocessOptions(chapters="mkv", edl=False))
    with av.open(str(tmp_path / "film.chapters.mkv")) as c:
        assert [ch["metadata"]["title"] for ch in c.chapters()] == ["Show", "Commercial", "Show"]
    done = postprocess(service, mkv, PostprocessOptions(into_original=True))
    assert str(mkv) in done.written
    with av.open(str(mkv)) as c:
        assert len(c.chapters()) == 3
    stamp = mkv.stat().st_mtime_ns
    again = postprocess(service, mkv, PostprocessOptions(into_original=True))
    assert again.video == copy.video and again.ran_here == () and mkv.stat().st_mtime_ns == stamp
    assert len(service.library()) == 1  # the muxed file is the same video, not a new one
    with pytest.raises(Exception, match="cannot hold chapters"):
        ts = Path(shutil.copy(recordings[1], tmp_path / "tv.ts"))
        postprocess(service, ts, PostprocessOptions(into_original=True))
    service.close_thread()
