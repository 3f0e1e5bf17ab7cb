"""The library list: one row per video with its thumbnail, name, duration, index state and a progress bar."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from app.icons import icon
from core.timefmt import clock
from core.usecases import LibraryEntry

STATE_TEXT = {None: "not indexed", "pending": "queued", "running": "interrupted — resume", "done": "indexed",
              "failed": "failed", "cancelled": "cancelled — resume"}
THUMB = QSize(96, 54)


class LibraryRow(QWidget):
    def __init__(self, entry: LibraryEntry, has_model: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fingerprint = entry.fingerprint
        self.thumb = QLabel(self)
        self.thumb.setFixedSize(THUMB)
        self.thumb.setPixmap(icon("video").pixmap(THUMB))
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumb.setObjectName("libraryThumb")
        self.name = QLabel(entry.name, self)
        self.name.setObjectName("libraryName")
        self.name.setToolTip(entry.path)
        self.meta = QLabel(self)
        self.meta.setObjectName("libraryMeta")
        self.bar = QProgressBar(self)
        self.bar.setMaximumHeight(6)
        self.bar.setTextVisible(False)
        self.bar.setRange(0, 1000)
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.name)
        text.addWidget(self.meta)
        text.addWidget(self.bar)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.addWidget(self.thumb)
        lay.addLayout(text, 1)
        self.update_entry(entry, has_model)

    def update_entry(self, entry: LibraryEntry, has_model: bool) -> None:
        """The state that matters: the video-LLM index when a model is configured, else the evidence pass."""
        state = entry.memory_state if has_model else entry.evidence_state
        self.duration = clock(entry.duration_s)
        self.meta.setText(f"{self.duration} · {STATE_TEXT.get(state, state or '')}")
        self.bar.setVisible(state not in (None, "done"))
        self.bar.setValue(1000 if state == "done" else self.bar.value())

    def set_progress(self, fraction: float | None, text: str) -> None:
        self.bar.setVisible(True)
        if fraction is None:
            self.bar.setRange(0, 0)
        else:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(fraction * 1000))
        self.meta.setText(f"{self.duration} · {text}")

    def set_thumbnail(self, pixmap: QPixmap) -> None:
        self.thumb.setPixmap(pixmap.scaled(THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation))


class LibraryPanel(QWidget):
    video_chosen = Signal(str)  # fingerprint

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget(self)
        self.list.setObjectName("library")
        self.list.setSpacing(1)
        self.list.currentItemChanged.connect(self._chosen)
        title = QLabel("Library", self)
        title.setObjectName("panelTitle")
        self.empty = QLabel("No videos yet.\nDrop files or a folder here.", self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setObjectName("placeholder")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 0, 6)
        lay.addWidget(title)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.empty, 1)
        self.rows: dict[str, LibraryRow] = {}
        self._sync_empty()

    def set_entries(self, entries: list[LibraryEntry], has_model: bool) -> None:
        for e in entries:
            row = self.rows.get(e.fingerprint)
            if row is not None:
                row.update_entry(e, has_model)
                continue
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, e.fingerprint)
            row = LibraryRow(e, has_model, self.list)
            item.setSizeHint(row.sizeHint())
            self.list.addItem(item)
            self.list.setItemWidget(item, row)
            self.rows[e.fingerprint] = row
        self._sync_empty()

    def select(self, fingerprint: str) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == fingerprint:
                if self.list.currentItem() is not item:
                    self.list.setCurrentItem(item)
                return

    def current(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def _chosen(self, item: QListWidgetItem | None, _prev: QListWidgetItem | None) -> None:
        if item is not None:
            self.video_chosen.emit(str(item.data(Qt.ItemDataRole.UserRole)))

    def _sync_empty(self) -> None:
        self.empty.setVisible(not self.rows)
        self.list.setVisible(bool(self.rows))
