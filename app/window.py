"""The main window: builds the panels, menus and shortcuts, and routes their signals to the controller.

What a person set up survives a restart: the window's size and panel widths, the video that was open, and (in
the database) the library with each video's index state; interrupted indexes are offered for resuming.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.banner import Banner
from app.controller import Controller
from app.engine import Engine
from app.icons import icon
from app.index_panel import IndexPanel
from app.library_flows import LibraryFlows
from app.library_panel import LibraryPanel
from app.player import Player
from app.question_panel import QuestionPanel
from app.segment_edits import SegmentEditor
from app.settings import load_settings, save_settings
from app.settings_dialog import SettingsDialog
from app.timeline import Timeline
from core.usecases import REPORT_FORMATS, SEGMENT_FORMATS, Settings

RECENT_KEY, MAX_RECENT = "recent_files", 10
GEOMETRY_KEY, SPLIT_KEY, LAST_VIDEO_KEY = "window/geometry", "window/splitter", "window/last_video"
EXPORT_KINDS = (("Ads", "ad"), ("Chapters", "chapter"), ("Found moments", "event"), ("All ranges", ""))


class MainWindow(QMainWindow):
    def __init__(self, qsettings: QSettings | None = None, settings: Settings | None = None) -> None:
        super().__init__()
        self.qsettings = qsettings or QSettings("Longwatch", "Longwatch")
        self.engine = Engine(settings or load_settings(self.qsettings), self)
        self.setWindowTitle("Longwatch")
        self.setWindowIcon(icon("longwatch"))
        self.setAcceptDrops(True)
        self.resize(1500, 920)
        self.banner = Banner(self)
        self.library = LibraryPanel(self)
        self.player = Player(self)
        self.timeline = Timeline(self)
        self.index_panel = IndexPanel(self)
        self.questions = QuestionPanel(self)
        self.editor = SegmentEditor(self.engine, self.timeline, self)
        self.controller = Controller(self.engine, self.library, self.player, self.timeline, self.index_panel,
                                     self.questions, self.editor, self)
        self.flows = LibraryFlows(self.engine, self.controller, self.library, self)
        self._closing = False
        self.ask_on_close = True  # False: closing while indexing stops without asking (--quit-after)
        self._layout()
        self._menus()
        self._route()
        self._restore()
        self._starting = self.controller.spawn(self._start_up())

    async def _start_up(self) -> None:
        """Load the library; reopen the video that was open when the window last closed (paused)."""
        await self.controller.start_up()
        if not self._closing:
            self.engine.start_background()
            self.flows.start()
        last = self.qsettings.value(LAST_VIDEO_KEY)
        if isinstance(last, str) and last in self.library.rows and self.controller.current is None:
            path = self.controller.paths.get(last, "")
            if Path(path).is_file():
                await self.controller.choose(last)

    def _restore(self) -> None:
        geometry = self.qsettings.value(GEOMETRY_KEY)
        if geometry is not None:
            self.restoreGeometry(geometry)
        split = self.qsettings.value(SPLIT_KEY)
        if split is not None:
            self.split.restoreState(split)

    def _save_state(self) -> None:
        self.qsettings.setValue(GEOMETRY_KEY, self.saveGeometry())
        self.qsettings.setValue(SPLIT_KEY, self.split.saveState())
        current = self.controller.current
        if current is not None:
            self.qsettings.setValue(LAST_VIDEO_KEY, current.fingerprint)
        self.qsettings.sync()

    def _layout(self) -> None:
        middle = QWidget(self)
        mid = QVBoxLayout(middle)
        mid.setContentsMargins(0, 0, 0, 0)
        mid.addWidget(self.player, 1)
        mid.addWidget(self.timeline)
        side = QWidget(self)
        side.setObjectName("sidePanel")
        sl = QVBoxLayout(side)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(self.index_panel)
        sl.addWidget(self.questions, 1)
        split = self.split = QSplitter(Qt.Orientation.Horizontal, self)
        split.setObjectName("mainSplitter")
        for w in (self.library, middle, side):
            split.addWidget(w)
        split.setSizes([290, 800, 410])
        split.setStretchFactor(1, 1)
        split.setCollapsible(1, False)
        central = QWidget(self)
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.banner)
        lay.addWidget(split, 1)
        self.setCentralWidget(central)

    def _action(self, menu: QMenu, text: str, slot: object, shortcut: str | QKeySequence | QKeySequence.StandardKey | None = None) -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(slot)
        menu.addAction(act)
        return act

    def _menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self._action(file, "&Open…", self.open_dialog, QKeySequence.StandardKey.Open).setIcon(icon("open"))
        self._action(file, "Open &folder…", self.open_folder_dialog)
        self._action(file, "&Add a folder to the queue…", self.queue_folder_dialog)
        self._action(file, "Show the &queue", self.library.show_queue, "Ctrl+Shift+Q")
        self.recent_menu = file.addMenu("Open &recent")
        self.export_menu = file.addMenu(icon("export"), "&Export")
        file.addSeparator()
        self._action(file, "&Settings…", self.open_settings, "Ctrl+,").setIcon(icon("settings"))
        file.addSeparator()
        self._action(file, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        edit = bar.addMenu("&Edit")
        undo = self.editor.stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.editor.stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        edit.addActions([undo, redo])
        edit.addSeparator()
        self._action(edit, "&Mark a range here", self.add_mark, "M")
        self._action(edit, "&Relabel range…", lambda: self.relabel(self.timeline.selected), "F2")
        self._action(edit, "&Delete range", lambda: self.editor.delete(self.timeline.selected), "Del")
        play = bar.addMenu("&Playback")
        self._action(play, "Play / pause", self.player.toggle, "Space")
        self._action(play, "Back 5 s", lambda: self.player.step(-5), "Left")
        self._action(play, "Forward 5 s", lambda: self.player.step(5), "Right")
        for key, text in (("J", "Back 10 s"), ("K", "Pause"), ("L", "Play / faster")):
            self._action(play, text, lambda _=False, k=key: self.player.jkl(k.lower()), key)
        self._action(play, "Previous marker", lambda: self.jump_marker(-1), "[")
        self._action(play, "Next marker", lambda: self.jump_marker(1), "]")
        self._action(play, "Zoom in", lambda: self.timeline.zoom_by(1.5), "Ctrl+=")
        self._action(play, "Zoom out", lambda: self.timeline.zoom_by(1 / 1.5), "Ctrl+-")
        self._fill_recent()
        self._fill_export()

    def _route(self) -> None:
        c = self.controller
        c.message.connect(self._message)
        c.opened.connect(self._remember)
        c.resumable.connect(self._offer_resume)
        self.editor.failed.connect(lambda text: self.banner.show_message(text, "error"))
        self.library.video_chosen.connect(lambda fp: c.spawn(c.choose(fp)))
        self.library.index_requested.connect(self.request_index)
        self.player.position_changed.connect(self.timeline.set_position)
        self.player.duration_changed.connect(lambda d: self.timeline.set_duration(d) if d > 0 else None)
        self.player.error.connect(lambda text: self.banner.show_message(f"Player: {text}", "warning"))
        self.timeline.seek_requested.connect(self.player.seek)
        self.timeline.range_resized.connect(self.editor.resize)
        self.timeline.relabel_requested.connect(self.relabel)
        self.timeline.delete_requested.connect(self.editor.delete)
        self.timeline.range_created.connect(lambda a, b: c.spawn(self.editor.add("mark", "mark", a, b)))
        self.index_panel.index_requested.connect(
            lambda fresh: self.request_index(c.current.fingerprint, fresh) if c.current is not None else None)
        self.index_panel.cancel_requested.connect(c.cancel_index)
        self.questions.ask_requested.connect(c.ask)
        self.questions.seek_requested.connect(self.player.seek)
        self.questions.moment_chosen.connect(c.go_to_moment)
        self.questions.past_chosen.connect(c.reopen_past)
        self.questions.cancel_requested.connect(c.cancel_question)
        self.questions.focus_home.connect(self.focus_home)
        self.player.view.clicked.connect(self.focus_home)

    def _message(self, text: str, level: str) -> None:
        if level == "clear":
            self.banner.clear()
        else:
            self.banner.show_message(text, level)

    def _offer_resume(self, stopped: list[tuple[str, str, float]]) -> None:
        from app.stages import pct

        first = f"{stopped[0][1]} ({pct(stopped[0][2])} done)"
        text = (f"Indexing of {first} was interrupted." if len(stopped) == 1 else
                f"Indexing of {len(stopped)} videos was interrupted: {first} and {len(stopped) - 1} more.")
        self.banner.show_message(text + " Everything indexed so far is kept.", "info", "Resume indexing",
                                 lambda: self.controller.resume_all([fp for fp, _, _ in stopped]))

    def focus_home(self) -> None:
        """Give the keyboard back to playback (the timeline has the focus; the window's keys then work)."""
        self.timeline.setFocus(Qt.FocusReason.OtherFocusReason)

    def request_index(self, fp: str, fresh: bool) -> None:
        """Index or resume ``fp``; ``fresh`` (an indexed video): ask first, then index it again from scratch."""
        if fresh and not self.confirm_reindex(self.controller.names.get(fp, "this video")):
            return
        self.controller.index_video(fp, fresh)

    def confirm_reindex(self, name: str) -> bool:
        """Asked before indexing an indexed video again; tests replace it."""
        answer = QMessageBox.question(
            self, "Index again?",
            f"{name} is already indexed with these settings. Index it again from scratch? Its evidence"
            + (" and video-LLM memory are" if self.engine.settings.has_model else " is")
            + " computed anew; answers and edited ranges are kept.")
        return answer == QMessageBox.StandardButton.Yes

    # ---- files ---------------------------------------------------------------------------------------------------
    def open_paths(self, paths: list[str]) -> asyncio.Task[None]:
        """Open files or folders; only the files that open go to Open recent."""
        return self.controller.spawn(self.controller.open_paths(paths))

    def open_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Open videos", "", "Videos (*.mp4 *.mkv *.mov *.avi *.webm "
                                                "*.ts *.m4v *.mpg *.wmv);;All files (*)")
        if files:
            self.open_paths(files)

    def open_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a folder of videos")
        if folder:
            self.open_paths([folder])

    def queue_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of videos to the queue")
        if folder:
            self.queue_paths([folder])

    def queue_paths(self, paths: list[str]) -> asyncio.Task[None]:
        """Queue every video in these files or folders for the background worker (not opened one by one)."""
        return self.controller.spawn(self.flows.queue_paths(paths))

    def _remember(self, paths: list[str]) -> None:
        recent = [str(Path(p).resolve()) for p in paths]
        old = self.qsettings.value(RECENT_KEY) or []
        old = [old] if isinstance(old, str) else list(old)
        merged = list(dict.fromkeys(recent + old))[:MAX_RECENT]
        self.qsettings.setValue(RECENT_KEY, merged)
        self._fill_recent()

    def recent_files(self) -> list[str]:
        v = self.qsettings.value(RECENT_KEY) or []
        return [v] if isinstance(v, str) else list(v)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for p in self.recent_files():
            self._action(self.recent_menu, p, lambda _=False, path=p: self.open_paths([path]))
        self.recent_menu.setEnabled(bool(self.recent_files()))

    def _fill_export(self) -> None:
        self.export_menu.clear()
        for title, kind in EXPORT_KINDS:
            sub = self.export_menu.addMenu(title)
            for fmt in SEGMENT_FORMATS:
                self._action(sub, fmt.upper(), lambda _=False, f=fmt, k=kind: self.export_segments(f, k))
        self.export_menu.addSeparator()
        for fmt in REPORT_FORMATS:
            self._action(self.export_menu, f"Report as {fmt.upper()}…", lambda _=False, f=fmt: self.export_report(f))

    def export_segments(self, fmt: str, kind: str) -> None:
        if self.controller.current is None:
            self.banner.show_message("Open a video first.", "warning")
            return
        name = Path(self.controller.current.name).stem + (f".{kind}" if kind else "") + f".{fmt}"
        target, _ = QFileDialog.getSaveFileName(self, "Export segments", self.beside_video(name))
        if target:
            self.controller.spawn(self.controller.export_segments(fmt, kind, target))

    def export_report(self, fmt: str) -> None:
        current = self.controller.current
        if current is None:
            self.banner.show_message("Open a video first.", "warning")
            return
        target, _ = QFileDialog.getSaveFileName(self, "Export report",
                                                self.beside_video(f"{Path(current.name).stem}.{fmt}"))
        if target:
            self.controller.spawn(self.controller.export_report(target, fmt))

    def beside_video(self, name: str) -> str:
        """Where a save dialog starts: ``name`` in the open video's folder (when that folder is still there)."""
        current = self.controller.current
        folder = Path(current.path).parent if current is not None else Path.home()
        return str((folder if folder.is_dir() else Path.home()) / name)

    # ---- editing and playback -----------------------------------------------------------------------------------
    def relabel(self, segment_id: int) -> None:
        seg = self.editor.segments.get(segment_id)
        if seg is None:
            return
        label, ok = QInputDialog.getText(self, "Relabel range", "Label:", text=seg.label)
        if ok and label.strip():
            self.editor.relabel(segment_id, label.strip())

    def add_mark(self) -> None:
        t = self.player.position_s
        end = min(self.timeline.duration_s, t + 10.0)
        self.controller.spawn(self.editor.add("mark", "mark", t, end))

    def jump_marker(self, direction: int) -> None:
        t = self.timeline.next_marker(self.player.position_s, direction)
        if t is not None:
            self.player.seek(t)

    def open_settings(self) -> None:
        dlg = SettingsDialog(self.engine.settings, self.engine, self)
        dlg.refresh_memory()
        if dlg.exec() and dlg.result_settings is not None:
            save_settings(self.qsettings, dlg.result_settings)
            self.engine.set_settings(dlg.result_settings)
            self.controller.spawn(self.controller.refresh_library())
            self.flows.refresh_soon()

    # ---- drag and drop, closing ---------------------------------------------------------------------------------
    def dragEnterEvent(self, e: QDragEnterEvent) -> None:
        if e.mimeData().hasUrls():
            e.acceptProposedAction()

    def dropEvent(self, e: QDropEvent) -> None:
        """Dropped files open (and are indexed); dropped folders go to the queue when it runs in the background
        (a folder of recordings is a batch, not something to watch one by one), else they open too."""
        paths = [u.toLocalFile() for u in e.mimeData().urls() if u.isLocalFile()]
        if not paths:
            return
        e.acceptProposedAction()
        folders = [p for p in paths if Path(p).is_dir()] if self.engine.settings.background_queue else []
        files = [p for p in paths if p not in folders]
        if folders:
            self.queue_paths(folders)
        if files:
            self.open_paths(files)

    def confirm_stop(self) -> bool:
        """Asked when closing while indexing; tests replace it."""
        answer = QMessageBox.question(
            self, "Indexing is running",
            "A video is being indexed. Stop and quit? Everything indexed so far is kept and resumes next time.")
        return answer == QMessageBox.StandardButton.Yes

    def closeEvent(self, e: QCloseEvent) -> None:
        if self._closing:
            e.accept()
            return
        if self.controller.index_task is not None and self.ask_on_close and not self.confirm_stop():
            e.ignore()
            return
        e.ignore()
        self._closing = True
        self._save_state()
        self.controller.spawn(self._shutdown())

    async def _shutdown(self) -> None:
        self.flows.stop()
        self.index_panel.set_cancelling()
        await self.controller.stop_all()
        self.player.unload()
        self.engine.shutdown(wait=True)
        self.close()
