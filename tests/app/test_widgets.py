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
from PySide6.QtWidgets import QApplication

from app.settings import load_settings, save_settings
from app.timefmt import linkify, seek_target
from app.timeline import Timeline
from core.errors import UsageError
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
    assert rc == 0  # the speech, OCR, embedding and text models ship with the install; the video-LLM is optional
