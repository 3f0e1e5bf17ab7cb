"""Indexing status for the current video: stage, progress bar, rate and ETA, Index/Resume and Cancel."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QProgressBar, QPushButton, QWidget

from app.icons import icon
from core.progress import Progress
from core.timefmt import clock

STAGE_NAMES = {"probe": "Reading the file", "frames": "Shots and on-screen text", "ocr": "On-screen text",
               "audio": "Sound levels", "speech": "Speech", "subtitles": "Subtitles", "load": "Loading the model",
               "model": "Loading the model", "decode": "Decoding frames", "encode": "Video-LLM memory",
               "index": "Video-LLM memory", "done": "Done"}


class IndexPanel(QWidget):
    index_requested = Signal()
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("indexPanel")
        self.stage = QLabel("No video open", self)
        self.stage.setObjectName("stageLabel")
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(True)
        self.rate = QLabel("", self)
        self.rate.setObjectName("rateLabel")
        self.note = QLabel("", self)
        self.note.setWordWrap(True)
        self.note.setObjectName("noteLabel")
        self.index_button = QPushButton(icon("index"), "Index", self)
        self.index_button.clicked.connect(self.index_requested)
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
        self.set_idle(None, enabled=False)

    def set_idle(self, state: str | None, *, enabled: bool = True) -> None:
        """Not indexing: ``state`` is the video's stored index state (None = never indexed)."""
        text = {None: "Not indexed yet", "done": "Indexed", "running": "Interrupted — resume to finish",
                "cancelled": "Cancelled — resume to finish", "failed": "Failed — try again"}.get(state, state or "")
        self.stage.setText(text if enabled else "No video open")
        self.index_button.setText("Resume" if state in ("running", "cancelled", "failed") else
                                  "Index again" if state == "done" else "Index")
        self.index_button.setEnabled(enabled)
        self.cancel_button.setEnabled(False)
        self.bar.setValue(1000 if state == "done" else 0)
        self.rate.setText("")

    def set_running(self) -> None:
        self.stage.setText("Starting…")
        self.index_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.bar.setRange(0, 0)

    def set_cancelling(self) -> None:
        self.stage.setText("Stopping after the current step…")
        self.cancel_button.setEnabled(False)

    def show_progress(self, p: Progress) -> None:
        self.stage.setText(p.message if p.stage == "done" and p.message else STAGE_NAMES.get(p.stage, p.stage.capitalize()))
        frac = p.fraction
        if frac is None:
            self.bar.setRange(0, 0)
        else:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(frac * 1000))
        parts = []
        if p.total:
            parts.append(f"{_num(p.done)} / {_num(p.total)} {p.unit}".strip())
        if p.rate:
            parts.append(f"{p.rate:.1f} {p.unit}/s".strip())
        if p.eta_s is not None:
            parts.append(f"about {clock(p.eta_s)} left")
        self.rate.setText(" · ".join(parts))

    def set_note(self, text: str) -> None:
        self.note.setText(text)


def _num(x: float) -> str:
    return f"{x:.0f}" if abs(x - round(x)) < 1e-9 or x >= 100 else f"{x:.1f}"
