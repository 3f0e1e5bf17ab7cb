"""The app's main flows, offscreen, against the real engine on a temporary database."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtTest import QTest

from core.progress import Progress
from core.store import open_db
from core.store.segments import list_segments


def drop(win: Any, *paths: Path) -> None:
    """Drop files on the window the way a file manager does."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    ev = QDropEvent(QPointF(400, 300), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                    Qt.KeyboardModifier.NoModifier)
    win.dropEvent(ev)
    assert ev.isAccepted()


def indexed(win: Any) -> bool:
    c = win.controller
    return c.current is not None and c.index_task is None and c.states.get(c.current.fingerprint) == "done"


@pytest.mark.slow
def test_drop_a_file_shows_progress_then_results(window: Any, media: Any, spin: Any, tmp_path: Path) -> None:
    events: list[Progress] = []
    window.engine.progress.connect(lambda _fp, p: events.append(p))
    drop(window, media["ads"])
    spin(lambda: window.controller.index_task is not None, what="indexing to start")
    spin(lambda: window.index_panel.bar.value() > 0 or window.index_panel.rate.text(), what="progress shown")
    spin(lambda: indexed(window), what="indexing to finish")
    assert {"frames", "audio"} <= {p.stage for p in events}
    assert any(p.rate for p in events)
    assert window.player.media.isAvailable()
    row = window.library.rows[window.controller.current.fingerprint]
    assert "indexed" in row.meta.text()
    spin(lambda: window.timeline.cuts, what="shot cuts on the timeline")
    assert window.timeline.duration_s > 50
    spin(lambda: window.timeline.thumbs, what="timeline thumbnails")
    # the evidence-only ad detector runs from the question panel and marks the break on the timeline
    window.questions.preset_buttons["ads"].click()
    spin(lambda: window.controller.ask_task is None and window.timeline.segments, what="ads on the timeline")
    ad = window.timeline.segments[0]
    assert ad.kind == "ad" and 13 < ad.start_s < 17 and 36 < ad.end_s < 41
    assert "No video-LLM" in window.index_panel.note.text()
    assert window.recent_files() == [str(media["ads"].resolve())]
    # the marked ads export as an EDL (Kodi/MPlayer cut list) and the video as a Markdown report
    c = window.controller
    c.spawn(c.export_segments("edl", "ad", str(tmp_path / "ads.edl")))
    c.spawn(c.export_report(str(tmp_path / "report.md"), "md"))
    spin(lambda: (tmp_path / "ads.edl").exists() and (tmp_path / "report.md").exists() and not c.busy)
    start, end, action = (tmp_path / "ads.edl").read_text().split()
    assert (float(start), float(end), action) == (pytest.approx(ad.start_s, abs=0.01), pytest.approx(ad.end_s, abs=0.01), "3")
    assert "programme.mp4" in (tmp_path / "report.md").read_text()


def test_a_bad_file_gives_a_message_not_a_crash(window: Any, media: Any, spin: Any) -> None:
    drop(window, media["bad"])
    spin(lambda: window.banner.text, what="the error banner")
    assert window.banner.text.startswith("notes.mp4") and window.banner.text.count("notes.mp4") == 1
    assert "\n" not in window.banner.text
    assert window.controller.current is None
    drop(window, media["clip"])  # the window still works
    spin(lambda: window.controller.current is not None, what="the good file to open")


def test_clicking_a_time_in_the_answer_seeks_the_player(window: Any, media: Any, spin: Any) -> None:
    drop(window, media["clip"])
    spin(lambda: indexed(window), what="indexing")
    spin(lambda: window.player.view.has_frame, what="the first frame")
    from core.results import Answer, Moment

    window.controller._show_answer(Answer("When?", "It happens at 0:04 and ends by 0:05.",
                                          (Moment(4.0, 5.0, 0.9, "event", ("test",)),)))
    html = window.questions.answer.toHtml()
    href = re.search(r'href="(seek:[0-9.]+)"', html)
    assert href is not None, html
    assert window.timeline.markers and window.timeline.heat
    window.questions.answer.anchorClicked.emit(QUrl(href.group(1)))
    spin(lambda: abs(window.player.position_s - 4.05) < 0.2, what="the player to seek to 0:04")
    # keyboard: J jumps back 10 s (to the start here), Right moves 5 s, L plays, K pauses
    QTest.keyClick(window, Qt.Key.Key_J)
    spin(lambda: window.player.position_s < 0.2, what="J")
    QTest.keyClick(window, Qt.Key.Key_Right)
    spin(lambda: abs(window.player.position_s - 5.05) < 0.2, what="Right")
    QTest.keyClick(window, Qt.Key.Key_Left)
    QTest.keyClick(window, Qt.Key.Key_L)
    spin(lambda: window.player.media.playbackState() == QMediaPlayer.PlaybackState.PlayingState, what="L")
    QTest.keyClick(window, Qt.Key.Key_K)
    spin(lambda: window.player.media.playbackState() == QMediaPlayer.PlaybackState.PausedState, what="K")
    window.player.seek(4.0)
    spin(lambda: abs(window.player.position_s - 4.05) < 0.2, what="the player back at 0:04")
    # a moment in the list seeks and highlights its range on the timeline
    item = window.questions.moments.item(0)
    window.questions.moments.itemClicked.emit(item)
    assert window.timeline.highlight == (4.0, 5.0)


def test_editing_a_range_persists_and_undoes(window: Any, media: Any, spin: Any,
                                             tmp_path: Path) -> None:
    drop(window, media["clip"])
    spin(lambda: indexed(window), what="indexing")
    window.player.seek(1.0)
    spin(lambda: abs(window.player.position_s - 1.05) < 0.2, what="seek")
    window.add_mark()
    spin(lambda: window.editor.segments and window.editor.pending == 0, what="the new range")
    seg = next(iter(window.editor.segments.values()))
    tl = window.timeline
    y = int(tl._rows()["ranges"].center().y())
    x_end = int(tl.x_of(seg.end_s))
    x_new = int(tl.x_of(3.0))
    QTest.mousePress(tl, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(x_end, y))
    QTest.mouseMove(tl, QPoint(x_new, y))
    QTest.mouseRelease(tl, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(x_new, y))
    spin(lambda: window.editor.pending == 0)
    db = open_db(tmp_path / "library.db")
    stored = list_segments(db, seg.video)
    assert len(stored) == 1 and abs(stored[0].end_s - 3.0) < 0.1 and stored[0].start_s == seg.start_s
    window.editor.relabel(seg.id, "intro")
    window.editor.delete(seg.id)
    spin(lambda: window.editor.pending == 0)
    assert list_segments(db, seg.video) == []
    window.editor.stack.undo()  # delete
    window.editor.stack.undo()  # relabel
    spin(lambda: window.editor.pending == 0)
    back = list_segments(db, seg.video)
    assert [(s.id, s.label) for s in back] == [(seg.id, "mark")] and abs(back[0].end_s - 3.0) < 0.1
    window.editor.stack.undo()  # resize
    spin(lambda: window.editor.pending == 0)
    assert list_segments(db, seg.video)[0].end_s == seg.end_s
    db.conn.close()


def test_cancel_then_resume(window: Any, media: Any, spin: Any) -> None:
    stages: list[str] = []
    window.engine.progress.connect(lambda _fp, p: stages.append(p.stage))
    drop(window, media["ads"])
    spin(lambda: "frames" in stages, what="the frame pass to start")
    window.index_panel.cancel_button.click()
    spin(lambda: window.controller.index_task is None, what="indexing to stop")
    fp = window.controller.current.fingerprint
    spin(lambda: "Cancelled" in window.banner.text, what="the cancelled message")
    assert window.controller.states[fp] == "cancelled"
    assert window.index_panel.index_button.text() == "Resume"
    window.index_panel.index_button.click()
    spin(lambda: indexed(window), what="the resumed index to finish")
    assert window.controller.states[fp] == "done"


def test_closing_while_indexing_asks_then_stops_cleanly(window: Any, media: Any, spin: Any) -> None:
    asked: list[bool] = []
    window.confirm_stop = lambda: asked.append(True) or True
    started: list[Progress] = []
    window.engine.progress.connect(lambda _fp, p: started.append(p))
    drop(window, media["ads"])
    spin(lambda: window.controller.index_task is not None and window.engine.indexing and started,
         what="the evidence pass to start")
    window.close()
    spin(lambda: not window.isVisible(), what="the window to close")
    assert asked == [True]
    assert window.engine.closed
    assert window.controller.states[window.controller.current.fingerprint] in ("cancelled", "done")


def test_questions_without_a_model_use_evidence_and_are_kept(window: Any, media: Any,
                                                            spin: Any) -> None:
    drop(window, media["clip"])
    spin(lambda: indexed(window), what="indexing")
    window.questions.question.setText("where is the red car")
    window.questions.ask_button.click()
    spin(lambda: window.controller.ask_task is None and "No video model was used" in window.questions.answer.toPlainText())
    window.questions.preset_buttons["find"].click()  # "Find a moment…": the next question is a description
    window.questions.question.setText("red car")
    window.questions.question.returnPressed.emit()
    spin(lambda: window.controller.ask_task is None and window.questions.past.count() >= 2, what="find")
    assert "No video-LLM was used" in window.questions.answer.toPlainText()
    window.questions.preset_buttons["summary"].click()  # chapters from shots and text, no model needed
    spin(lambda: window.controller.ask_task is None and window.questions.past.count() >= 3, what="summary")
    assert "red car" in window.questions.past.itemText(1)
    assert "where is the red car" in window.questions.past.itemText(2)
    window.questions.answer.clear()
    window.questions.past.activated.emit(2)
    assert "No video model was used" in window.questions.answer.toPlainText()


@pytest.mark.slow
def test_every_stored_answer_of_the_cli_opens_in_the_history(window: Any, media: Any, spin: Any,
                                                             tmp_path: Path) -> None:
    """Answers the command line stored (ads, ask, find, summary, and one record that cannot be read) load in
    the window's history without any error banner, and each shows its text again."""
    import io

    from core.cli import main

    db = str(tmp_path / "library.db")  # the window's library
    clip = str(media["clip"])
    fast = ("--no-speech", "--no-ocr", "--db", db)
    for argv in (("ads", clip), ("ask", clip, "what colour is it"), ("find", clip, "a red screen"),
                 ("summary", clip)):
        code = main([*argv, *fast], out=io.StringIO(), err=io.StringIO())
        assert code == 0, argv
    conn = open_db(db)
    fp = conn.execute("SELECT fingerprint FROM videos").fetchone()[0]
    with conn.atomic():
        conn.execute("INSERT INTO queries (video, kind, question, result_json) VALUES (?, 'ask', 'x', '{oops')",
                     [fp])
    conn.close()
    drop(window, media["clip"])
    spin(lambda: window.questions.past.count() == 4, what="the four readable answers in the history")
    assert window.banner.text == ""
    for i in range(4):
        window.questions.answer.clear()
        window.questions.past.activated.emit(i)
        assert window.questions.answer.toPlainText().strip()
