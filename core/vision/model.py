"""Image-text models (CLIP / SigLIP family) through transformers: find the checkpoint, load it once, embed.

``CLIPModel`` / ``SiglipModel`` with the PIL image processors (``CLIPImageProcessorPil``,
``SiglipImageProcessorPil``): torchvision stays out (it breaks transformers here), and so does open_clip (it
pulls torchvision in). Only safetensors weights are read (``use_safetensors=True``). On the CPU the Linear
layers are dynamically quantized to int8 by default (``torch.ao.quantization.quantize_dynamic``); vectors keep
a cosine above 0.999 to fp32 (tests/core/vision) and the image tower runs about 1.6x faster.

Vectors come back L2-normalised float32, so a dot product is the cosine similarity. ``identity`` names model,
width and quantization; it is stored with every vector, so vectors of another model are never compared.
"""

from __future__ import annotations

import logging
import os
import threading
import warnings
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import LongwatchError
from core.vision.options import VisionOptions

log = logging.getLogger(__name__)

ENV_MODEL = "LONGWATCH_VISION_MODEL"
DEFAULT_REPO = "openai/clip-vit-base-patch32"  # MIT licence, 151 M parameters, 224 px, 512-d: fast on a CPU
LARGER_REPOS = ("google/siglip-base-patch16-224", "openai/clip-vit-large-patch14")
KINDS = {"clip": "CLIPModel", "siglip": "SiglipModel"}
SMALL_BATCH = 8  # texts; a query (a few prompts) is encoded on one thread (see core.semantic.embedder)


class VisionModelMissing(LongwatchError):
    """The image-text model cannot be found or loaded."""


def missing_message(name: str | None) -> str:
    wanted = name or DEFAULT_REPO
    return (f"No image-text model found ({wanted}); download it in Settings or with "
            f"`hf download {wanted} --include '*.safetensors' '*.json' '*.txt'`, or set {ENV_MODEL} to a "
            "CLIP/SigLIP folder.")


def _cached_repo(repo_id: str) -> Path | None:
    """The local snapshot folder of hub repo ``repo_id`` if config.json and safetensors weights are cached."""
    try:
        from huggingface_hub import snapshot_download
        from huggingface_hub.errors import LocalEntryNotFoundError
    except ImportError:
        return None
    try:
        folder = Path(snapshot_download(repo_id, local_files_only=True))
    except (LocalEntryNotFoundError, OSError, ValueError):
        return None
    return folder if _is_checkpoint(folder) else None


def _is_checkpoint(folder: Path) -> bool:
    return (folder / "config.json").is_file() and any(folder.glob("*.safetensors"))


def locate_model(name: str | None = None) -> Path | None:
    """The folder of model ``name`` (a folder or a cached hub id); None = ``$LONGWATCH_VISION_MODEL``, else the
    default repo if cached. Returns None when nothing usable is there (never downloads)."""
    chosen = name or os.environ.get(ENV_MODEL) or DEFAULT_REPO
    path = Path(chosen).expanduser()
    if path.is_dir():
        return path.resolve() if _is_checkpoint(path) else None
    if chosen.count("/") == 1 and not chosen.startswith((".", "/", "~")):
        return _cached_repo(chosen)
    return None


def model_kind(folder: Path) -> str:
    """"clip" or "siglip" from the checkpoint's config.json (a one-line error for anything else)."""
    import json

    try:
        cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise VisionModelMissing(f"Cannot read {folder / 'config.json'} ({e}); choose a CLIP or SigLIP folder.") from e
    kind = str(cfg.get("model_type", ""))
    if kind not in KINDS:
        raise VisionModelMissing(f"{folder} holds a {kind or 'unknown'!r} model; the vision stage needs a CLIP or "
                                 f"SigLIP checkpoint (model_type clip or siglip), e.g. {DEFAULT_REPO}.")
    return kind


class ImageTextModel:
    """One loaded image-text model: ``encode_images`` (n, dim) and ``encode_texts`` (n, dim), unit rows."""

    def __init__(self, folder: Path, options: VisionOptions) -> None:
        import torch
        import transformers
        from transformers import AutoImageProcessor, AutoTokenizer

        self.folder, self.kind = folder, model_kind(folder)
        transformers.utils.logging.disable_progress_bar()
        try:
            cls = getattr(transformers, KINDS[self.kind])
            net: Any = cls.from_pretrained(str(folder), dtype=torch.float32, use_safetensors=True).eval()
            self._processor: Any = AutoImageProcessor.from_pretrained(str(folder))
            self._tokenizer: Any = AutoTokenizer.from_pretrained(str(folder))
        except (OSError, ValueError) as e:
            raise VisionModelMissing(f"Cannot load the image-text model from {folder} ({e}); choose another one.") from e
        self.logit_scale = float(net.logit_scale.detach().exp())
        self.logit_bias = float(net.logit_bias.detach()) if self.kind == "siglip" else 0.0
        self.dim = int(net.config.projection_dim if self.kind == "clip" else net.config.text_config.hidden_size)
        if options.quantization == "int8":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # torch's notice that eager quantization moves to torchao
                net = torch.ao.quantization.quantize_dynamic(net, {torch.nn.Linear}, dtype=torch.qint8)
        self._net = net.to(options.device)
        self.device, self.threads, self.quantization = options.device, options.threads, options.quantization
        self._max_text = int(getattr(net.config.text_config, "max_position_embeddings", 64))
        self._lock = threading.Lock()  # one model may be shared by threads; a forward pass is not re-entrant

    @property
    def name(self) -> str:
        return _display_name(self.folder)

    @property
    def identity(self) -> str:
        """Stable name stored with each vector: model, width and quantization."""
        return f"{self.name}:{self.dim}:{self.quantization}"

    def encode_images(self, images: Sequence[np.ndarray]) -> np.ndarray:
        """(len(images), dim) float32 unit rows from (H, W, 3) uint8 RGB pictures."""
        if not images:
            return np.zeros((0, self.dim), np.float32)
        import torch

        pixels = self._processor(images=list(images), return_tensors="pt")["pixel_values"]  # (n, 3, S, S)
        with self._lock, _threads(self.threads), torch.inference_mode():
            out = self._net.get_image_features(pixel_values=pixels.to(self.device))
        return _unit(out.pooler_output)

    def encode_texts(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32 unit rows."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        import torch

        padding = "max_length" if self.kind == "siglip" else True  # SigLIP was trained on padded texts
        tok = self._tokenizer(list(texts), padding=padding, truncation=True, max_length=self._max_text,
                              return_tensors="pt")
        inputs = {k: v.to(self.device) for k, v in tok.items() if k in ("input_ids", "attention_mask")}
        if self.kind == "siglip":
            inputs.pop("attention_mask", None)  # SigLIP's text tower pools the last position of padded text
        with self._lock, _threads(1 if len(texts) <= SMALL_BATCH else self.threads), torch.inference_mode():
            out = self._net.get_text_features(**inputs)
        return _unit(out.pooler_output)


class _threads:
    """Temporarily sets torch's intra-op thread count (None leaves it)."""

    def __init__(self, n: int | None) -> None:
        self.n, self.old = n, 0

    def __enter__(self) -> None:
        import torch

        self.old = torch.get_num_threads()
        if self.n is not None:
            torch.set_num_threads(self.n)

    def __exit__(self, *_exc: object) -> None:
        import torch

        torch.set_num_threads(self.old)


def _unit(t: Any) -> np.ndarray:
    v = t.detach().float().cpu().numpy().astype(np.float32)  # (n, dim)
    v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
    return np.ascontiguousarray(v)


def _display_name(folder: Path) -> str:
    """``owner/name`` for a hub snapshot (…/models--owner--name/snapshots/<sha>), else the folder's name."""
    parts = folder.parts
    for i, p in enumerate(parts):
        if p.startswith("models--") and i + 2 < len(parts) and parts[i + 1] == "snapshots":
            return p.removeprefix("models--").replace("--", "/")
    return folder.name


@lru_cache(maxsize=2)
def _cached(folder: str, quantization: str, device: str, threads: int | None) -> ImageTextModel:
    opts = VisionOptions(model=folder, quantization=quantization, device=device, threads=threads)
    return ImageTextModel(Path(folder), opts)


def load_model(options: VisionOptions | None = None) -> ImageTextModel:
    """The (process-wide cached) model for ``options``; ``VisionModelMissing`` when it is not installed."""
    options = options or VisionOptions()
    folder = locate_model(options.model)
    if folder is None:
        raise VisionModelMissing(missing_message(options.model))
    return _cached(str(folder), options.quantization, options.device, options.threads)


def available(options: VisionOptions | None = None) -> bool:
    """Whether the model of ``options`` is installed (nothing is loaded)."""
    return locate_model((options or VisionOptions()).model) is not None
