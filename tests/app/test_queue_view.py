"""The Library panel's Queue view and search box: a folder queued from the window runs in the background and its
rows end indexed; pause, resume, cancel, retry and reorder act on the library's queue; the queue pauses as a
whole; searching every video lists the moments and choosing one opens the video there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core.usecases import Job
from tests.app.conftest import fast_settings, open_window

pytestmark = pytest.mark.slow


def job(job_id: int, state: str, *, kind: str = "evidence", **kw: Any) -> Job:
    fields = dict(id=job_id, video=f"fp{job_id}", path=f"/rec/show{job_id}.ts", kind=kind, state=state, priority=0,
                  position=float(job_id), attempts=0, max_attempts=3, settings={}, settings_key="k")
    fields.update(kw)
    return Job(**fields)  # type: ignore[arg-type]


def test_the_queue_view_offers_what_each_state_allows_and_keeps_the_selection(qtbot: Any) -> None:
    from app.queue_view import QueueView, counts_line

    view = QueueView()
    qtbot.addWidget(view)
    jobs = [job(1, "running", stage="frames", done=30.0, total=60.0), job(2, "queued"), job(3, "paused"),
            job(4, "failed", error="the file is damaged; copy it again"), job(5, "done")]
    view.set_jobs(jobs, paused=False)
    assert view.summary.text() == "1 running · 1 waiting · 1 paused · 1 failed"
    texts = [view.tree.topLevelItem(i).text(2) for i in range(5)]
    assert texts == ["Shots and on-screen text — 50 %", "waiting", "paused",
                     "failed: the file is damaged; copy it again", "done"]
    expect = {1: {"pause", "cancel"}, 2: {"pause", "cancel", "down"}, 3: {"resume", "cancel", "up"}, 4: {"retry"},
              5: set()}
    for job_id, allowed in expect.items():
        view.select(job_id)
        on = {name for name, b in view.buttons.items() if b.isEnabled()}
        assert on == allowed, job_id
    asked: list[tuple[int, Any]] = []
    view.action_requested.connect(lambda i, a: asked.append((i, a)))
    view.move_requested.connect(lambda i, to: asked.append((i, to)))
    view.select(3)
    view.buttons["up"].click()
    view.buttons["resume"].click()
    view.buttons["retry"].click()  # not allowed for a paused job: nothing asked
    assert asked == [(3, 0), (3, "resume")]
    view.set_jobs([jobs[2], *jobs[:2], *jobs[3:]], paused=True)  # the new order after the move
    assert view.selected() is not None and view.selected().id == 3  # type: ignore[union-attr]
    assert view.pause_all.text() == "Resume queue" and view.summary.text().startswith("Queue paused · ")
    assert counts_line([], False) == "The queue is empty"


def videos(folder: Path, n: int) -> list[Path]:
    from tests.mediagen import make_video, write_srt

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        p = make_video(folder / f"rec{i}.mp4", duration_s=3.0 + i, fps=8, size=(96, 64))
        write_srt(p.with_suffix(".srt"), [(1.0, 2.0, f"episode {i} of the lighthouse keeper")])
        out.append(p)
    return out


def queue_states(win: Any) -> list[tuple[str, str, str]]:
    return [(j.name, j.kind, j.state) for j in win.library.queue.jobs]


def test_a_queued_folder_runs_in_the_background_and_search_opens_a_moment(
        qtbot: Any, tmp_path: Path, spin: Any, loop: Any) -> None:
    recs = videos(tmp_path / "tv", 2)
    with open_window(tmp_path, spin, fast_settings(tmp_path)) as win:
        spin(lambda: win.engine.background.running, what="the background worker")
        win.queue_paths([str(tmp_path / "tv")])
        spin(lambda: len(win.library.queue.jobs) == 4, what="the folder's jobs in the queue view")
        assert win.library.tabs.currentWidget() is win.library.queue
        assert win.library.queue.background.text() == "Running in the background · no watch folders (Settings)"
        spin(lambda: all(s == "done" for _n, _k, s in queue_states(win)), timeout=120, what="the jobs to finish")
        assert sorted(queue_states(win)) == [("rec0.mp4", "ads", "done"), ("rec0.mp4", "evidence", "done"),
                                             ("rec1.mp4", "ads", "done"), ("rec1.mp4", "evidence", "done")]
        spin(lambda: len(win.library.rows) == 2 and all("indexed" in r.meta.text() for r in win.library.rows.values()),
             what="both rows indexed")
        assert win.library.tabs.tabText(1) == "Queue"
        # search every video: two moments, choosing one opens that video at it
        win.library.search.setText("lighthouse keeper")
        win.library.search.returnPressed.emit()
        spin(lambda: win.library.results.count() == 2, what="the search results")
        assert win.library.stack.currentIndex() == 1 and "2 moments in 2 videos" in win.library.results_note.text()
        second = next(i for i in range(2) if "rec1.mp4" in win.library.results.item(i).text())
        assert "0:01" in win.library.results.item(second).text()
        win.library.results.itemClicked.emit(win.library.results.item(second))
        spin(lambda: win.controller.current is not None and win.controller.current.name == "rec1.mp4",
             what="the result's video to open")
        spin(lambda: win.timeline.highlight is not None, what="the moment highlighted")
        # words that no video says: the moments by meaning
        win.library.search.setText("a beacon on the coast and the man who tends it")
        win.library.search.returnPressed.emit()
        spin(lambda: win.library.results.count() > 0 or "No video" in win.library.results_note.text(),
             what="the search by meaning")
        assert "by meaning" in win.library.results.item(0).text()
        assert "lighthouse keeper" in win.library.results.item(0).text()
        win.library.search.clear()
        assert win.library.stack.currentIndex() == 0
        assert recs[1].exists()


def test_pause_resume_cancel_retry_and_reorder_act_on_the_queue(
        qtbot: Any, tmp_path: Path, spin: Any, loop: Any) -> None:
    videos(tmp_path / "tv", 2)
    with open_window(tmp_path, spin, fast_settings(tmp_path)) as win:
        view = win.library.queue
        spin(lambda: win.engine.background.running, what="the background worker")
        view.pause_all.click()
        spin(lambda: view.paused, what="the queue paused")
        win.queue_paths([str(tmp_path / "tv")])
        spin(lambda: len(view.jobs) == 4, what="the jobs")
        assert {s for _n, _k, s in queue_states(win)} == {"queued"}  # paused queue: nothing starts
        assert win.library.tabs.tabText(1) == "Queue (4)"
        first, second = [j for j in view.jobs if j.kind == "evidence"]
        view.select(second.id)
        view.buttons["pause"].click()
        spin(lambda: view.selected() is not None and view.selected().state == "paused", what="paused")
        view.buttons["resume"].click()
        spin(lambda: view.selected() is not None and view.selected().state == "queued", what="resumed")
        view.buttons["cancel"].click()
        spin(lambda: view.selected() is not None and view.selected().state == "cancelled", what="cancelled")
        view.buttons["retry"].click()
        spin(lambda: view.selected() is not None and view.selected().state == "queued", what="queued again")
        assert next(j.id for j in view.jobs if j.state == "queued") == first.id
        place = view.waiting_place(view.selected())  # type: ignore[arg-type]
        for step in range(place):  # the other video's evidence moves up, one place per click, to the front
            view.buttons["up"].click()
            spin(lambda s=step: view.waiting_place(view.selected()) == place - s - 1, what="moved up")  # type: ignore[misc]
        spin(lambda: next(j.id for j in view.jobs if j.state == "queued") == second.id, what="moved to the front")
        assert view.selected() is not None and view.selected().id == second.id  # the moved job stays selected
        view.pause_all.click()  # resume: the queue runs, the moved video's evidence first
        spin(lambda: all(j.state == "done" for j in view.jobs), timeout=120, what="all done")
        history = win.engine.service.job_history(second.id)
        win.engine.service.close_thread()
        assert [e.event for e in history].count("done") == 1
        started = sorted(view.jobs, key=lambda j: j.started_at or "")
        assert started[0].id == second.id
        assert first.id in {j.id for j in view.jobs}
