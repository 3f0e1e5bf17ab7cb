"""Questions: presets and a free question, the streamed answer with every time as a seek link, the moments
found (thumbnail, time range, score, reasons), and the video's past questions.

Long answers (a summary of a film takes minutes without a GPU) show the same progress as indexing: the stage in
words, a bar, rate and time left, and Cancel. Asking hands the keyboard back to the player (``focus_home``), so
Space, the arrows and ``[`` ``]`` control playback again instead of typing into the question box; Escape in
the box does the same.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QIcon, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.icons import icon
from app.stages import rate_line, stage_line
from app.timefmt import linkify, seek_target
from core.progress import Progress
from core.results import Answer, Moment
from core.timefmt import clock

PRESETS = (("ads", "Find the ads", "ads"), ("summary", "Summarise", "summary"), ("find", "Find a moment…", "find"))
MOMENT_THUMB = QSize(80, 45)
ASK_HINT, FIND_HINT = "Ask anything about the video…", "Describe the moment to find…"


class QuestionPanel(QWidget):
    ask_requested = Signal(str, str)  # kind (ask, find, ads, summary), text
    seek_requested = Signal(float)
    moment_chosen = Signal(object)  # Moment
    past_chosen = Signal(int)  # query id
    cancel_requested = Signal()
    focus_home = Signal()  # the keyboard should go back to the player / timeline

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._moments: list[Moment] = []
        self._text = ""
        self._find_mode = False
        title = QLabel("Ask", self)
        title.setObjectName("panelTitle")
        presets = QHBoxLayout()
        self.preset_buttons: dict[str, QPushButton] = {}
        for kind, label, ico in PRESETS:
            b = QPushButton(icon(ico), label, self)
            b.clicked.connect(lambda _=False, k=kind: self._preset(k))
            presets.addWidget(b)
            self.preset_buttons[kind] = b
        self.question = QLineEdit(self)
        self.question.setPlaceholderText(ASK_HINT)
        self.question.setToolTip("A question about the video, then Enter (Escape goes back to the player)")
        self.question.returnPressed.connect(self._submit)
        self.question.installEventFilter(self)
        self.ask_button = QPushButton(icon("ask"), "Ask", self)
        self.ask_button.clicked.connect(self._submit)
        self.stop_button = QPushButton(icon("stop"), "Cancel", self)
        self.stop_button.setToolTip("Stop answering")
        self.stop_button.clicked.connect(self.cancel_requested)
        self.stop_button.setEnabled(False)
        ask_row = QHBoxLayout()
        ask_row.addWidget(self.question, 1)
        ask_row.addWidget(self.ask_button)
        self.stop_button.hide()
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setMaximumHeight(8)
        self.progress_label = QLabel("", self)
        self.progress_label.setObjectName("rateLabel")
        self.progress_label.setWordWrap(True)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress_bar, 1)
        progress_row.addWidget(self.stop_button)
        self.answer = QTextBrowser(self)
        self.answer.setObjectName("answer")
        self.answer.setOpenLinks(False)
        self.answer.setOpenExternalLinks(False)
        self.answer.anchorClicked.connect(self._link)
        self.answer.setPlaceholderText("Answers appear here; click a time to seek.")
        self.moments = QListWidget(self)
        self.moments.setObjectName("moments")
        self.moments.setIconSize(MOMENT_THUMB)
        self.moments.setWordWrap(True)
        self.moments.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.moments.itemClicked.connect(self._moment_clicked)
        self.moments.itemActivated.connect(self._moment_clicked)
        self.past = QComboBox(self)
        self.past.setPlaceholderText("Past questions for this video")
        self.past.activated.connect(self._past)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        lay.addWidget(title)
        lay.addLayout(presets)
        lay.addLayout(ask_row)
        lay.addLayout(progress_row)
        lay.addWidget(self.progress_label)
        lay.addWidget(self.past)
        lay.addWidget(self.answer, 3)
        moments_title = QLabel("Moments", self)
        moments_title.setObjectName("panelTitle")
        lay.addWidget(moments_title)
        lay.addWidget(self.moments, 2)
        self.set_enabled(False)
        self._show_progress_row(False)

    # ---- input ---------------------------------------------------------------------------------------------------
    def _preset(self, kind: str) -> None:
        if kind == "find":
            self._find_mode = True
            self.question.setPlaceholderText(FIND_HINT)
            self.question.setToolTip("Describe the moment to find, then press Enter")
            self.question.setFocus()
            return
        self.ask_requested.emit(kind, self.preset_buttons[kind].text())
        self.focus_home.emit()

    def _submit(self) -> None:
        text = self.question.text().strip()
        if not text:
            return
        self.ask_requested.emit("find" if self._find_mode else "ask", text)
        self._find_mode = False
        self.question.setPlaceholderText(ASK_HINT)
        self.focus_home.emit()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.question and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() == Qt.Key.Key_Escape:
            self._find_mode = False
            self.question.setPlaceholderText(ASK_HINT)
            self.focus_home.emit()
            return True
        return super().eventFilter(obj, event)

    def set_enabled(self, enabled: bool) -> None:
        for w in (*self.preset_buttons.values(), self.question, self.ask_button, self.past):
            w.setEnabled(enabled)

    def set_busy(self, busy: bool) -> None:
        for w in (*self.preset_buttons.values(), self.ask_button):
            w.setEnabled(not busy)
        self.stop_button.setEnabled(busy)
        self.progress_bar.setRange(0, 0)  # busy, amount unknown, until the first progress event
        self.progress_label.setText("Working…" if busy else "")
        self._show_progress_row(busy)

    def show_progress(self, p: Progress) -> None:
        """The running answer's progress: the stage in words, its fraction, rate and time left."""
        frac = p.fraction
        if frac is None:
            self.progress_bar.setRange(0, 0)
        else:
            self.progress_bar.setRange(0, 1000)
            self.progress_bar.setValue(int(frac * 1000))
        self.progress_label.setText(" · ".join(x for x in (stage_line(p), rate_line(p)) if x))

    def _show_progress_row(self, on: bool) -> None:
        for w in (self.progress_bar, self.stop_button, self.progress_label):
            w.setVisible(on)

    # ---- output --------------------------------------------------------------------------------------------------
    def start_answer(self, question: str) -> None:
        self._text = ""
        self.answer.setHtml(f"<p><b>{linkify(question)}</b></p>")
        self.moments.clear()

    def append_text(self, piece: str) -> None:
        self._text += piece
        self.answer.setHtml(linkify(self._text))

    def show_answer(self, answer: Answer) -> None:
        head = f"<p><b>{linkify(answer.question)}</b></p>" if answer.question else ""
        src = f"<p class='sources'><small>Sources: {', '.join(answer.sources)}</small></p>" if answer.sources else ""
        text = answer.text
        notes = "".join(f"<p><small><i>{html.escape(n)}</i></small></p>" for n in answer.notes if n not in text)
        self.answer.setHtml(head + f"<p>{linkify(text)}</p>" + notes + src)
        self._text = answer.text
        self.show_moments(list(answer.moments))

    def show_error(self, text: str) -> None:
        self.answer.setHtml(f"<p style='color:#e0604a'>{linkify(text)}</p>")

    def show_moments(self, moments: list[Moment]) -> None:
        self._moments = moments
        self.moments.clear()
        for i, m in enumerate(moments):
            why = "; ".join(m.why[:2])
            item = QListWidgetItem(f"{clock(m.start)}–{clock(m.end)}  ·  {m.label}  ·  {m.score:.0%}\n{why}")
            item.setData(Qt.ItemDataRole.UserRole, i)
            item.setToolTip("\n".join(m.why))
            item.setIcon(icon("video"))
            self.moments.addItem(item)

    def set_moment_thumbnail(self, index: int, pixmap: QPixmap) -> None:
        item = self.moments.item(index)
        if item is not None:
            item.setIcon(QIcon(pixmap))

    def set_past(self, entries: list[tuple[int, str]]) -> None:
        self.past.clear()
        for qid, label in entries:
            self.past.addItem(label, qid)
        self.past.setCurrentIndex(-1)

    # ---- clicks --------------------------------------------------------------------------------------------------
    def _link(self, url: QUrl) -> None:
        t = seek_target(url.toString())
        if t is not None:
            self.seek_requested.emit(t)

    def _moment_clicked(self, item: QListWidgetItem) -> None:
        m = self._moments[int(item.data(Qt.ItemDataRole.UserRole))]
        self.moment_chosen.emit(m)

    def _past(self, index: int) -> None:
        qid = self.past.itemData(index)
        if qid is not None:
            self.past_chosen.emit(int(qid))
