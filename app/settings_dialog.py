"""The settings dialog: model, quantization, device, sampling, compression, evidence models, database.

OK builds an ``AppSettings``; a value it rejects keeps the dialog open with that one-line message. The memory the
model needs is shown as soon as the model options change (``Engine.estimate_memory``).
"""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from app.engine import Engine
from app.settings import DEVICES, QUANTS, RATIOS, AppSettings
from core.errors import UsageError


class SettingsDialog(QDialog):
    def __init__(self, settings: AppSettings, engine: Engine, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Longwatch settings")
        self.engine = engine
        self.result_settings: AppSettings | None = None
        self.model_dir = QLineEdit(settings.model_dir, self)
        self.model_dir.setPlaceholderText("empty: no video-LLM, evidence only")
        self.model_dir.setToolTip("A Video-XL folder in the official layout, or a hub id such as sy1998/Video_XL "
                                  "(downloaded on first use when this machine is online)")
        self.quant = _combo(self, QUANTS, settings.quant)
        self.device = _combo(self, DEVICES, settings.device)
        self.fps = _dspin(self, 0.01, 30, settings.fps, " frames/s")
        self.max_frames = QSpinBox(self)
        self.max_frames.setRange(10, 20000)
        self.max_frames.setValue(settings.max_frames)
        self.max_frames.setSuffix(" frames")
        self.ratio = _combo(self, [str(r) for r in RATIOS], str(settings.ratio))
        self.answer_tokens = QSpinBox(self)
        self.answer_tokens.setRange(8, 4096)
        self.answer_tokens.setValue(settings.answer_tokens)
        self.answer_tokens.setSuffix(" tokens")
        self.speech = QCheckBox("Transcribe speech", self)
        self.speech.setChecked(settings.speech)
        self.speech_model = QLineEdit(settings.speech_model, self)
        self.speech_model.setPlaceholderText("bundled Whisper tiny.en")
        self.ocr = QCheckBox("Read on-screen text (OCR)", self)
        self.ocr.setChecked(settings.ocr)
        self.evidence_fps = _dspin(self, 0.5, 30, settings.evidence_fps, " samples/s")
        self.db_path = QLineEdit(settings.db_path, self)
        self.db_path.setPlaceholderText("default library database")
        self.memory = QLabel("", self)
        self.memory.setWordWrap(True)
        self.memory.setObjectName("memoryLabel")
        self.error = QLabel("", self)
        self.error.setWordWrap(True)
        self.error.setObjectName("errorLabel")
        self._layout()
        for w in (self.model_dir,):
            w.editingFinished.connect(self.refresh_memory)
        for c in (self.quant, self.device):
            c.currentIndexChanged.connect(self.refresh_memory)
        self._estimate: asyncio.Future[str] | None = None

    def _layout(self) -> None:
        form = QFormLayout(self)
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse_model)
        row = QHBoxLayout()
        row.addWidget(self.model_dir, 1)
        row.addWidget(browse)
        form.addRow("Video-LLM", row)
        form.addRow("Quantization", self.quant)
        form.addRow("Device", self.device)
        form.addRow("Frame rate", self.fps)
        form.addRow("Frame budget", self.max_frames)
        form.addRow("Compression ratio", self.ratio)
        form.addRow("Longest answer", self.answer_tokens)
        form.addRow("", self.memory)
        form.addRow("Speech", self.speech)
        form.addRow("Speech model", self.speech_model)
        form.addRow("On-screen text", self.ocr)
        form.addRow("Evidence sampling", self.evidence_fps)
        form.addRow("Database", self.db_path)
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _browse_model(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Video-XL model folder", self.model_dir.text())
        if folder:
            self.model_dir.setText(folder)
            self.refresh_memory()

    def build(self) -> AppSettings:
        """The settings as entered; raises UsageError naming the first bad value."""
        return AppSettings(
            model_dir=self.model_dir.text().strip(), quant=self.quant.currentText(),
            device=self.device.currentText(), fps=self.fps.value(), max_frames=self.max_frames.value(),
            ratio=int(self.ratio.currentText()), speech=self.speech.isChecked(),
            speech_model=self.speech_model.text().strip(), ocr=self.ocr.isChecked(),
            evidence_fps=self.evidence_fps.value(), db_path=self.db_path.text().strip(),
            answer_tokens=self.answer_tokens.value(),
        )

    def refresh_memory(self) -> None:
        try:
            settings = self.build()
        except UsageError as e:
            self.memory.setText(str(e))
            return
        self.memory.setText("Estimating the memory needed…")
        self._estimate = asyncio.ensure_future(self.engine.estimate_memory(settings))
        self._estimate.add_done_callback(self._show_estimate)

    def _show_estimate(self, fut: asyncio.Future[str]) -> None:
        if fut.cancelled():
            return
        err = fut.exception()
        self.memory.setText(str(err) if err else fut.result())

    def accept(self) -> None:
        try:
            self.result_settings = self.build()
        except UsageError as e:
            self.error.setText(str(e))
            return
        super().accept()


def _combo(parent: QWidget, items: object, current: str) -> QComboBox:
    c = QComboBox(parent)
    c.addItems(list(items))  # type: ignore[call-overload]
    c.setCurrentText(current)
    return c


def _dspin(parent: QWidget, lo: float, hi: float, value: float, suffix: str) -> QDoubleSpinBox:
    s = QDoubleSpinBox(parent)
    s.setRange(lo, hi)
    s.setDecimals(2)
    s.setSingleStep(0.5)
    s.setValue(value)
    s.setSuffix(suffix)
    return s
