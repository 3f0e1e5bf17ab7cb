"""The library list: one row per video with its thumbnail, name, duration, index state and a progress bar.

Rows fit the panel's width (no horizontal scrolling): the name and the state line are elided to the width there
is, with the whole text in the tooltip. The state says how far an interrupted index got ("stopped at 43 %"),
and a row's context menu indexes, resumes or indexes again.

Above the list, a search box searches every video of the library (what is said, subtitled or written on
screen); its results replace the list until the box is cleared, and choosing one opens the video at that moment.
Beside the videos, the Queue tab (``app.queue_view``) shows the library's job queue.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPoint, QSize, Qt, Signal
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QProgressBar,
    QSizePolicy,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.icons import icon
from app.queue_view import QueueView
from app.stages import overall, pct, stage_name, state_phrase
from core.progress import Progress
from core.timefmt import clock
from core.usecases import IndexProgress, LibraryEntry, LibraryHit, LibraryMoment

THUMB = QSize(96, 54)
SOURCE_NAMES = {"speech": "said", "subtitle": "subtitle", "ocr": "on screen"}


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
    search_requested = Signal(str)  # words to find in every video
    moment_chosen = Signal(str, float)  # fingerprint, seconds: a search result was chosen

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
        self.search = QLineEdit(self)
        self.search.setObjectName("librarySearch")
        self.search.setPlaceholderText("Search every video…")
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip("Words said, subtitled or shown on screen, in any video of the library (Enter)")
        self.search.returnPressed.connect(self._search)
        self.search.textChanged.connect(lambda text: None if text.strip() else self.show_videos())
        self.results = QListWidget(self)
        self.results.setObjectName("searchResults")
        self.results.setWordWrap(True)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.itemActivated.connect(self._hit_chosen)
        self.results.itemClicked.connect(self._hit_chosen)
        self.results_note = QLabel("", self)
        self.results_note.setObjectName("placeholder")
        self.results_note.setWordWrap(True)
        results = QWidget(self)
        rl = QVBoxLayout(results)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.results_note)
        rl.addWidget(self.results, 1)
        videos = QWidget(self)
        vl = QVBoxLayout(videos)
        vl.setContentsMargins(0, 0, 0, 0)
        vl.addWidget(self.list, 1)
        vl.addWidget(self.empty, 1)
        self.queue = QueueView(self)
        self.queue.video_chosen.connect(self.video_chosen)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("libraryTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(videos, "Videos")
        self.tabs.addTab(self.queue, "Queue")
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.tabs)
        self.stack.addWidget(results)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 0, 6)
        lay.addWidget(title)
        lay.addWidget(self.search)
        lay.addWidget(self.stack, 1)
        self.rows: dict[str, LibraryRow] = {}
        self.hits: list[LibraryHit] = []
        self.places: list[tuple[str, float]] = []  # (fingerprint, seconds) of each result, in the list's order
        self.setMinimumWidth(180)
        self._sync_empty()

    # ---- library search ----------------------------------------------------------------------------------------
    def _search(self) -> None:
        text = self.search.text().strip()
        if text:
            self.results.clear()
            self.results_note.setText(f"Searching for “{text}”…")
            self.stack.setCurrentIndex(1)
            self.search_requested.emit(text)

    def show_hits(self, text: str, hits: list[LibraryHit], moments: Sequence[LibraryMoment] = ()) -> None:
        """The results of searching every video for ``text``: the word hits best first, then moments found by
        meaning (one entry per moment; choosing one opens the video there)."""
        self.places = [(h.video, h.hit.start_s) for h in hits] + [(m.video, m.moment.start) for m in moments]
        self.hits = list(hits)
        self.results.clear()
        n = len(self.places)
        videos = len({fp for fp, _t in self.places})
        self.results_note.setText(
            f"No video says or shows “{text}”." if not n else
            f"{n} moment{'s' * (n != 1)} in {videos} video{'s' * (videos != 1)} — choose one to play it")
        for h in hits:
            words = " ".join((h.hit.snippet or h.hit.text).split())
            self._add_result(f"{h.name} · {clock(h.hit.start_s)} · {SOURCE_NAMES.get(h.hit.source, h.hit.source)}"
                             f"\n{words}", f"{h.path}\n{h.hit.text}")
        for m in moments:
            said = m.moment.why[0] if m.moment.why else m.moment.label  # 'subtitle [0:45]: "…" (meaning 0.61…)'
            self._add_result(f"{m.name} · {clock(m.moment.start)} · by meaning\n{' '.join(said.split())}",
                             f"{m.path}\n" + "\n".join(m.moment.why))
        self.stack.setCurrentIndex(1)

    def _add_result(self, text: str, tip: str) -> None:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, self.results.count())
        item.setToolTip(tip)
        self.results.addItem(item)

    def show_search_error(self, text: str) -> None:
        self.results.clear()
        self.results_note.setText(text)
        self.stack.setCurrentIndex(1)

    def show_videos(self) -> None:
        """Back from the search results to the library's videos and queue."""
        self.stack.setCurrentIndex(0)

    def show_queue(self) -> None:
        self.show_videos()
        self.tabs.setCurrentWidget(self.queue)

    def set_queue_count(self, waiting: int) -> None:
        self.tabs.setTabText(1, f"Queue ({waiting})" if waiting else "Queue")

    def _hit_chosen(self, item: QListWidgetItem) -> None:
        i = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(i, int) and 0 <= i < len(self.places):
            fp, t = self.places[i]
            self.moment_chosen.emit(fp, t)

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
