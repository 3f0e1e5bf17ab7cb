"""``longwatch-cli probe`` and ``library`` through core.cli.main(argv, out, err)."""

import io
import json
import shutil

import pytest

from core.cli import main
from tests import mediagen


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    return mediagen.make_video(tmp_path_factory.mktemp("cli") / "talk.mp4", duration_s=2.0, audio=True,
                               subtitles=[(0.2, 0.8, "hi")])


def test_probe_human(tmp_path, video):
    code, out, err = run("probe", str(video), "--db", str(tmp_path / "l.db"))
    assert code == 0, err
    assert "talk.mp4" in out and "h264 64x48 10.000 fps" in out and "aac" in out and "mov_text" in out
    assert "fingerprint" in out


def test_probe_json_and_library(tmp_path, video):
    db = str(tmp_path / "l.db")
    code, out, _ = run("--json", "probe", str(video), "--db", db)
    assert code == 0
    data = json.loads(out)
    assert data["video"]["width"] == 64 and data["duration_s"] == pytest.approx(2.0, abs=0.1)
    assert data["name"] == "talk.mp4" and len(data["fingerprint"]) == 32
    code, out, _ = run("library", "--json", "--db", db)
    entries = json.loads(out)
    assert [e["fingerprint"] for e in entries] == [data["fingerprint"]]
    code, out, _ = run("library", "--db", db)
    assert "talk.mp4" in out and "0:00:02" in out


def test_moved_file_keeps_one_library_row(tmp_path, video):
    db = str(tmp_path / "l.db")
    moved = tmp_path / "moved" / "renamed.mp4"
    moved.parent.mkdir()
    shutil.copy(video, moved)
    assert run("probe", str(video), "--db", db)[0] == 0
    assert run("probe", str(moved), "--db", db)[0] == 0
    entries = json.loads(run("library", "--json", "--db", db)[1])
    assert len(entries) == 1 and entries[0]["path"] == str(moved.resolve()) and entries[0]["name"] == "renamed.mp4"


def test_no_save(tmp_path, video):
    db = str(tmp_path / "l.db")
    assert run("probe", str(video), "--no-save", "--db", db)[0] == 0
    assert json.loads(run("library", "--json", "--db", db)[1]) == []


@pytest.mark.parametrize("make, fragment", [
    (lambda d: d / "missing.mp4", "does not exist"),
    (lambda d: d, "folder"),
    (lambda d: mediagen.make_text(d / "notes.txt"), "not a video"),
    (lambda d: mediagen.make_random_bytes(d / "junk.mp4"), "not a video"),
    (lambda d: mediagen.make_png(d / "pic.png"), "still image"),
    (lambda d: mediagen.make_audio_only(d / "song.m4a"), "no video stream"),
    (lambda d: mediagen.make_zero_duration(d / "empty.mp4"), "empty"),
])
def test_probe_errors_are_one_line_exit_1(tmp_path, make, fragment):
    target = make(tmp_path)
    code, out, err = run("probe", str(target), "--db", str(tmp_path / "l.db"))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("Error: ") and fragment in err
    assert "Traceback" not in err


def test_probe_without_argument_is_usage(tmp_path):
    code, _, _ = run("probe", "--db", str(tmp_path / "l.db"))
    assert code == 2


def test_probe_says_how_much_of_a_cut_off_file_is_readable(tmp_path):
    # An MKV cut in the middle still opens: probe reports it and says how much can be read.
    src = mediagen.make_video(tmp_path / "full.mkv", duration_s=6.0, fps=10, size=(96, 64))
    cut = mediagen.make_truncated(src, tmp_path / "cut.mkv", keep_fraction=0.5)
    code, out, err = run("probe", str(cut), "--db", str(tmp_path / "db.sqlite"), "--no-save")
    assert code == 0, err
    assert "damaged     only 0:00:0" in out
    assert "can be read" in out
