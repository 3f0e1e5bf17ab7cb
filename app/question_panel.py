"""Questions: presets and a free question, the streamed answer with every time as a seek link, the moments
found (thumbnail, time range, score, reasons), and the video's past questions."""

from __future__ import annotations

import html

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.icons import icon
from app.timefmt import linkify, seek_target
from core.results import Answer, Moment
from core.timefmt import clock

PRESETS = (("ads", "Find the ads", "ads"), ("summary", "Summarise", "summary"), ("find", "Find a moment…", "find"))
MOMENT_THUMB = QSize(80, 45)


class QuestionPanel(QWidget):
    ask_requested = Signal(str, str)  # kind (ask, find, ads, summary), text
    seek_requested = Signal(float)
    moment_chosen = Signal(object)  # Moment
    past_chosen = Signal(int)  # query id
    cancel_requested = Signal()

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
        self.question.setPlaceholderText("Ask anything about the video…")
        self.question.returnPressed.connect(self._submit)
        self.ask_button = QPushButton(icon("ask"), "Ask", self)
        self.ask_button.clicked.connect(self._submit)
        self.stop_button = QPushButton(icon("stop"), "", self)
        self.stop_button.setToolTip("Stop answering")
        self.stop_button.clicked.connect(self.cancel_requested)
        self.stop_button.setEnabled(False)
        ask_row = QHBoxLayout()
        ask_row.addWidget(self.question, 1)
        ask_row.addWidget(self.ask_button)
        ask_row.addWidget(self.stop_button)
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
        lay.addWidget(self.past)
        lay.addWidget(self.answer, 3)
        moments_title = QLabel("Moments", self)
        moments_title.setObjectName("panelTitle")
        lay.addWidget(moments_title)
        lay.addWidget(self.moments, 2)
        self.set_enabled(False)

    # ---- input ---------------------------------------------------------------------------------------------------
    def _preset(self, kind: str) -> None:
        if kind == "find":
            self._find_mode = True
            self.question.setPlaceholderText("Describe the moment to find, then press Enter…")
            self.question.setFocus()
            return
        self.ask_requested.emit(kind, self.preset_buttons[kind].text())

    def _submit(self) -> None:
        text = self.question.text().strip()
        if not text:
            return
        self.ask_requested.emit("find" if self._find_mode else "ask", text)
        self._find_mode = False
        self.question.setPlaceholderText("Ask anything about the video…")

    def set_enabled(self, enabled: bool) -> None:
        for w in (*self.preset_buttons.values(), self.question, self.ask_button, self.past):
            w.setEnabled(enabled)

    def set_busy(self, busy: bool) -> None:
        for w in (*self.preset_buttons.values(), self.ask_button):
            w.setEnabled(not busy)
        self.stop_button.setEnabled(busy)

    # ---- output --------------------------------------------------------------------------------------------------
    def start_answer(self, question: str) -> None:
        self._text = ""
        self.answer.setHtml(f"<p><b>{linkify(question)}</b></p><p><i>Working…</i></p>")
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
            from PySide6.QtGui import QIcon

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
