"""The app's settings: one frozen, validated dataclass, stored in QSettings.

Validation lives in ``AppSettings.__post_init__`` (the settings dialog shows the message of the first bad
field); ``load_settings``/``save_settings`` map it to QSettings keys so it survives restarts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from core.errors import UsageError

QUANTS = ("none", "4bit", "8bit")
DEVICES = ("auto", "cpu", "cuda", "mps")
RATIOS = (2, 4, 8, 12, 16)


@dataclass(frozen=True)
class AppSettings:
    """What indexing and answering use. ``model_dir`` empty means no video-LLM: evidence only."""

    model_dir: str = ""  # Video-XL folder (official layout) or a hub id; "" = none configured
    quant: str = "4bit"
    device: str = "auto"
    fps: float = 1.0  # frames per second sampled for the video-LLM
    max_frames: int = 2048  # frame budget: the most frames a video gets, whatever its length
    ratio: int = 8  # VST compression ratio
    speech: bool = True
    speech_model: str = ""  # faster-whisper folder or name; "" = the bundled Whisper tiny.en
    ocr: bool = True
    evidence_fps: float = 4.0  # samples per second of the shots / black frames / OCR pass
    answer_tokens: int = 256  # longest answer the video-LLM writes, in tokens
    db_path: str = ""  # "" = the default library database

    def __post_init__(self) -> None:
        if self.quant not in QUANTS:
            raise UsageError(f"Quantization {self.quant!r} is unknown; choose one of {', '.join(QUANTS)}.")
        if self.device not in DEVICES:
            raise UsageError(f"Device {self.device!r} is unknown; choose one of {', '.join(DEVICES)}.")
        if not 0.01 <= self.fps <= 30:
            raise UsageError(f"Frames per second {self.fps:g} is out of range; use 0.01 to 30 (1 is typical).")
        if not 10 <= self.max_frames <= 20000:
            raise UsageError(f"Frame budget {self.max_frames} is out of range; use 10 to 20000 frames.")
        if self.ratio not in RATIOS:
            raise UsageError(f"Compression ratio {self.ratio} is not one of {', '.join(map(str, RATIOS))}.")
        if not 0.5 <= self.evidence_fps <= 30:
            raise UsageError(f"Evidence samples per second {self.evidence_fps:g} is out of range; use 0.5 to 30.")
        if not 8 <= self.answer_tokens <= 4096:
            raise UsageError(f"Answer length {self.answer_tokens} tokens is out of range; use 8 to 4096.")
        if self.model_dir.strip() and not _is_hub_id(self.model_dir) and not Path(self.model_dir).expanduser().is_dir():
            raise UsageError(f"The model folder {self.model_dir} does not exist; choose a Video-XL folder or leave it empty.")
        if self.db_path.strip():
            p = Path(self.db_path).expanduser()
            if p.is_dir():
                raise UsageError(f"The database path {p} is a folder; give a file name such as {p}/longwatch.db.")
            if not p.parent.exists():
                raise UsageError(f"The folder {p.parent} does not exist; create it or choose another database path.")

    @property
    def has_model(self) -> bool:
        return bool(self.model_dir.strip())

    def replace(self, **changes: Any) -> AppSettings:
        return dataclasses.replace(self, **changes)


def _is_hub_id(value: str) -> bool:
    import re

    return bool(re.fullmatch(r"[A-Za-z0-9][\w.-]*/[\w.-]+", value)) and not Path(value).expanduser().exists()


_KEY = "settings/"


def load_settings(qs: QSettings) -> AppSettings:
    """The stored settings; a value that no longer validates (a deleted model folder) falls back to defaults."""
    defaults = AppSettings()
    values: dict[str, Any] = {}
    for f in dataclasses.fields(AppSettings):
        raw = qs.value(_KEY + f.name)
        if raw is None:
            continue
        default = getattr(defaults, f.name)
        try:
            if isinstance(default, bool):
                values[f.name] = raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true", "yes")
            else:
                values[f.name] = type(default)(raw)
        except (TypeError, ValueError):
            continue
    try:
        return AppSettings(**values)
    except UsageError:
        return AppSettings(**{k: v for k, v in values.items() if k not in ("model_dir", "db_path")})


def save_settings(qs: QSettings, settings: AppSettings) -> None:
    for f in dataclasses.fields(AppSettings):
        qs.setValue(_KEY + f.name, getattr(settings, f.name))
    qs.sync()
