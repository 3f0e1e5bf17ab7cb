"""The Queue view of the Library panel: every job of the library's queue (what the app, the watch folders and
``longwatch-cli queue`` added), in the order they run, with what each is doing or why it failed.

A person can pause or resume the whole queue, and pause, resume, cancel, retry or move up and down the selected
job (buttons, the context menu, or Ctrl+Up / Ctrl+Down). The view only shows and asks: ``app.library_flows``
reads the queue from the engine and carries out what is asked.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.stages import pct, stage_name
from core.usecases import Job

KIND_NAMES = {"evidence": "Evidence", "index": "Video-LLM", "ads": "Ads", "summary": "Summary"}
WAITING = ("queued", "paused")
# action -> (button text, the states it applies to)
ACTIONS = {
    "pause": ("Pause", ("queued", "running")),
    "resume": ("Resume", ("paused",)),
    "cancel": ("Cancel", ("queued", "running", "paused")),
    "retry": ("Retry", ("failed", "cancelled")),
}


def job_state(job: Job) -> str:
    """What a job is doing, in a few words: 'Speech — 40 %', 'waiting', 'failed: <why>'."""
    if job.state == "running":
        if job.request == "pause":
            return "pausing…"
        if job.request == "cancel":
            return "cancelling…"
        if job.stage:
            frac = job.fraction
            return stage_name(job.stage) + (f" — {pct(frac)}" if frac is not None else "")
        return "starting…"
    if job.state == "queued":
        return "waiting" + (f" (try {job.attempts + 1} of {job.max_attempts})" if job.attempts else "")
    if job.state == "failed":
        return f"failed: {job.error}" if job.error else "failed"
    return {"paused": "paused", "done": "done", "cancelled": "cancelled"}.get(job.state, job.state)


def counts_line(jobs: list[Job], paused: bool) -> str:
    """'1 running · 4 waiting · 1 failed' (states with none left out), and whether the queue is paused."""
    n = {s: sum(1 for j in jobs if j.state == s) for s in ("running", "queued", "paused", "failed")}
    parts = [f"{n['running']} running"] if n["running"] else []
    if n["queued"]:
        parts.append(f"{n['queued']} waiting")
    if n["paused"]:
        parts.append(f"{n['paused']} paused")
    if n["failed"]:
        parts.append(f"{n['failed']} failed")
    line = " · ".join(parts) or ("Nothing to do" if jobs else "The queue is empty")
    return ("Queue paused · " + line) if paused else line


class QueueView(QWidget):
    action_requested = Signal(int, str)  # job id, pause | resume | cancel | retry
    move_requested = Signal(int, int)  # job id, new place among the waiting jobs (0 = next)
    pause_queue_requested = Signal(bool)  # True: pause the whole queue
    video_chosen = Signal(str)  # fingerprint (double click)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.jobs: list[Job] = []
        self.paused = False
        self.summary = QLabel("The queue is empty", self)
        self.summary.setObjectName("queueSummary")
        self.summary.setWordWrap(True)
        self.pause_all = QPushButton("Pause queue", self)
        self.pause_all.setToolTip("Running jobs finish their current step and stop; nothing new starts")
        self.pause_all.clicked.connect(lambda: self.pause_queue_requested.emit(not self.paused))
        self.background = QLabel("", self)  # who runs the queue, which folders feed it
        self.background.setObjectName("placeholder")
        self.background.setWordWrap(True)
        self.detail = QLabel("", self)  # the selected job in full: its file, state and last error
        self.detail.setObjectName("queueDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("queue")
        self.tree.setHeaderLabels(["Video", "Job", "State"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # "news-mon…day.ts": the extension stays
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 100)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._menu)
        self.tree.currentItemChanged.connect(lambda *_: self._sync_buttons())
        self.tree.itemDoubleClicked.connect(self._double_clicked)
        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout()
        grid.setSpacing(4)
        for name, text, tip in (("up", "▲", "Run sooner (Ctrl+Up)"), ("down", "▼", "Run later (Ctrl+Down)")):
            b = QPushButton(text, self)
            b.setToolTip(tip)
            b.clicked.connect(functools.partial(self.move_selected, -1 if name == "up" else 1))
            self.buttons[name] = b
        for action, (text, _states) in ACTIONS.items():
            b = QPushButton(text, self)
            b.clicked.connect(functools.partial(self.act, action))
            self.buttons[action] = b
        for row_, names in enumerate((("up", "pause", "cancel"), ("down", "resume", "retry"))):
            for col, name in enumerate(names):
                grid.addWidget(self.buttons[name], row_, col)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.pause_all)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 4, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.background)
        lay.addWidget(self.tree, 1)
        lay.addWidget(self.detail)
        lay.addLayout(grid)
        for keys, step in (("Ctrl+Up", -1), ("Ctrl+Down", 1)):
            sc = QShortcut(QKeySequence(keys), self.tree)
            sc.setContext(Qt.ShortcutContext.WidgetShortcut)
            sc.activated.connect(lambda s=step: self.move_selected(s))
        self._sync_buttons()

    # ---- showing ---------------------------------------------------------------------------------------------
    def set_jobs(self, jobs: list[Job], paused: bool) -> None:
        """Show ``jobs`` (in run order) and whether the queue is paused; the selected job stays selected."""
        chosen = self.selected()
        self.jobs, self.paused = list(jobs), paused
        self.summary.setText(counts_line(self.jobs, paused))
        self.pause_all.setText("Resume queue" if paused else "Pause queue")
        items = {item.data(0, Qt.ItemDataRole.UserRole): item for item in self._items()}
        if list(items) != [j.id for j in self.jobs]:  # the order or the jobs changed: rebuild
            self.tree.clear()
            items = {}
            for job in self.jobs:
                item = QTreeWidgetItem(self.tree)
                item.setData(0, Qt.ItemDataRole.UserRole, job.id)
                items[job.id] = item
        for job in self.jobs:
            item = items[job.id]
            state = job_state(job)
            for col, text in enumerate((job.name, KIND_NAMES.get(job.kind, job.kind), state)):
                if item.text(col) != text:
                    item.setText(col, text)
            item.setToolTip(0, job.path)
            tip = f"{state}\nTries: {job.attempts} of {job.max_attempts} · added by {job.source}"
            item.setToolTip(2, tip)
            item.setData(2, Qt.ItemDataRole.AccessibleTextRole, state)
            if chosen is not None and job.id == chosen.id and self.tree.currentItem() is not item:
                self.tree.setCurrentItem(item)
        self._sync_buttons()

    def set_background(self, running: bool, watching: tuple[str, ...]) -> None:
        """Say whether this window runs the queue, and which folders it watches."""
        if not running:
            text = "Runs while Settings > Background is on, or with `longwatch-cli queue run`."
        elif watching:
            names = ", ".join(watching[:2]) + (f" and {len(watching) - 2} more" if len(watching) > 2 else "")
            text = f"Running in the background · watching {names}"
        else:
            text = "Running in the background · no watch folders (Settings)"
        if self.background.text() != text:
            self.background.setText(text)

    def selected(self) -> Job | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        job_id = item.data(0, Qt.ItemDataRole.UserRole)
        return next((j for j in self.jobs if j.id == job_id), None)

    def select(self, job_id: int) -> None:
        for item in self._items():
            if item.data(0, Qt.ItemDataRole.UserRole) == job_id:
                self.tree.setCurrentItem(item)
                self._sync_buttons()
                return

    def _items(self) -> list[QTreeWidgetItem]:
        items = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [item for item in items if item is not None]

    def waiting_place(self, job: Job) -> int:
        """The job's place among the waiting jobs (0 = runs next), as ``move_job`` counts them."""
        waiting = [j.id for j in self.jobs if j.state in WAITING]
        return waiting.index(job.id) if job.id in waiting else -1

    # ---- asking ----------------------------------------------------------------------------------------------
    def allowed(self, job: Job | None) -> dict[str, bool]:
        """Which buttons apply to ``job`` (all off without one)."""
        out = {a: job is not None and job.state in states for a, (_t, states) in ACTIONS.items()}
        place = self.waiting_place(job) if job is not None else -1
        n_waiting = sum(1 for j in self.jobs if j.state in WAITING)
        out["up"] = place > 0
        out["down"] = 0 <= place < n_waiting - 1
        return out

    def act(self, action: str) -> None:
        job = self.selected()
        if job is not None and self.allowed(job).get(action):
            self.action_requested.emit(job.id, action)

    def move_selected(self, step: int) -> None:
        job = self.selected()
        if job is None:
            return
        place = self.waiting_place(job)
        if place < 0 or not self.allowed(job)["up" if step < 0 else "down"]:
            return
        self.move_requested.emit(job.id, place + step)

    def menu_for(self, job: Job) -> QMenu:
        menu = QMenu(self)
        allowed = self.allowed(job)
        if allowed["up"]:
            menu.addAction("Run sooner", lambda: self.move_selected(-1))
        if allowed["down"]:
            menu.addAction("Run later", lambda: self.move_selected(1))
        for action, (text, _states) in ACTIONS.items():
            if allowed[action]:
                menu.addAction(text, functools.partial(self.act, action))
        menu.addAction("Open the video", lambda: self.video_chosen.emit(job.video))
        return menu

    def _menu(self, pos: QPoint) -> None:
        item = self.tree.itemAt(pos)
        if item is None:
            return
        self.tree.setCurrentItem(item)
        job = self.selected()
        if job is not None:
            self.menu_for(job).popup(self.tree.viewport().mapToGlobal(pos))

    def _double_clicked(self, item: QTreeWidgetItem, _col: int) -> None:
        job_id = item.data(0, Qt.ItemDataRole.UserRole)
        job = next((j for j in self.jobs if j.id == job_id), None)
        if job is not None:
            self.video_chosen.emit(job.video)

    def _sync_buttons(self) -> None:
        job = self.selected()
        for name, ok in self.allowed(job).items():
            self.buttons[name].setEnabled(ok)
        self.detail.setText("" if job is None else
                            f"{job.name} · {KIND_NAMES.get(job.kind, job.kind)} · {job_state(job)}"
                            f" · tries {job.attempts} of {job.max_attempts}")
        self.detail.setToolTip("" if job is None else job.path)
        self.detail.setVisible(job is not None)
