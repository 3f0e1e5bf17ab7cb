"""The library as a job queue: queue files and folders, run them with the local worker, ask across the library."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from core.cli import main
from core.store import jobs as job_store
from core.usecases import Longwatch, Worker
from tests.core.usecases.conftest import BREAK_S


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_queue_a_folder_run_it_and_nothing_is_redone(service: Longwatch, recordings: list[Path]) -> None:
    added = service.enqueue([recordings[0].parent])
    assert [Path(a.path).name for a in added] == ["rec0.ts", "rec1.ts", "rec2.ts"]  # the .part file is skipped
    assert all(a.error is None and [j.kind for j in a.jobs] == ["evidence", "ads"] for a in added)
    stats = Worker(service).run(until_empty=True)
    assert (stats.done, stats.failed) == (6, 0)
    assert service.queue_counts()["done"] == 6
    ads = service.segments(added[0].jobs[0].video, kind="ad")
    assert len(ads) == 1 and abs(ads[0].start_s - BREAK_S[0]) <= 1.5
    again = service.enqueue([recordings[0]])
    assert again[0].queued == () and {j.state for j in again[0].jobs} == {"done"}
    for job in service.jobs():
        assert [e.event for e in service.job_history(job.id)].count("done") == 1


def test_search_and_find_across_the_library(service: Longwatch, recordings: list[Path]) -> None:
    service.enqueue(recordings[:2])
    Worker(service).run(until_empty=True)
    hits = service.search_all("harbour")
    assert sorted(h.name for h in hits) == ["rec0.ts", "rec1.ts"] and all(h.hit.start_s == 1.0 for h in hits)
    assert service.search_all("recording number 1 harbour")[0].name == "rec1.ts"
    found = service.find_all("a forecast of sunshine", limit=4)
    assert {m.name for m in found} == {"rec0.ts", "rec1.ts"} and all(m.moment.start == 45.0 for m in found[:2])
    assert found[0].to_json()["path"].endswith(".ts")
    hits, by_meaning = service.search_library("a forecast of sunshine")  # the app's search box
    assert hits == [] and {m.name for m in by_meaning} == {"rec0.ts", "rec1.ts"}
    hits, by_meaning = service.search_library("harbour")  # two word hits: the meaning adds only new moments
    assert len(hits) == 2 and all(m.moment.start != 1.0 for m in by_meaning)


def test_a_file_that_is_not_a_video_gets_one_line_and_a_vanished_file_fails_its_job(
        service: Longwatch, tmp_path: Path, recordings: list[Path]) -> None:
    bad = tmp_path / "notes.ts"
    bad.write_text("not a video")
    result = service.enqueue([bad])[0]
    assert result.jobs == () and "\n" not in result.error and "notes.ts" in result.error
    copy = Path(shutil.copy(recordings[2], tmp_path / "gone.ts"))
    queued = service.enqueue([copy], ["evidence"])[0].jobs[0]
    copy.unlink()
    stats = Worker(service).run(until_empty=True)
    job = service.job(queued.id)
    assert stats.failed == 1 and job.state == "failed" and "not at" in job.error and job.attempts == 1


def test_a_pause_asked_of_a_running_job_stops_it_and_resume_finishes_it(service: Longwatch,
                                                                        recordings: list[Path]) -> None:
    job = service.enqueue([recordings[0]], ["evidence"])[0].jobs[0]
    worker = Worker(service)
    claimed = job_store.claim(service.db, worker.id)
    service.pause_job(job.id)  # asked while it runs: honoured at its first progress report
    worker.run_one(claimed)
    assert service.job(job.id).state == "paused"
    service.resume_job(job.id)
    Worker(service).run(until_empty=True)
    assert service.job(job.id).state == "done"
    events = [e.event for e in service.job_history(job.id)]
    assert events == ["queued", "claimed", "pause asked", "paused", "resumed", "claimed", "done"]


def test_cli_queue_add_list_pause_cancel_retry_run(tmp_path: Path, recordings: list[Path],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LONGWATCH_MODEL", raising=False)
    db = str(tmp_path / "cli.db")
    fast = ("--no-speech", "--no-ocr", "--evidence-fps", "2")
    code, out, err = cli("queue", "add", str(recordings[0]), str(recordings[1]), "--kinds", "evidence", *fast,
                         "--db", db)
    assert code == 0, err
    assert "queued evidence #1" in out and "queued evidence #2" in out
    assert cli("queue", "pause", "1", "--db", db)[0] == 0
    assert cli("queue", "cancel", "2", "--db", db)[0] == 0
    code, out, _ = cli("queue", "list", "--json", "--db", db)
    listed = json.loads(out)
    assert [(j["id"], j["state"]) for j in listed["jobs"]] == [(1, "paused"), (2, "cancelled")]
    assert cli("queue", "retry", "2", "--db", db)[0] == 0
    assert cli("queue", "resume", "1", "--db", db)[0] == 0
    assert cli("queue", "pause", "--db", db)[1].strip() == "The queue is paused."
    code, out, _ = cli("queue", "run", "--until-empty", "--db", db)
    assert code == 0 and "0 done" in out  # a paused queue runs nothing
    assert cli("queue", "resume", "--db", db)[0] == 0
    code, out, err = cli("queue", "run", "--until-empty", "--db", db)
    assert code == 0 and "2 done" in out, err
    code, _, err = cli("queue", "retry", "1", "--db", db)
    assert code == 2 and "is done; it cannot be retried" in err
    code, out, _ = cli("search", "--all", "harbour", "--db", db)
    assert code == 0 and "rec0.ts" in out and "rec1.ts" in out
    assert cli("queue", "move", "9", "0", "--db", db)[0] == 2
