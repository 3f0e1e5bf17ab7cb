"""Indexing status for the current video: stage, progress bar, rate and ETA, Index/Resume/Index again, Cancel.

The bar shows the overall fraction (all passes over the film, so it does not fall back to 0 when the next pass
starts or a stopped index resumes); the line above it names the stage in words with that stage's own fraction.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QProgressBar, QPushButton, QWidget

from app.icons import icon
from app.stages import overall, pct, rate_line, stage_line
from core.progress import Progress
from core.usecases import IndexProgress

IDLE_TEXT = {None: "Not indexed yet", "done": "Indexed", "running": "Interrupted at {pct} — resume to finish",
             "cancelled": "Stopped at {pct} — resume to finish", "failed": "Failed at {pct} — try again",
             "pending": "Partly indexed ({pct}) — resume to finish"}


class IndexPanel(QWidget):
    index_requested = Signal(bool)  # fresh: index again from scratch
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("indexPanel")
        self.state: str | None = None
        self.stage = QLabel("No video open", self)
        self.stage.setObjectName("stageLabel")
        self.stage.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(True)
        self.rate = QLabel("", self)
        self.rate.setObjectName("rateLabel")
        self.note = QLabel("", self)
        self.note.setWordWrap(True)
        self.note.setObjectName("noteLabel")
        self.index_button = QPushButton(icon("index"), "Index", self)
        self.index_button.clicked.connect(lambda: self.index_requested.emit(self.state == "done"))
        self.cancel_button = QPushButton(icon("stop"), "Cancel", self)
        self.cancel_button.clicked.connect(self.cancel_requested)
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 6, 8, 6)
        grid.addWidget(self.stage, 0, 0, 1, 2)
        grid.addWidget(self.bar, 1, 0, 1, 2)
        grid.addWidget(self.rate, 2, 0, 1, 2)
        grid.addWidget(self.index_button, 3, 0)
        grid.addWidget(self.cancel_button, 3, 1)
        grid.addWidget(self.note, 4, 0, 1, 2)
        self.set_no_video()

    def set_no_video(self) -> None:
        self.state = None
        self.stage.setText("No video open")
        self.bar.hide()
        self.rate.setText("")
        self.index_button.setText("Index")
        self.index_button.setEnabled(False)
        self.cancel_button.setEnabled(False)

    def set_idle(self, progress: IndexProgress | None) -> None:
        """Not indexing: the video's stored index state (None = never indexed) and how far it got."""
        self.state = progress.state if progress else None
        frac = progress.fraction if progress else 0.0
        text = IDLE_TEXT.get(self.state, self.state or "")
        self.stage.setText(text.format(pct=pct(frac)))
        resumable = progress is not None and progress.resumable and frac > 0
        self.index_button.setText("Resume" if resumable else "Index again…" if self.state == "done" else "Index")
        self.index_button.setToolTip("Compute the evidence (and memory) again from scratch"
                                     if self.state == "done" else "")
        self.index_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self._bar(frac)
        self.rate.setText("")

    def set_queued(self, ahead: int) -> None:
        """Waiting for other videos to finish indexing; Cancel takes it out of the queue."""
        self.stage.setText("Queued — starts when the video before it is indexed" if ahead else "Starting…")
        self.index_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.rate.setText("")

    def set_running(self) -> None:
        self.stage.setText("Starting…")
        self.index_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        if self.bar.isHidden():
            self._bar(0.0)

    def set_cancelling(self) -> None:
        self.stage.setText("Stopping after the current step…")
        self.cancel_button.setEnabled(False)

    def show_progress(self, p: Progress) -> None:
        self.stage.setText(stage_line(p))
        frac = overall(p)
        if frac is None:
            self.bar.show()
            self.bar.setRange(0, 0)
        else:
            self._bar(frac)
        self.rate.setText(rate_line(p))

    def _bar(self, fraction: float) -> None:
        self.bar.show()
        self.bar.setRange(0, 1000)
        self.bar.setValue(int(fraction * 1000))
        self.bar.setFormat(pct(fraction))

    def set_note(self, text: str) -> None:
        self.note.setText(text)
