"""The library list: one row per video with its thumbnail, name, duration, index state and a progress bar.

Rows fit the panel's width (no horizontal scrolling): the name and the state line are elided to the width there
is, with the whole text in the tooltip. The state says how far an interrupted index got ("stopped at 43 %"),
and a row's context menu indexes, resumes or indexes again.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QSize, Qt, Signal
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QProgressBar,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.icons import icon
from app.stages import overall, pct, stage_name, state_phrase
from core.progress import Progress
from core.timefmt import clock
from core.usecases import IndexProgress, LibraryEntry

THUMB = QSize(96, 54)


class ElidedLabel(QLabel):
    """A one-line label that shortens its text with "…" to fit its width (the full text in the tooltip)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(20)
        self.set_full_text(text)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, e: QResizeEvent) -> None:
        super().resizeEvent(e)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, max(20, self.width()))
        super().setText(shown)
        self.setToolTip(self._full if shown != self._full else "")


class LibraryRow(QWidget):
    def __init__(self, entry: LibraryEntry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fingerprint = entry.fingerprint
        self.path = entry.path
        self.state: str | None = None
        self.fraction = 0.0
        self.thumb = QLabel(self)
        self.thumb.setFixedSize(THUMB)
        self.thumb.setPixmap(icon("video").pixmap(THUMB))
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumb.setObjectName("libraryThumb")
        self.name = ElidedLabel(entry.name, self)
        self.name.setObjectName("libraryName")
        self.meta = ElidedLabel("", self)
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
        self.duration = clock(entry.duration_s)

    def set_stored(self, progress: IndexProgress | None, queued: bool = False) -> None:
        """Show the stored index state (and whether the video waits in the queue)."""
        self.state = progress.state if progress else None
        self.fraction = progress.fraction if progress else 0.0
        phrase = "queued" if queued else state_phrase(self.state, self.fraction)
        self.meta.set_full_text(f"{self.duration} · {phrase}")
        self.bar.setRange(0, 1000)
        self.bar.setValue(int(self.fraction * 1000))
        self.bar.setVisible(self.state not in (None, "done") or queued)

    def set_progress(self, p: Progress) -> None:
        """Live indexing: the overall fraction on the bar, the stage in words."""
        self.bar.setVisible(True)
        frac = overall(p)
        if frac is None:
            self.bar.setRange(0, 0)
        else:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(frac * 1000))
            self.fraction = frac
        what = p.message or "Done" if p.stage == "done" else stage_name(p.stage)
        # the number first: when the row is narrow, eliding shortens the stage name, not how far it got
        self.meta.set_full_text(f"{self.duration} · " + (f"{pct(frac)} · " if frac is not None else "") + what)

    def set_thumbnail(self, pixmap: QPixmap) -> None:
        self.thumb.setPixmap(pixmap.scaled(THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation))


class LibraryPanel(QWidget):
    video_chosen = Signal(str)  # fingerprint
    index_requested = Signal(str, bool)  # fingerprint, fresh (index again from scratch)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget(self)
        self.list.setObjectName("library")
        self.list.setSpacing(1)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        self.list.currentItemChanged.connect(self._chosen)
        title = QLabel("Library", self)
        title.setObjectName("panelTitle")
        self.empty = QLabel("No videos yet.\nDrop files or a folder here.", self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setObjectName("placeholder")
        self.empty.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 0, 6)
        lay.addWidget(title)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.empty, 1)
        self.rows: dict[str, LibraryRow] = {}
        self.setMinimumWidth(180)
        self._sync_empty()

    def set_entries(self, entries: list[LibraryEntry]) -> list[str]:
        """Add rows for videos not shown yet; returns their fingerprints."""
        fresh = []
        for e in entries:
            if e.fingerprint in self.rows:
                continue
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, e.fingerprint)
            row = LibraryRow(e, self.list)
            item.setSizeHint(QSize(40, row.sizeHint().height()))  # the width follows the list's (Adjust)
            self.list.addItem(item)
            self.list.setItemWidget(item, row)
            self.rows[e.fingerprint] = row
            fresh.append(e.fingerprint)
        self._sync_empty()
        return fresh

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

    def menu_for(self, fingerprint: str) -> QMenu:
        """The row's context menu: index, resume or index again, as its state allows."""
        row = self.rows[fingerprint]
        menu = QMenu(self)
        if row.state == "done":
            menu.addAction("Index again from scratch…", lambda: self.index_requested.emit(fingerprint, True))
        elif row.fraction > 0:
            menu.addAction(f"Resume indexing ({pct(row.fraction)} done)",
                           lambda: self.index_requested.emit(fingerprint, False))
        else:
            menu.addAction("Index", lambda: self.index_requested.emit(fingerprint, False))
        menu.addAction("Open", lambda: self.video_chosen.emit(fingerprint))
        return menu

    def _menu(self, pos: QPoint) -> None:
        item = self.list.itemAt(pos)
        if item is not None:
            self.menu_for(str(item.data(Qt.ItemDataRole.UserRole))).popup(self.list.viewport().mapToGlobal(pos))

    def _chosen(self, item: QListWidgetItem | None, _prev: QListWidgetItem | None) -> None:
        if item is not None:
            self.video_chosen.emit(str(item.data(Qt.ItemDataRole.UserRole)))

    def _sync_empty(self) -> None:
        self.empty.setVisible(not self.rows)
        self.list.setVisible(bool(self.rows))
