"""How the window behaves for a person: errors are unmistakable and go away with the next file, failed files stay
out of Open recent, asking hands the keyboard back to playback, a seek keeps playing, a summary shows progress
and can be cancelled, zooming decodes more frames, save dialogs start beside the video, an empty window shows
no progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog

from tests.app.conftest import Spin
from tests.app.test_flows import drop, indexed


def _mean_rgb(widget: Any) -> tuple[float, float, float]:
    img = widget.grab().toImage()
    pts = [(x, y) for x in range(20, img.width() - 60, 25) for y in range(2, img.height() - 2, 4)]
    cols = [img.pixelColor(x, y) for x, y in pts]
    return (sum(c.red() for c in cols) / len(cols), sum(c.green() for c in cols) / len(cols),
            sum(c.blue() for c in cols) / len(cols))


def test_an_error_is_red_with_an_icon_and_goes_with_the_next_file(window: Any, media: Any, spin: Spin) -> None:
    from app.icons import stylesheet

    window.setStyleSheet(stylesheet(dark=False))  # as app.main sets it on the application
    assert not window.index_panel.bar.isVisibleTo(window)  # an empty window shows no "0%" bar
    drop(window, media["bad"])
    spin(lambda: window.banner.text, what="the error banner")
    banner = window.banner
    assert banner.level == "error" and banner.property("level") == "error"
    assert banner.icon.pixmap() is not None and not banner.icon.pixmap().isNull()
    r, g, b = _mean_rgb(banner)
    mr, mg, mb = _mean_rgb(window.menuBar())
    assert r > g + 15 and r > b + 15, (r, g, b)  # red, not the menu bar's grey
    assert abs(r - mr) + abs(g - mg) + abs(b - mb) > 40
    assert window.recent_files() == []  # a file that did not open is not "recent"
    drop(window, media["clip"])
    spin(lambda: window.controller.current is not None, what="the good file to open")
    assert banner.text == "" and not banner.isVisible()
    assert window.recent_files() == [str(media["clip"].resolve())]


def test_asking_gives_the_keyboard_back_to_playback(window: Any, media: Any, spin: Spin) -> None:
    drop(window, media["clip"])
    spin(lambda: indexed(window), what="indexing")
    spin(lambda: window.player.view.has_frame, what="the first frame")
    q = window.questions.question
    q.setFocus()
    QTest.keyClicks(q, "fade to black")
    QTest.keyClick(q, Qt.Key.Key_Return)
    assert window.focusWidget() is window.timeline
    spin(lambda: window.controller.ask_task is None, what="the answer")
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_Space)  # plays, does not type into the box
    spin(lambda: window.player.playing, what="Space to play")
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_BracketRight)
    assert q.text() == "fade to black"
    window.player.pause()
    q.setFocus()
    QTest.keyClick(q, Qt.Key.Key_Escape)  # Escape in the box also goes back
    assert window.focusWidget() is window.timeline


def test_clicking_the_timeline_while_playing_keeps_playing(window: Any, media: Any, spin: Spin) -> None:
    drop(window, media["clip"])
    spin(lambda: window.player.view.has_frame and window.timeline.duration_s > 0, what="the first frame")
    window.player.play()
    spin(lambda: window.player.playing and window.player.position_s > 0.2, what="playback")
    tl = window.timeline
    QTest.mouseClick(tl, Qt.MouseButton.LeftButton, pos=QPoint(int(tl.x_of(4.0)), 5))
    spin(lambda: window.player.position_s > 3.9, what="the seek")
    QTest.qWait(400)
    assert window.player.media.playbackState() == QMediaPlayer.PlaybackState.PlayingState
    window.player.pause()
    spin(lambda: not window.player.playing, what="pause")
    QTest.mouseClick(tl, Qt.MouseButton.LeftButton, pos=QPoint(int(tl.x_of(1.0)), 5))
    spin(lambda: window.player.position_s < 1.3, what="the seek while paused")
    QTest.qWait(300)
    assert not window.player.playing  # paused stays paused


def test_a_summary_shows_progress_and_cancel(window: Any, media: Any, spin: Spin) -> None:
    c = window.controller
    c.spawn(c.open_paths([str(media["ads"])], index=False))  # not indexed: the summary runs the evidence first
    spin(lambda: c.current is not None, what="the video")
    shown: list[str] = []
    window.questions.progress_label.setText("")
    window.engine.answer_progress.connect(lambda _job, p: shown.append(window.questions.progress_label.text()))
    window.questions.preset_buttons["summary"].click()
    spin(lambda: any(" %" in s for s in shown), what="summary progress with a percentage")
    assert window.questions.progress_bar.isVisibleTo(window) and window.questions.stop_button.isEnabled()
    assert not any(s.startswith(("frames", "audio")) for s in shown)  # words, not internal stage names
    window.questions.stop_button.click()
    spin(lambda: c.ask_task is None, what="the summary to stop")
    assert not window.questions.progress_bar.isVisibleTo(window)
    assert "cancel" in window.questions.answer.toPlainText().lower()


def test_zooming_in_decodes_frames_for_the_visible_span(window: Any, media: Any, spin: Spin) -> None:
    c = window.controller
    c.spawn(c.open_paths([str(media["ads"])], index=False))
    spin(lambda: len(window.timeline.thumbs) == 48, what="the overview strip")
    tl = window.timeline
    before = {th.t_s for th in tl.thumbs}
    tl.zoom_by(8.0, anchor_s=30.0)
    a, b = tl.view_start_s, tl.view_start_s + tl.visible_s
    spin(lambda: len(tl.thumbs) > 48, what="frames for the zoomed span")
    new = [th.t_s for th in tl.thumbs if th.t_s not in before]
    assert new and all(a <= t <= b for t in new)
    visible = [th.t_s for th in tl.thumbs if a <= th.t_s <= b]
    assert len(visible) >= 2 * len([t for t in before if a <= t <= b])
    assert [th.t_s for th in tl.thumbs] == sorted(th.t_s for th in tl.thumbs)


def test_save_dialogs_start_beside_the_video(window: Any, media: Any, spin: Spin, monkeypatch: Any) -> None:
    drop(window, media["clip"])
    spin(lambda: window.controller.current is not None, what="the video")
    starts: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda _parent, _title, start, *a, **k: (starts.append(start) or "", ""))
    window.export_report("pdf")
    window.export_segments("edl", "ad")
    folder = media["clip"].resolve().parent
    assert [Path(s) for s in starts] == [folder / "clip.pdf", folder / "clip.ad.edl"]


def test_dragging_on_the_ranges_row_makes_a_range(window: Any, media: Any, spin: Spin) -> None:
    drop(window, media["clip"])
    spin(lambda: indexed(window), what="indexing")
    tl = window.timeline
    y = int(tl._rows()["ranges"].center().y())
    QTest.mousePress(tl, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(int(tl.x_of(1.0)), y))
    QTest.mouseMove(tl, QPoint(int(tl.x_of(2.5)), y))
    QTest.mouseRelease(tl, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(int(tl.x_of(2.5)), y))
    spin(lambda: window.editor.segments and window.editor.pending == 0, what="the new range")
    (seg,) = window.editor.segments.values()
    assert seg.kind == "mark" and abs(seg.start_s - 1.0) < 0.1 and abs(seg.end_s - 2.5) < 0.1
    window.editor.stack.undo()
    assert not window.editor.segments
