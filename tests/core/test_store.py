"""The library database: migrations once, WAL, concurrent readers and a writer, upsert by fingerprint."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from core.store import get_video_row, list_library, open_db, upsert_video
from core.store.migrations import MIGRATIONS

ROOT = Path(__file__).resolve().parents[2]


def test_migrations_apply_once(tmp_path):
    path = tmp_path / "lib.db"
    db = open_db(path)
    applied = [r["name"] for r in db.query("SELECT name FROM _sqlite_migrations")]
    assert len(applied) == len(set(applied)) >= 1 and "m001_library" in applied
    tables = set(db.table_names())
    db.close()
    db = open_db(path)  # second open: nothing re-applied, nothing lost
    again = [r["name"] for r in db.query("SELECT name FROM _sqlite_migrations")]
    assert again == applied and set(db.table_names()) == tables
    assert not MIGRATIONS.pending(db)
    db.close()


def test_wal_and_busy_timeout(tmp_db):
    assert next(tmp_db.query("PRAGMA journal_mode"))["journal_mode"] == "wal"
    assert next(tmp_db.query("PRAGMA busy_timeout"))["timeout"] >= 1000


def _info(path: Path, fingerprint: str = "f" * 32):
    from core.media.types import VideoInfo, VideoStreamInfo

    video = VideoStreamInfo(index=0, codec="h264", width=64, height=48, fps=10.0, variable_fps=False, rotation=0,
                            frame_count=20)
    return VideoInfo(path=str(path), fingerprint=fingerprint, size_bytes=123, container="mp4", duration_s=2.0,
                     video=video)


def test_upsert_by_fingerprint_on_a_moved_file(tmp_db, tmp_path):
    upsert_video(tmp_db, _info(tmp_path / "a.mp4"))
    first = get_video_row(tmp_db, "f" * 32)
    upsert_video(tmp_db, _info(tmp_path / "elsewhere" / "b.mp4"))
    rows = list(tmp_db.query("SELECT * FROM videos"))
    assert len(rows) == 1
    assert rows[0]["path"].endswith("elsewhere/b.mp4") and rows[0]["name"] == "b.mp4"
    assert rows[0]["added_at"] == first["added_at"]
    assert json.loads(rows[0]["probe_json"])["name"] == "b.mp4"
    upsert_video(tmp_db, _info(tmp_path / "c.mp4", fingerprint="0" * 32))
    assert len(list_library(tmp_db)) == 2


WRITER = """
import sys, time
from core.store import open_db
db = open_db(sys.argv[1])
for i in range(200):
    with db.atomic():
        db.execute("INSERT INTO videos (fingerprint, path, name, size_bytes, duration_s, container, width, height,"
                   " fps, probe_json) VALUES (?, ?, ?, 1, 1.0, 'mp4', 1, 1, 1.0, '{}')", [f"w{i}", f"/p{i}", f"n{i}"])
        db.execute("UPDATE videos SET name = name WHERE fingerprint = ?", [f"w{i}"])
    time.sleep(0.002)
print("wrote", 200)
"""

READER = """
import sys, time
from core.store import open_db
db = open_db(sys.argv[1])
seen, last = 0, -1
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    n = db.execute("SELECT count(*) FROM videos").fetchone()[0]
    assert n >= last, (n, last)  # committed rows never disappear
    last, seen = n, seen + 1
    if n >= 200:
        break
print("read", seen, last)
"""


@pytest.mark.slow  # three Python processes
def test_two_readers_and_a_writer_in_separate_processes(tmp_path):
    path = tmp_path / "shared.db"
    open_db(path).close()  # schema first, so the processes only read and write rows

    def spawn(code: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), str(path)], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    procs = [spawn(READER), spawn(WRITER), spawn(READER)]
    results = [p.communicate(timeout=60) for p in procs]
    for p, (_out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, err
        assert "locked" not in err
    assert results[1][0].strip() == "wrote 200"
    assert all(r[0].startswith("read ") and r[0].split()[2] == "200" for r in (results[0], results[2]))
