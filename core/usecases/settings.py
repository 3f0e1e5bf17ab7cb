"""``Settings``: the one definition of what indexing and answering use, and of their defaults.

The CLI takes its option defaults from here, the app stores these fields in QSettings and edits them in its
settings dialog, and the service turns them into the options of each layer (``model_options``,
``index_options``, ``evidence_options``). Validation happens once, in ``__post_init__``; the message names the bad
value and what to choose instead.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import UsageError
from core.index.options import DEFAULT_FPS, DEFAULT_MAX_FRAMES, DEFAULT_RATIO, RATIOS, STORAGE_CODECS
from core.model.download import looks_like_hub_id
from core.model.options import DEFAULT_QUANT, DEVICES, DTYPES, QUANT_MODES
from core.store.jobs import JOB_KINDS

if TYPE_CHECKING:
    from core.evidence import EvidenceOptions
    from core.index import IndexOptions
    from core.model import ModelOptions
    from core.vision import VisionOptions

DEFAULT_HUB_MODEL = "sy1998/Video_XL"  # what Settings > Download... offers
VISION_MODES = ("auto", "on", "off")
DEFAULT_MEMORY_BUDGET_MB = 4096  # decoded memories kept warm for the next question (about 1 h of 7B memory)


@dataclass(frozen=True)
class Settings:
    """What indexing and answering use. ``model_dir`` empty means no video-LLM: answers come from the evidence."""

    # video-LLM
    model_dir: str = ""  # Video-XL folder (official layout) or a hub id; "" = none configured
    quant: str = DEFAULT_QUANT  # 4bit, 8bit or none (the checkpoint's precision)
    dtype: str = "auto"  # compute precision: auto (fp32 on CPU, fp16 on GPUs), fp32, fp16, bf16
    device: str = "auto"  # auto = CUDA, then Apple MPS, then CPU
    # index
    fps: float = DEFAULT_FPS  # frames per second sampled for the video-LLM
    max_frames: int = DEFAULT_MAX_FRAMES  # frame budget: the most frames a video gets, whatever its length
    ratio: int = DEFAULT_RATIO  # VST compression ratio
    storage: str = "fp16"  # how the memory is stored: fp16 or int8 (about half the bytes)
    # evidence
    speech: bool = True
    speech_model: str = ""  # faster-whisper folder or name; "" = the bundled Whisper tiny.en
    ocr: bool = True
    evidence_fps: float = 4.0  # samples per second of the shots / black frames / OCR pass
    vision: str = "auto"  # image-text frame embeddings: auto (when a model is installed), on, off
    vision_model: str = ""  # CLIP/SigLIP folder or cached hub id; "" = the default if installed
    vision_every_s: float = 3.0  # seconds between embedded frames inside one shot
    # answers
    answer_tokens: int = 256  # longest answer the video-LLM writes, in tokens
    memory_budget_mb: int = DEFAULT_MEMORY_BUDGET_MB  # decoded memories kept warm between questions
    # library
    db_path: str = ""  # "" = the default library database ($LONGWATCH_DB or the user data folder)
    # queue and watch folders (core.usecases.worker, core.usecases.watch)
    queue_concurrency: int = 1  # jobs the local worker runs at once (a video-LLM job always runs alone)
    job_threads: int = 0  # CPU threads per job (torch); 0 = the machine's cores / concurrency. Equal on two
    #                       machines -> byte-identical results (float sums depend on the thread split)
    job_attempts: int = 3  # a job is retried this often after a crash or an unexpected error
    watch_folders: str = ""  # folders watched for new recordings, one per line
    watch_kinds: str = "evidence,ads"  # what is queued for each new file (evidence, index, ads, summary)
    watch_settle_s: float = 60.0  # a file must keep its size and time this long before it is queued
    watch_interval_s: float = 10.0  # seconds between scans of the watch folders
    background_queue: bool = True  # the app runs the queue and watches the folders while it is open

    def __post_init__(self) -> None:
        _one_of("Quantization", self.quant, QUANT_MODES)
        _one_of("Precision", self.dtype, DTYPES)
        _one_of("Device", self.device, DEVICES)
        _one_of("Storage", self.storage, STORAGE_CODECS)
        if self.ratio not in RATIOS:
            raise UsageError(f"Compression ratio {self.ratio} is not one of {', '.join(map(str, RATIOS))}.")
        _within("Frames per second", self.fps, 0.01, 30, "1 is typical")
        _within("Frame budget", self.max_frames, 10, 20000, "frames")
        _within("Evidence samples per second", self.evidence_fps, 0.5, 30, "4 is typical")
        _one_of("Seeing frames", self.vision, VISION_MODES)
        _within("Seconds between seen frames", self.vision_every_s, 0.25, 60, "3 is typical")
        _within("Answer length", self.answer_tokens, 8, 4096, "tokens")
        _within("Memory budget", self.memory_budget_mb, 0, 1_000_000, "MB; 0 keeps nothing warm")
        _within("Queue concurrency", self.queue_concurrency, 1, 64, "jobs at once")
        _within("Threads per job", self.job_threads, 0, 256, "0 = automatic")
        _within("Job attempts", self.job_attempts, 1, 100, "tries")
        _within("Watch settle time", self.watch_settle_s, 0, 86400, "seconds")
        _within("Watch interval", self.watch_interval_s, 0.1, 3600, "seconds")
        for kind in self.watch_kind_list():
            _one_of("Watch job kind", kind, JOB_KINDS)
        model = self.model_dir.strip()
        if model and not looks_like_hub_id(model) and not Path(model).expanduser().is_dir():
            raise UsageError(f"The model folder {model} does not exist; choose a Video-XL folder, a hub id such as "
                             f"{DEFAULT_HUB_MODEL}, or leave it empty.")
        if self.db_path.strip():
            p = Path(self.db_path).expanduser()
            if p.is_dir():
                raise UsageError(f"The database path {p} is a folder; give a file name such as {p}/longwatch.db.")
            if not p.parent.exists():
                raise UsageError(f"The folder {p.parent} does not exist; create it or choose another database path.")

    @property
    def has_model(self) -> bool:
        return bool(self.model_dir.strip())

    def watch_folder_list(self) -> tuple[Path, ...]:
        """The watch folders, one per line of ``watch_folders`` (blank lines ignored)."""
        return tuple(Path(line.strip()).expanduser() for line in self.watch_folders.splitlines() if line.strip())

    def watch_kind_list(self) -> tuple[str, ...]:
        return tuple(k.strip() for k in self.watch_kinds.replace(" ", ",").split(",") if k.strip())

    def threads_per_job(self) -> int:
        """CPU threads one job computes with (``job_threads``, or the cores shared by the concurrent jobs)."""
        return self.job_threads or max(1, (os.cpu_count() or 1) // self.queue_concurrency)

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    def model_options(self, model: str | None = None) -> ModelOptions:
        """How to load the configured video-LLM (or ``model``, a folder or hub id, with these settings)."""
        from core.model import ModelOptions

        chosen = (model or self.model_dir).strip()
        if not chosen:
            raise UsageError("No video-LLM is configured; set a model folder (Settings, --model DIR or "
                             "$LONGWATCH_MODEL) or ask without one (answers then come from the evidence).")
        return ModelOptions(model=chosen, quant=self.quant, dtype=self.dtype, device=self.device)

    def index_options(self, *, frames: int | None = None, fps: float | None = None) -> IndexOptions:
        from core.index import IndexOptions

        return IndexOptions(frames=frames, fps=None if frames is not None else (fps or self.fps),
                            max_frames=self.max_frames, ratio=self.ratio, storage=self.storage)

    def evidence_options(self) -> EvidenceOptions:
        from core.evidence import EvidenceOptions

        return EvidenceOptions(fps=self.evidence_fps, ocr=self.ocr, ocr_every_s=max(2.0, 1.0 / self.evidence_fps),
                               speech=self.speech, speech_model=self.speech_model.strip() or None,
                               vision={"auto": None, "on": True, "off": False}[self.vision],
                               vision_model=self.vision_model.strip() or None, vision_every_s=self.vision_every_s)

    def vision_options(self) -> VisionOptions:
        """The image-text model and frame choice for text -> frame search (the same the evidence pass used)."""
        return self.evidence_options().vision_options()

    def memory_budget_bytes(self) -> int:
        return int(self.memory_budget_mb) * 1_000_000


def _one_of(what: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise UsageError(f"{what} {value!r} is unknown; choose one of {', '.join(choices)}.")


def _within(what: str, value: float, lo: float, hi: float, unit: str) -> None:
    if not lo <= value <= hi:
        raise UsageError(f"{what} {value:g} is out of range; use {lo:g} to {hi:g} ({unit}).")
