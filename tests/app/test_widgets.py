"""Widgets on their own: timeline geometry, editing signals and keys; settings validation; time links;
and a long run of event processing and signal emission that would abort on the PySide6 6.12 refcount leak."""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, QPoint, QSettings, Qt, Signal
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

from app.settings import load_settings, save_settings
from app.timefmt import linkify, seek_target
from app.timeline import Timeline
from core.errors import UsageError
from core.progress import Progress
from core.results import Moment
from core.store.segments import Segment
from core.timefmt import clock, parse_clock
from core.usecases import Settings


@pytest.fixture
def timeline(qtbot: Any) -> Timeline:
    tl = Timeline()
    qtbot.addWidget(tl)
    tl.resize(1000, 140)
    tl.set_duration(100.0)
    tl.set_segments([Segment(1, "fp", "ad", "ad", 20.0, 40.0, 0.9, "ads"),
                     Segment(2, "fp", "chapter", "Part 2", 60.0, 90.0)])
    tl.show()
    return tl


def test_clicks_seek_select_and_drag_resizes(timeline: Timeline, qtbot: Any) -> None:
    y = int(timeline._rows()["ranges"].center().y())
    with qtbot.waitSignal(timeline.seek_requested) as seek:
        QTest.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=QPoint(500, 5))
    assert seek.args[0] == pytest.approx(50.0, abs=0.2)
    with qtbot.waitSignal(timeline.range_resized) as resized:
        QTest.mousePress(timeline, Qt.MouseButton.LeftButton, pos=QPoint(200, y))  # start edge of the ad
        QTest.mouseMove(timeline, QPoint(150, y))
        QTest.mouseRelease(timeline, Qt.MouseButton.LeftButton, pos=QPoint(150, y))
    assert resized.args[0] == 1 and resized.args[1] == pytest.approx(15.0, abs=0.2) and resized.args[2] == 40.0
    assert timeline.selected == 1
    with qtbot.waitSignal(timeline.delete_requested) as deleted:
        QTest.keyClick(timeline, Qt.Key.Key_Delete)
    assert deleted.args == [1]
    with qtbot.waitSignal(timeline.relabel_requested) as relabel:
        QTest.mouseDClick(timeline, Qt.MouseButton.LeftButton, pos=QPoint(750, y))
    assert relabel.args == [2]


def test_zoom_keeps_the_anchor_and_markers_step(timeline: Timeline) -> None:
    timeline.zoom_by(4.0, anchor_s=50.0)
    assert timeline.visible_s == pytest.approx(25.0)
    assert timeline.view_start_s <= 50.0 <= timeline.view_start_s + timeline.visible_s
    timeline.zoom_by(1 / 100)
    assert timeline.zoom == 1.0 and timeline.view_start_s == 0.0
    timeline.set_markers([Moment(30.0, 35.0, 0.8, "event"), Moment(70.0, 72.0, 0.4, "event")])
    assert timeline.next_marker(25.0, 1) == 30.0
    assert timeline.next_marker(30.0, 1) == 60.0  # the chapter's start
    assert timeline.next_marker(61.0, -1) == 60.0
    assert timeline.heat == [(30.0, 35.0, 0.8), (70.0, 72.0, 0.4)]
    assert not timeline.grab().isNull()


def test_settings_validate_and_round_trip(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="Compression ratio 3"):
        Settings(ratio=3)
    with pytest.raises(UsageError, match="does not exist"):
        Settings(model_dir=str(tmp_path / "nowhere"))
    with pytest.raises(UsageError, match="is a folder"):
        Settings(db_path=str(tmp_path))
    qs = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    s = Settings(model_dir=str(tmp_path), quant="8bit", fps=0.5, speech=False, db_path=str(tmp_path / "x.db"))
    save_settings(qs, s)
    assert load_settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)) == s


def test_settings_dialog_keeps_a_bad_value_with_its_message(qtbot: Any, tmp_path: Path, loop: Any) -> None:
    from app.engine import Engine
    from app.settings_dialog import SettingsDialog

    engine = Engine(Settings(db_path=str(tmp_path / "lib.db")))
    try:
        dlg = SettingsDialog(engine.settings, engine)
        qtbot.addWidget(dlg)
        dlg.model_dir.setText(str(tmp_path / "missing-model"))
        dlg.accept()
        assert dlg.result_settings is None and "does not exist" in dlg.error.text()
        dlg.model_dir.setText("")
        dlg.accept()
        assert dlg.result_settings == Settings(db_path=str(tmp_path / "lib.db"))
    finally:
        engine.shutdown()


def test_settings_dialog_lists_every_settings_field_and_round_trips(qtbot: Any, tmp_path: Path, loop: Any) -> None:
    """Every Settings field has a widget: a dialog opened on non-default values and accepted unchanged returns
    them all, and they survive QSettings; an edited vision field and watch folder come back as entered."""
    import dataclasses

    from app.engine import Engine
    from app.settings_dialog import SettingsDialog

    start = Settings(db_path=str(tmp_path / "lib.db"), vision="off", vision_model="some/siglip", vision_every_s=7.5,
                     queue_concurrency=3, job_threads=2, job_attempts=5, watch_folders=str(tmp_path),
                     watch_kinds="evidence,index", watch_settle_s=30.0, watch_interval_s=4.0, speech=False,
                     background_queue=False)
    engine = Engine(start)
    try:
        dlg = SettingsDialog(start, engine)
        qtbot.addWidget(dlg)
        dlg.accept()
        assert dlg.result_settings == start
        dlg = SettingsDialog(start, engine)
        qtbot.addWidget(dlg)
        for f in dataclasses.fields(Settings):
            widget = {"memory_budget_mb": "memory_budget"}.get(f.name, f.name)
            assert getattr(dlg, widget, None) is not None, f"the dialog has no field for {f.name}"
        dlg.vision.setCurrentText("on")
        dlg.vision_every_s.setValue(1.5)
        dlg.watch_folders.setPlainText(f"{tmp_path}\n\n")
        dlg.add_watch_folder(str(tmp_path / "tv"))  # what the Add… button's folder picker does
        dlg.add_watch_folder(str(tmp_path / "tv"))  # once
        dlg.vision_every_s.setValue(100)  # clamped to the spin box's range, which is Settings' range
        dlg.accept()
        got = dlg.result_settings
        assert got is not None and got.vision == "on" and got.vision_every_s == 60
        assert got.watch_folder_list() == (tmp_path, tmp_path / "tv")
        dlg = SettingsDialog(start, engine)
        qtbot.addWidget(dlg)
        dlg.watch_kinds.setText("evidence,nonsense")
        dlg.accept()
        assert dlg.result_settings is None and "nonsense" in dlg.error.text()
        qs = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
        save_settings(qs, got)
        assert load_settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)) == got
    finally:
        engine.shutdown()


def test_times_become_seek_links() -> None:
    assert clock(59.9) == "0:59" and clock(3600) == "1:00:00"
    assert parse_clock("1:00:00") == 3600.0
    html = linkify("from 0:15 to 1:02:03 <b>")
    assert 'href="seek:15.000"' in html and 'href="seek:3723.000"' in html and "&lt;b&gt;" in html
    assert seek_target("seek:12.5") == 12.5 and seek_target("https://x") is None


class _Emitter(QObject):
    ping = Signal(object)


@pytest.mark.slow
def test_long_run_of_events_and_signals_keeps_refcounts_steady(qapp: QApplication) -> None:
    """PySide6 6.12.0 on Python 3.11 leaks a reference to None per processEvents()/emit() and aborts after a
    few thousand (PLATFORM.md); this run is long enough that such a leak shows as a drift of thousands."""
    e = _Emitter()
    got: list[object] = []
    e.ping.connect(lambda v: got.append(v))
    for _ in range(200):  # warm up caches
        qapp.processEvents()
        e.ping.emit(None)
    got.clear()
    gc.collect()
    before = {name: sys.getrefcount(obj) for name, obj in (("None", None), ("True", True), ("False", False))}
    n = 20000
    for i in range(n):
        qapp.processEvents()
        e.ping.emit(None if i % 3 == 0 else bool(i % 2))
    got.clear()
    gc.collect()
    after = {name: sys.getrefcount(obj) for name, obj in (("None", None), ("True", True), ("False", False))}
    drift = {k: after[k] - before[k] for k in before}
    assert all(abs(d) < n // 10 for d in drift.values()), drift


def test_check_lists_every_model_slot(capsys: pytest.CaptureFixture[str]) -> None:
    from app.main import main
    from core.models_catalog import ROLES

    rc = main(["--check"])
    lines = capsys.readouterr().out.splitlines()
    assert [ln.split()[0] for ln in lines] == list(ROLES)
    assert rc == 0  # speech, OCR, embedding and text models ship with the install; video-LLM and vision are optional


def _entry(name: str = "Big Buck Bunny — the director's cut, remastered in 4K (2008).mp4") -> Any:
    from core.usecases import LibraryEntry

    return LibraryEntry("fp1", f"/films/{name}", name, 596.5, 1280, 720, "2026-12-01T10:00:00Z", "cancelled",
                        "cancelled")


def test_library_rows_fit_the_panel_and_speak_in_words(qtbot: Any) -> None:
    from app.library_panel import LibraryPanel
    from core.usecases import IndexProgress

    panel = LibraryPanel()
    qtbot.addWidget(panel)
    panel.resize(230, 400)
    panel.show()
    panel.set_entries([_entry()])
    row = panel.rows["fp1"]
    row.set_stored(IndexProgress("fp1", "cancelled", (("video", 0.2), ("audio", 0.66))))
    qtbot.waitUntil(lambda: row.width() > 0)
    assert not panel.list.horizontalScrollBar().isVisible()
    assert row.geometry().right() <= panel.list.viewport().width()
    assert row.meta.full_text() == "9:56 · stopped at 43 %"
    assert row.name.text().endswith("…") and row.name.toolTip() == _entry().name  # elided, whole in the tooltip
    assert row.bar.isVisibleTo(row) and row.bar.value() == 430
    row.set_progress(Progress("frames", 30.0, 596.5, "s", detail=(("overall", 0.52),)))
    assert "frames" not in row.meta.full_text() and row.meta.full_text() == "9:56 · 52 % · Shots and on-screen text"
    actions = [a.text() for a in panel.menu_for("fp1").actions()]
    assert actions[0] == "Resume indexing (52 % done)"


def test_index_panel_states(qtbot: Any) -> None:
    from app.index_panel import IndexPanel
    from core.usecases import IndexProgress

    panel = IndexPanel()
    qtbot.addWidget(panel)
    panel.show()
    assert not panel.bar.isVisible() and not panel.index_button.isEnabled()  # no video: no "0%" bar
    panel.set_idle(IndexProgress("fp", "cancelled", (("video", 0.3), ("audio", 0.56))))
    assert panel.stage.text() == "Stopped at 43 % — resume to finish" and panel.index_button.text() == "Resume"
    assert panel.bar.isVisible() and panel.bar.value() == 430 and panel.bar.format() == "43 %"
    panel.set_queued(1)
    assert panel.stage.text().startswith("Queued") and not panel.index_button.isEnabled()
    panel.set_running()
    panel.show_progress(Progress("speech", 10.0, 100.0, "s", rate=2.0, eta_s=45.0, detail=(("overall", 0.7),)))
    assert panel.stage.text() == "Speech — 10 %" and panel.bar.value() == 700
    assert panel.rate.text() == "10 / 100 s · 2.0 s/s · about 0:45 left"
    panel.set_idle(IndexProgress("fp", "done", (("video", 1.0), ("audio", 1.0))))
    assert panel.index_button.text() == "Index again…"
    with qtbot.waitSignal(panel.index_requested) as asked:
        panel.index_button.click()
    assert asked.args == [True]  # fresh


def test_the_find_hint_fits_the_question_box(qtbot: Any) -> None:
    from app.question_panel import FIND_HINT, QuestionPanel

    panel = QuestionPanel()
    qtbot.addWidget(panel)
    panel.resize(410, 600)  # the side panel's width in the window
    panel.set_enabled(True)
    panel.show()
    panel.preset_buttons["find"].click()
    q = panel.question
    assert q.placeholderText() == FIND_HINT
    assert q.fontMetrics().horizontalAdvance(FIND_HINT) + 12 < q.width()


def test_question_progress_row(qtbot: Any) -> None:
    from app.question_panel import QuestionPanel

    panel = QuestionPanel()
    qtbot.addWidget(panel)
    panel.show()
    assert not panel.progress_bar.isVisible() and not panel.stop_button.isVisible()
    panel.set_busy(True)
    assert panel.progress_bar.isVisible() and panel.stop_button.isEnabled() and panel.stop_button.text() == "Cancel"
    panel.show_progress(Progress("chapters", 2, 5, "parts", rate=0.05, eta_s=60.0))
    assert panel.progress_label.text() == "Writing chapters — 40 % · 2 / 5 parts · 0.1 parts/s · about 1:00 left"
    assert panel.progress_bar.value() == 400
    panel.set_busy(False)
    assert not panel.progress_bar.isVisible()


def test_a_press_and_drag_on_the_ranges_row_makes_a_range_and_a_click_there_seeks(timeline: Timeline,
                                                                                  qtbot: Any) -> None:
    y = int(timeline._rows()["ranges"].center().y())
    with qtbot.waitSignal(timeline.range_created) as made:
        QTest.mousePress(timeline, Qt.MouseButton.LeftButton, pos=QPoint(450, y))  # between the two ranges
        QTest.mouseMove(timeline, QPoint(550, y))
        QTest.mouseRelease(timeline, Qt.MouseButton.LeftButton, pos=QPoint(550, y))
    assert made.args == [pytest.approx(45.0, abs=0.2), pytest.approx(55.0, abs=0.2)]
    with qtbot.waitSignal(timeline.seek_requested) as seek:
        QTest.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=QPoint(500, y))
    assert seek.args[0] == pytest.approx(50.0, abs=0.2)
    seeks: list[float] = []
    timeline.seek_requested.connect(seeks.append)
    QTest.mousePress(timeline, Qt.MouseButton.LeftButton, pos=QPoint(100, 5))  # the ruler: scrub
    QTest.mouseMove(timeline, QPoint(300, 5))
    QTest.mouseRelease(timeline, Qt.MouseButton.LeftButton, pos=QPoint(300, 5))
    assert seeks[0] == pytest.approx(10.0, abs=0.2) and seeks[-1] == pytest.approx(30.0, abs=0.2)


def test_a_bad_model_folder_is_said_once_and_in_full(qtbot: Any, tmp_path: Path, loop: Any,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from app.engine import Engine
    from app.settings_dialog import SettingsDialog

    monkeypatch.setenv("LONGWATCH_DB", str(tmp_path / "from-env.db"))
    engine = Engine(Settings())
    try:
        dlg = SettingsDialog(engine.settings, engine)
        qtbot.addWidget(dlg)
        assert dlg.db_path.placeholderText() == f"$LONGWATCH_DB: {tmp_path / 'from-env.db'}"
        dlg.show()
        dlg.model_dir.setText(str(tmp_path / "a" / "rather" / "long" / "path" / "to" / "a" / "missing-model"))
        dlg.refresh_memory()
        dlg.accept()
        labels = [w.text() for w in dlg.findChildren(QLabel) if "does not exist" in w.text()]
        assert labels == [dlg.error.text()]  # once
        assert dlg.memory.text() == ""
        assert dlg.error.height() >= dlg.error.heightForWidth(dlg.error.width())  # not cut off
        assert dlg.error.geometry().bottom() <= dlg.height()
        dlg.reject()
    finally:
        engine.shutdown()
