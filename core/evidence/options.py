"""``EvidenceOptions``: what the evidence pass computes and how, checked once; each stage's settings key.

A stage is redone only when the options it depends on change (``stage_settings``), so turning OCR on later runs
only the OCR stage, and a re-run with the same options returns at once.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

from core.errors import UsageError
from core.vision import ObjectOptions, VisionOptions, available, detector_available, locate_model
from core.vision.detector import file_identity, locate_detector

STAGES = ("frames", "ocr", "vision", "objects", "audio", "speech", "subtitles")
FRAME_STAGES = ("frames", "ocr", "vision", "objects")  # fed by the one video decode pass
AUDIO_STAGES = ("audio", "speech")  # fed by the one audio decode pass


@dataclass(frozen=True)
class EvidenceOptions:
    """Options of the evidence pass.

    Frames (one decode): ``fps`` samples per second at ``analysis_width`` px for shots, black frames and colour /
    motion statistics; every ``ocr_every_s`` seconds the same frame at ``ocr_width`` px goes to OCR.
    The same decode feeds the vision stage (core.vision: image-text embeddings of one frame per shot and one
    every ``vision_every_s`` inside long shots); ``vision=None`` turns it on when an image-text model is
    installed (``vision_model``, else ``$LONGWATCH_VISION_MODEL`` or the default model in the hub cache).
    It also feeds the objects stage (core.vision: the COCO object detector shipped in resources/models, on the
    same frames as the vision stage); ``objects=None`` turns it on when the detector and onnxruntime are there.
    Audio (one decode): loudness per 0.5 s and silences (``silence_db``, ``min_silence_s``), and speech.
    """

    fps: float = 4.0  # samples per second of the frame pass
    analysis_width: int = 160  # px, shots / black / statistics
    cut_threshold: float = 27.0  # PySceneDetect ContentDetector threshold
    black_luma: float = 20.0  # a frame is black when its mean luma (0..255) is below this ...
    black_luma_p99: float = 48.0  # ... and its 99th percentile is below this (no bright text on it)
    ocr: bool = True
    ocr_every_s: float = 2.0  # seconds between OCR'd frames (unchanged frames reuse the last result)
    ocr_width: int = 640  # px of the frame given to OCR
    ocr_min_score: float = 0.6  # OCR lines below this confidence are dropped
    audio: bool = True  # loudness and silences
    silence_db: float = -45.0  # dBFS below which a 50 ms block is silent
    min_silence_s: float = 0.05  # one 50 ms block: 3 black frames between adverts come with ~0.1 s of silence, less after AAC
    speech: bool = True
    speech_model: str | None = None  # faster-whisper model folder or name; None = Whisper tiny.en from PyPI
    speech_language: str | None = None  # None = the model's default / detection
    subtitles: bool = True
    vision: bool | None = None  # None = on when an image-text model is installed
    vision_model: str | None = None  # CLIP/SigLIP folder or cached hub id; None = the default
    vision_every_s: float = 3.0  # seconds between embedded frames inside one shot
    vision_quantization: str = "int8"  # "int8" (CPU, faster) or "none"
    objects: bool | None = None  # None = on when the object detector (ONNX) and onnxruntime are installed
    objects_model: str | None = None  # NanoDet ONNX file; None = $LONGWATCH_OBJECT_MODEL, else the shipped one

    def __post_init__(self) -> None:
        _check(0.5 <= self.fps <= 30, "fps", self.fps, "use 0.5 to 30 samples per second (4 is a good default)")
        _check(48 <= self.analysis_width <= 640, "analysis_width", self.analysis_width, "use 48 to 640 px")
        _check(self.ocr_every_s >= 1.0 / self.fps, "ocr_every_s", self.ocr_every_s,
               f"use at least one sample interval ({1.0 / self.fps:g} s)")
        _check(160 <= self.ocr_width <= 3840, "ocr_width", self.ocr_width, "use 160 to 3840 px")
        _check(0 <= self.ocr_min_score <= 1, "ocr_min_score", self.ocr_min_score, "use 0..1")
        _check(0 < self.black_luma < 128, "black_luma", self.black_luma, "use 1..127 (20 is typical)")
        _check(self.black_luma <= self.black_luma_p99 <= 255, "black_luma_p99", self.black_luma_p99,
               "use a value between black_luma and 255")
        _check(-100 < self.silence_db < 0, "silence_db", self.silence_db, "use a dBFS value such as -45")
        _check(0.05 <= self.min_silence_s <= 10, "min_silence_s", self.min_silence_s, "use 0.05 to 10 s")
        _check(0 < self.cut_threshold < 255, "cut_threshold", self.cut_threshold, "use 1..254 (27 is typical)")
        if self.speech_model is not None and not self.speech_model.strip():
            raise UsageError("speech_model is empty; give a faster-whisper model folder or name, or leave it unset.")
        self.vision_options()  # checks the vision settings
        self.object_options()

    def vision_options(self) -> VisionOptions:
        """The core.vision options these evidence options imply."""
        return VisionOptions(model=self.vision_model, every_s=self.vision_every_s,
                             min_gap_s=min(0.5, self.vision_every_s), quantization=self.vision_quantization)

    def object_options(self) -> ObjectOptions:
        """The core.vision object-stage options these evidence options imply (same frames as vision)."""
        return ObjectOptions(model=self.objects_model, every_s=self.vision_every_s,
                             min_gap_s=min(0.5, self.vision_every_s))

    def objects_on(self) -> bool:
        """Whether the objects stage runs: asked for, or (``objects=None``) the detector is installed."""
        return self.objects if self.objects is not None else detector_available(self.objects_model)

    def vision_on(self) -> bool:
        """Whether the vision stage runs: asked for, or (``vision=None``) an image-text model is installed."""
        return self.vision if self.vision is not None else available(self.vision_options())

    @property
    def ocr_stride(self) -> int:
        """Every how many samples of the frame pass is OCR'd (>= 1)."""
        return max(1, round(self.ocr_every_s * self.fps))

    def enabled(self) -> tuple[str, ...]:
        on = {"frames": True, "ocr": self.ocr, "vision": self.vision_on(), "objects": self.objects_on(),
              "audio": self.audio,
              "speech": self.speech, "subtitles": self.subtitles}
        return tuple(s for s in STAGES if on[s])

    def stage_settings(self, stage: str) -> dict[str, Any]:
        """The options ``stage`` depends on (what its settings key hashes)."""
        frames = {"fps": self.fps, "analysis_width": self.analysis_width, "cut_threshold": self.cut_threshold,
                  "black_luma": self.black_luma, "black_luma_p99": self.black_luma_p99,
                  "logo": "corner-edges/1"}  # runs made before logo evidence existed redo the frame stage
        by_stage: dict[str, dict[str, Any]] = {
            "frames": frames,
            "ocr": {"fps": self.fps, "ocr_stride": self.ocr_stride, "ocr_width": self.ocr_width,
                    "ocr_min_score": self.ocr_min_score},
            "audio": {"silence_db": self.silence_db, "min_silence_s": self.min_silence_s},
            "speech": {"speech_model": self.speech_model, "speech_language": self.speech_language},
            "subtitles": {},
            "vision": {"fps": self.fps, "model": str(locate_model(self.vision_model) or self.vision_model),
                       **self.vision_options().stage_settings()},
            "objects": {"fps": self.fps, "model": _detector_key(self.objects_model),
                        **self.object_options().stage_settings()},
        }
        return {"stage": stage, "version": 1, **by_stage[stage]}

    def stage_key(self, stage: str) -> str:
        text = json.dumps(self.stage_settings(stage), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _detector_key(path: str | None) -> str:
    """The detector file's identity (name and content hash), or what was asked for when it is absent."""
    found = locate_detector(path)
    return file_identity(found) if found is not None else str(path)


def _check(ok: bool, name: str, value: object, what_to_do: str) -> None:
    if isinstance(value, float) and math.isnan(value):
        ok = False
    if not ok:
        raise UsageError(f"EvidenceOptions.{name}={value!r} is out of range; {what_to_do}.")
