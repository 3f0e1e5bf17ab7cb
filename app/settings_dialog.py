"""The settings dialog: model, quantization, device, sampling, compression, evidence models, database, seeing
frames (image-text embeddings), the job queue and the watch folders: one widget per ``Settings`` field.

OK builds an ``Settings``; a value it rejects keeps the dialog open with that one-line message, shown once, in
full, below the fields. The memory the model needs is shown as soon as the model options change
(``Engine.estimate_memory``). "Download…" first asks the hub how large the model is and asks the person to confirm
(size, destination, free space), then fetches it (``Engine.download_model``) with a progress bar, bytes, rate and
time left, and a Cancel button; the dialog stays usable meanwhile, and the downloaded folder fills the model
field. The database field shows which database is in force when it is empty ($LONGWATCH_DB or the default).
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
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
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QWidget,
)

from app.engine import Engine
from core.errors import Cancelled, LongwatchError, UsageError
from core.progress import Progress
from core.usecases import (
    DEFAULT_HUB_MODEL,
    DEVICES,
    DTYPES,
    QUANT_MODES,
    RATIOS,
    STORAGE_CODECS,
    VISION_MODES,
    DownloadPlan,
    Settings,
    looks_like_hub_id,
)


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, engine: Engine, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Longwatch settings")
        self.engine = engine
        self.result_settings: Settings | None = None
        self.model_dir = QLineEdit(settings.model_dir, self)
        self.model_dir.setPlaceholderText("empty: no video-LLM, evidence only")
        self.model_dir.setToolTip("A Video-XL folder in the official layout, or a hub id such as sy1998/Video_XL "
                                  "(downloaded on first use when this machine is online)")
        self.quant = _combo(self, QUANT_MODES, settings.quant)
        self.device = _combo(self, DEVICES, settings.device)
        self.dtype = _combo(self, DTYPES, settings.dtype)
        self.dtype.setToolTip("auto: fp32 on a CPU, fp16 on a GPU")
        self.storage = _combo(self, STORAGE_CODECS, settings.storage)
        self.storage.setToolTip("fp16 keeps the memory as computed; int8 takes about half the disk")
        self.memory_budget = QSpinBox(self)
        self.memory_budget.setRange(0, 1_000_000)
        self.memory_budget.setSingleStep(512)
        self.memory_budget.setValue(settings.memory_budget_mb)
        self.memory_budget.setSuffix(" MB")
        self.memory_budget.setToolTip("Decoded memories of recent videos kept in RAM, so the next question on the "
                                      "same film starts at once (0: read the memory again each time)")
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
        self._base = settings  # fields with no widget keep their value through build()
        self._vision_and_queue(settings)
        self.db_path = QLineEdit(settings.db_path, self)
        where, why = engine.default_database()
        self.db_path.setPlaceholderText(f"{why}: {where}" if why.startswith("$") else f"default: {where}")
        self.db_path.setToolTip("The library database file; empty uses " +
                                (f"{why} ({where})" if why.startswith("$") else f"the default ({where})"))
        self.memory = QLabel("", self)
        self.memory.setWordWrap(True)
        self.memory.setObjectName("memoryLabel")
        self.error = QLabel("", self)
        self.error.setWordWrap(True)
        self.error.setObjectName("errorLabel")
        self.download = QPushButton("Download…", self)
        self.download.clicked.connect(self.start_download)
        self.download_bar = QProgressBar(self)
        self.download_bar.setRange(0, 1000)
        self.download_bar.setTextVisible(True)
        self.download_cancel = QPushButton("Cancel", self)
        self.download_cancel.clicked.connect(self.engine.cancel_download)
        self.download_status = QLabel("", self)
        self.download_status.setWordWrap(True)
        self.download_status.setObjectName("downloadLabel")
        self.download_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # copy the command
        self._downloading: asyncio.Future[str] | None = None
        self._planning: asyncio.Future[DownloadPlan] | None = None
        self._layout()
        self._show_downloading(False)
        self.download_status.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.model_dir.textChanged.connect(self._update_download_button)
        self._update_download_button()
        for w in (self.model_dir,):
            w.editingFinished.connect(self.refresh_memory)
        for c in (self.quant, self.device):
            c.currentIndexChanged.connect(self.refresh_memory)
        self._estimate: asyncio.Future[str] | None = None

    def _vision_and_queue(self, settings: Settings) -> None:
        """The image-text frame embeddings, the job queue and the watch folders (core.usecases.Settings)."""
        self.vision = _combo(self, VISION_MODES, settings.vision)
        self.vision.setToolTip("auto: embed frames when an image-text model (CLIP/SigLIP) is installed")
        self.vision_model = QLineEdit(settings.vision_model, self)
        self.vision_model.setPlaceholderText("the default image-text model, if installed")
        self.vision_every_s = _dspin(self, 0.25, 60, settings.vision_every_s, " s")
        self.queue_concurrency = _spin(self, 1, 64, settings.queue_concurrency, "")
        self.job_threads = _spin(self, 0, 256, settings.job_threads, " threads")
        self.job_threads.setSpecialValueText("automatic")
        self.job_attempts = _spin(self, 1, 100, settings.job_attempts, "")
        self.watch_folders = QPlainTextEdit(settings.watch_folders, self)
        self.watch_folders.setPlaceholderText("one folder per line")
        self.watch_folders.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.watch_kinds = QLineEdit(settings.watch_kinds, self)
        self.watch_kinds.setToolTip("What is queued for each new file: evidence, index, ads, summary")
        self.watch_settle_s = _dspin(self, 0, 86400, settings.watch_settle_s, " s")
        self.watch_interval_s = _dspin(self, 0.1, 3600, settings.watch_interval_s, " s")
        self.background_queue = QCheckBox("Run the queue and watch the folders while Longwatch is open", self)
        self.background_queue.setChecked(settings.background_queue)

    def _layout(self) -> None:
        form = QFormLayout(self)
        self.model_dir.setMinimumWidth(260)
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse_model)
        row = QHBoxLayout()
        row.addWidget(self.model_dir, 1)
        row.addWidget(browse)
        row.addWidget(self.download)
        form.addRow("Video-LLM", row)
        progress = QHBoxLayout()
        progress.addWidget(self.download_bar, 1)
        progress.addWidget(self.download_cancel)
        form.addRow("", progress)
        form.addRow("", self.download_status)
        self._download_rows = (progress, self.download_status)
        self._form = form
        form.addRow("Quantization", self.quant)
        form.addRow("Device", self.device)
        form.addRow("Precision", self.dtype)
        form.addRow("Frame rate", self.fps)
        form.addRow("Frame budget", self.max_frames)
        form.addRow("Compression ratio", self.ratio)
        form.addRow("Memory storage", self.storage)
        form.addRow("Longest answer", self.answer_tokens)
        form.addRow("Keep warm", self.memory_budget)
        form.addRow("", self.memory)
        form.addRow("Speech", self.speech)
        form.addRow("Speech model", self.speech_model)
        form.addRow("On-screen text", self.ocr)
        form.addRow("Evidence sampling", self.evidence_fps)
        form.addRow("Seeing frames", self.vision)
        form.addRow("Image-text model", self.vision_model)
        form.addRow("Seen frame every", self.vision_every_s)
        form.addRow("Jobs at once", self.queue_concurrency)
        form.addRow("Threads per job", self.job_threads)
        form.addRow("Job attempts", self.job_attempts)
        watch = QHBoxLayout()
        watch.addWidget(self.watch_folders, 1)
        add_watch = QPushButton("Add…", self)
        add_watch.setToolTip("Choose a folder to watch for new recordings")
        add_watch.clicked.connect(self._browse_watch_folder)
        watch.addWidget(add_watch, 0, Qt.AlignmentFlag.AlignTop)
        form.addRow("Watch folders", watch)
        form.addRow("Queue for new files", self.watch_kinds)
        form.addRow("File settled after", self.watch_settle_s)
        form.addRow("Scan folders every", self.watch_interval_s)
        form.addRow("Background", self.background_queue)
        form.addRow("Database", self.db_path)
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _browse_watch_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "A folder to watch for new recordings")
        if folder:
            self.add_watch_folder(folder)

    def add_watch_folder(self, folder: str) -> None:
        """Add ``folder`` as a line of the watch folders (once)."""
        lines = [ln for ln in self.watch_folders.toPlainText().splitlines() if ln.strip()]
        if folder not in lines:
            self.watch_folders.setPlainText("\n".join([*lines, folder]))

    def _browse_model(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Video-XL model folder", self.model_dir.text())
        if folder:
            self.model_dir.setText(folder)
            self.refresh_memory()

    # ---- download ------------------------------------------------------------------------------------------------
    def hub_id(self) -> str | None:
        """The hub id the Download button fetches: the field's owner/name (empty: sy1998/Video_XL), else None."""
        text = self.model_dir.text().strip()
        if not text:
            return DEFAULT_HUB_MODEL
        return text if looks_like_hub_id(text) else None

    def _update_download_button(self) -> None:
        repo = self.hub_id()
        self.download.setEnabled(repo is not None and self._downloading is None and self._planning is None)
        self.download.setToolTip(f"Download {repo} from the Hugging Face hub (weights, config and tokenizer only)"
                                 if repo else "Type a hub id (owner/name, e.g. sy1998/Video_XL) to download it")

    def _show_downloading(self, on: bool) -> None:
        self.download_bar.setVisible(on)
        self.download_cancel.setVisible(on)
        self.download_cancel.setEnabled(on)
        self._form.setRowVisible(self._download_rows[0], on)
        self._form.setRowVisible(self._download_rows[1], on or bool(self.download_status.text()))
        self._update_download_button()
        self._fit_status()

    def _fit_status(self) -> None:
        """Give each wrapped message line the height its text needs at its width (QFormLayout asks the label's
        sizeHint, computed for a narrower width, and the text was cut off), and grow the dialog to show it."""
        if not self.isVisible():
            return
        layout = self._form
        layout.activate()
        for label in (self.download_status, self.memory, self.error):
            pad = label.fontMetrics().lineSpacing() // 2
            label.setFixedHeight(label.heightForWidth(label.width()) + pad if label.text() else 0)
        layout.activate()
        self.resize(self.width(), max(self.height(), self.minimumSizeHint().height()))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit_status()

    def _set_message(self, label: QLabel, text: str) -> None:
        label.setText(text)
        self._fit_status()

    def start_download(self) -> None:
        """Ask the hub for the size first; the download starts only when the person confirms it."""
        repo = self.hub_id()
        if repo is None or self._downloading is not None or self._planning is not None:
            return
        self._set_message(self.download_status, f"Asking the Hugging Face hub how large {repo} is…")
        self._form.setRowVisible(self._download_rows[1], True)
        self._planning = asyncio.ensure_future(self.engine.download_plan(repo))
        self._planning.add_done_callback(self._planned)
        self._update_download_button()

    def _planned(self, fut: asyncio.Future[DownloadPlan]) -> None:
        self._planning = None
        self._update_download_button()
        if fut.cancelled():
            return
        err = fut.exception()
        if err is not None:
            self._set_message(self.download_status, str(err) if isinstance(err, LongwatchError) else
                              f"The hub could not be asked: {' '.join(str(err).split())}")
            return
        plan = fut.result()
        free = _free_bytes(plan.cache_dir)
        if free is not None and plan.size_bytes - plan.cached_bytes > free:
            self._set_message(self.download_status,
                              f"{plan.repo_id} needs {_bytes(plan.size_bytes - plan.cached_bytes)} but only "
                              f"{_bytes(free)} is free in {plan.cache_dir}; free space or set HF_HOME to a "
                              "larger disk.")
            return
        if not self.confirm_download(plan, free):
            self._set_message(self.download_status, "")
            self._show_downloading(False)
            return
        self._begin_download(plan.repo_id)

    def confirm_download(self, plan: DownloadPlan, free: int | None) -> bool:
        """Asked before a download starts, with its size; tests replace it."""
        answer = QMessageBox.question(self, "Download the model?", self.confirm_text(plan, free))
        return answer == QMessageBox.StandardButton.Yes

    @staticmethod
    def confirm_text(plan: DownloadPlan, free: int | None) -> str:
        left = plan.size_bytes - plan.cached_bytes
        return (f"Download {plan.repo_id}: {plan.files} files, {_bytes(plan.size_bytes)}"
                + (f" ({_bytes(plan.cached_bytes)} already here, {_bytes(left)} to fetch)" if plan.cached_bytes
                   else "")
                + f", into {plan.cache_dir}" + (f" ({_bytes(free)} free)" if free is not None else "") + "?")

    def _begin_download(self, repo: str) -> None:
        self._set_message(self.download_status, f"Connecting to the Hugging Face hub for {repo}…")
        self.download_bar.setValue(0)
        self.download_bar.setFormat("starting…")
        self.engine.download_progress.connect(self.show_download_progress)
        self._downloading = asyncio.ensure_future(self.engine.download_model(repo))
        self._downloading.add_done_callback(self._download_done)
        self._show_downloading(True)

    def show_download_progress(self, p: Progress) -> None:
        if self._downloading is None or p.stage != "download":
            return
        if p.total:
            self.download_bar.setValue(round(1000 * (p.fraction or 0.0)))
            self.download_bar.setFormat(f"{_bytes(p.done)} of {_bytes(p.total)}")
        else:
            self.download_bar.setFormat(_bytes(p.done) if p.done else "starting…")
        parts = [p.message] if p.message and not p.done else []
        if p.rate:
            parts.append(f"{_bytes(p.rate)}/s")
        if p.eta_s is not None and p.rate:
            parts.append(_eta(p.eta_s))
        if parts:
            self.download_status.setText(" · ".join(parts))

    def _download_done(self, fut: asyncio.Future[str]) -> None:
        self._downloading = None
        self.engine.download_progress.disconnect(self.show_download_progress)
        err = None if fut.cancelled() else fut.exception()
        if fut.cancelled() or isinstance(err, Cancelled):
            self.download_status.setText("Download cancelled; starting it again resumes where it stopped.")
        elif err is not None:
            self.download_status.setText(str(err) if isinstance(err, LongwatchError) else
                                         f"The download failed: {' '.join(str(err).split())}")
        else:
            self.model_dir.setText(fut.result())
            self.download_status.setText(f"Downloaded; the model folder is {fut.result()}")
            self.refresh_memory()
        self._show_downloading(False)

    def done(self, result: int) -> None:
        """Closing the dialog stops a running download (the next one resumes it)."""
        if self._planning is not None:
            self._planning.remove_done_callback(self._planned)
            self._planning.add_done_callback(lambda f: f.cancelled() or f.exception())
            self._planning = None
        if self._downloading is not None:
            self._downloading.remove_done_callback(self._download_done)
            self.engine.download_progress.disconnect(self.show_download_progress)
            self.engine.cancel_download()
            self._downloading.add_done_callback(lambda f: f.cancelled() or f.exception())  # Cancelled, expected
            self._downloading = None
        super().done(result)

    def build(self) -> Settings:
        """The settings as entered; raises UsageError naming the first bad value."""
        return self._base.replace(
            model_dir=self.model_dir.text().strip(), quant=self.quant.currentText(),
            dtype=self.dtype.currentText(), device=self.device.currentText(), fps=self.fps.value(),
            max_frames=self.max_frames.value(), ratio=int(self.ratio.currentText()),
            storage=self.storage.currentText(), speech=self.speech.isChecked(),
            speech_model=self.speech_model.text().strip(), ocr=self.ocr.isChecked(),
            evidence_fps=self.evidence_fps.value(), answer_tokens=self.answer_tokens.value(),
            memory_budget_mb=self.memory_budget.value(), db_path=self.db_path.text().strip(),
            vision=self.vision.currentText(), vision_model=self.vision_model.text().strip(),
            vision_every_s=self.vision_every_s.value(), queue_concurrency=self.queue_concurrency.value(),
            job_threads=self.job_threads.value(), job_attempts=self.job_attempts.value(),
            watch_folders=self.watch_folders.toPlainText().strip(), watch_kinds=self.watch_kinds.text().strip(),
            watch_settle_s=self.watch_settle_s.value(), watch_interval_s=self.watch_interval_s.value(),
            background_queue=self.background_queue.isChecked(),
        )

    def refresh_memory(self) -> None:
        """Check the fields (a bad value's message goes to the one error line) and estimate the memory."""
        try:
            settings = self.build()
        except UsageError as e:
            self._set_message(self.error, str(e))
            self._set_message(self.memory, "")
            return
        self._set_message(self.error, "")
        self._set_message(self.memory, "Estimating the memory needed…")
        self._estimate = asyncio.ensure_future(self.engine.estimate_memory(settings))
        self._estimate.add_done_callback(self._show_estimate)

    def _show_estimate(self, fut: asyncio.Future[str]) -> None:
        if fut.cancelled():
            return
        err = fut.exception()
        self._set_message(self.memory, str(err) if err else fut.result())

    def accept(self) -> None:
        try:
            self.result_settings = self.build()
        except UsageError as e:
            self._set_message(self.error, str(e))
            return
        super().accept()


def _eta(seconds: float) -> str:
    """Time left as people say it: 'less than a minute left', 'about 12 min left', 'about 1 h 05 min left'."""
    minutes = round(seconds / 60)
    if minutes < 1:
        return "less than a minute left"
    if minutes < 60:
        return f"about {minutes} min left"
    return f"about {minutes // 60} h {minutes % 60:02d} min left"


def _free_bytes(folder: str) -> int | None:
    """Free bytes on the disk that holds ``folder`` (or its nearest existing parent); None if unknown."""
    p = Path(folder)
    while not p.exists() and p != p.parent:
        p = p.parent
    try:
        return shutil.disk_usage(p).free
    except OSError:
        return None


def _bytes(n: float) -> str:
    """1536 -> '1.5 KB', 15.8e9 -> '15.8 GB' (decimal units, as the hub shows sizes)."""
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


def _combo(parent: QWidget, items: object, current: str) -> QComboBox:
    c = QComboBox(parent)
    c.addItems(list(items))  # type: ignore[call-overload]
    c.setCurrentText(current)
    return c


def _spin(parent: QWidget, lo: int, hi: int, value: int, suffix: str) -> QSpinBox:
    s = QSpinBox(parent)
    s.setRange(lo, hi)
    s.setValue(value)
    s.setSuffix(suffix)
    return s


def _dspin(parent: QWidget, lo: float, hi: float, value: float, suffix: str) -> QDoubleSpinBox:
    s = QDoubleSpinBox(parent)
    s.setRange(lo, hi)
    s.setDecimals(2)
    s.setSingleStep(0.5)
    s.setValue(value)
    s.setSuffix(suffix)
    return s
