"""The library survives a restart: at start the window lists the database's videos with their index state, says
how far an interrupted index got (not 0 %), offers to resume it, reopens the last video, and "Index again" on an
indexed video asks and then really indexes it again. A video waiting in the queue says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core.errors import Cancelled
from core.progress import CancelToken, Progress
from core.usecases import Longwatch
from tests.app.conftest import Spin, fast_settings, open_window
from tests.app.test_flows import drop, indexed


def stopped_library(tmp_path: Path, media: Any) -> tuple[str, str]:
    """A library (the window's database) where ``clip`` is indexed and ``ads`` was stopped in its frame pass,
    as a person would leave it by quitting mid-index. Returns (clip fingerprint, ads fingerprint)."""
    service = Longwatch(fast_settings(tmp_path))
    try:
        service.index(str(media["clip"]))
        token = CancelToken()

        def report(p: Progress) -> None:
            if p.stage == "frames":
                token.cancel()

        with pytest.raises(Cancelled):
            service.index(str(media["ads"]), progress=report, cancel=token)
        return service.video(str(media["clip"])).fingerprint, service.video(str(media["ads"])).fingerprint
    finally:
        service.close_thread()


def test_the_library_loads_at_start_with_states_and_offers_to_resume(qtbot: Any, tmp_path: Path, spin: Spin,
                                                                     loop: Any, media: Any) -> None:
    clip_fp, ads_fp = stopped_library(tmp_path, media)
    with open_window(tmp_path, spin, fast_settings(tmp_path)) as win:
        spin(lambda: len(win.library.rows) == 2, what="the library from the database")
        assert not win.library.empty.isVisible()
        assert win.library.rows[clip_fp].meta.full_text().endswith("· indexed")
        stopped = win.controller.progress[ads_fp]
        assert stopped.state == "cancelled" and stopped.fraction >= 0.5
        percent = f"{int(stopped.fraction * 100)} %"
        assert win.library.rows[ads_fp].meta.full_text().endswith(f"stopped at {percent}")
        spin(lambda: win.banner.text, what="the offer to resume")
        assert "programme.mp4" in win.banner.text and win.banner.level == "info"
        assert win.banner.action.isVisibleTo(win.banner) and win.banner.action.text() == "Resume indexing"
        # choosing the stopped video shows how far it got
        win.library.select(ads_fp)
        spin(lambda: win.controller.current is not None, what="the stopped video to open")
        panel = win.index_panel
        assert panel.stage.text() == f"Stopped at {percent} — resume to finish"
        assert panel.index_button.text() == "Resume" and panel.bar.value() == int(stopped.fraction * 1000)
        assert panel.bar.format() == percent
        overall: list[float] = []
        win.engine.progress.connect(lambda _fp, p: overall.append(dict(p.detail).get("overall", -1)))
        win.banner.action.click()
        assert not win.banner.isVisible()
        spin(lambda: indexed(win), what="the resumed index")
        assert overall and min(overall) >= stopped.fraction - 1e-6  # the bar never dropped back to 0
        assert win.library.rows[ads_fp].meta.full_text().endswith("· indexed")


def test_index_again_asks_first_then_indexes_from_scratch(window: Any, media: Any, spin: Spin) -> None:
    drop(window, media["clip"])
    spin(lambda: indexed(window), what="indexing")
    panel = window.index_panel
    assert panel.index_button.text() == "Index again…" and panel.index_button.isEnabled()
    asked: list[str] = []
    window.confirm_reindex = lambda name: asked.append(name) or False
    stages: list[str] = []
    window.engine.progress.connect(lambda _fp, p: stages.append(p.stage))
    panel.index_button.click()
    assert asked == ["clip.mp4"] and window.controller.index_task is None and not stages  # declined: nothing
    window.confirm_reindex = lambda name: True
    panel.index_button.click()
    spin(lambda: "frames" in stages, what="the frame pass to run again")
    spin(lambda: indexed(window) and panel.stage.text() == "Indexed", what="indexing again")
    assert "audio" in stages and window.controller.progress[window.controller.current.fingerprint].state == "done"


def test_a_queued_video_says_it_waits_and_cancel_takes_it_out(window: Any, media: Any, spin: Spin) -> None:
    drop(window, media["ads"], media["clip"])
    spin(lambda: window.controller.index_task is not None and len(window.library.rows) == 2, what="indexing")
    c = window.controller
    clip_fp = next(fp for fp in window.library.rows if fp != c.current.fingerprint)
    assert c.queue == [clip_fp]
    assert window.library.rows[clip_fp].meta.full_text().endswith("· queued")
    window.library.select(clip_fp)
    spin(lambda: c.current is not None and c.current.fingerprint == clip_fp, what="the queued video")
    panel = window.index_panel
    assert panel.stage.text().startswith("Queued") and not panel.index_button.isEnabled()
    assert panel.cancel_button.isEnabled()
    panel.cancel_button.click()  # leaves the queue; the running index goes on
    assert c.queue == [] and c.index_task is not None
    assert panel.stage.text() == "Not indexed yet" and panel.index_button.text() == "Index"


def test_the_last_video_and_the_window_layout_come_back(qtbot: Any, tmp_path: Path, spin: Spin, loop: Any,
                                                        media: Any) -> None:
    settings = fast_settings(tmp_path)
    with open_window(tmp_path, spin, settings) as win:
        drop(win, media["clip"])
        spin(lambda: indexed(win), what="indexing")
        win.resize(790, 590)  # within the offscreen screen (800 x 600), which a restored window is fitted to
        win.split.setSizes([230, 330, 230])
        spin(lambda: win.width() < 1000, what="the resize")
        fp = win.controller.current.fingerprint
        size, sizes = (win.width(), win.height()), win.split.sizes()
    with open_window(tmp_path, spin, settings) as win:
        spin(lambda: win.controller.current is not None, what="the last video to reopen")
        assert win.controller.current.fingerprint == fp and win.index_panel.stage.text() == "Indexed"
        assert (win.width(), win.height()) == size and win.split.sizes() == sizes
        assert win.recent_files() == [str(media["clip"].resolve())]
