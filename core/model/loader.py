"""Finding, checking, sizing and loading a Video-XL checkpoint (official layout) into a ``VideoXL``.

Layout accepted (sy1998/Video_XL, folder ``VideoXL_weight_8``): config.json (model_type llava_qwen, with
``mm_vision_tower`` pointing to a path on the authors' machine), ``model-0000k-of-0000n.safetensors`` shards and
``model.safetensors.index.json``, tokenizer files. The repository root or a hub id are accepted too: the folder
holding config.json is found inside. Only safetensors are read; pickled ``.bin``/``.pt`` are refused.

The +1 vocabulary resize of the official loader is reproduced: one row is added to ``embed_tokens`` and
``lm_head``. It is the image placeholder: its embedding is never read (image features replace it) and greedy
decoding never emits it, so its initial values do not matter in real use (embedding: mean row; lm_head: zeros).
Tests load the reference's random rows (``added_rows``) to compare all 129 logits.
"""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path
from typing import Any

import torch
from safetensors import safe_open
from safetensors.torch import load_file
from torch import nn
from transformers import AutoTokenizer, CLIPVisionModel
from transformers.models.qwen2.modeling_qwen2 import Qwen2RotaryEmbedding

from core.model import sizing
from core.model.config import read_spec, read_vision_config
from core.model.decoder import VISION_KEY_MAPPING, VideoXLNetwork
from core.model.download import looks_like_hub_id
from core.model.errors import DoesNotFit, ModelError, ModelNotFound
from core.model.options import MemoryEstimate, ModelOptions
from core.model.paths import checkpoint_shards, resolve_model_folder, resolve_vision_tower
from core.model.quant import bnb_config
from core.model.session import Runtime
from core.model.videoxl import VideoXL
from core.model.vision import VisionEncoder
from core.progress import Progress, ProgressCallback


def pick_device(device: str) -> torch.device:
    """'auto' -> cuda > mps > cpu; an explicit device that is not there is an error."""
    has_mps = bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "mps" if has_mps else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise ModelError("device 'cuda' was asked for but no CUDA GPU is visible; use --device cpu or auto.")
    if device == "mps" and not has_mps:
        raise ModelError("device 'mps' was asked for but Apple's MPS is not available; use --device cpu or auto.")
    return torch.device(device)


def pick_dtype(dtype: str, device: torch.device) -> torch.dtype:
    """'auto' -> fp32 on CPU, bf16 on CUDA when supported else fp16, fp16 on MPS."""
    named = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}
    if dtype != "auto":
        return named[dtype]
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.float16 if device.type == "mps" else torch.float32


def estimate_memory(options: ModelOptions) -> MemoryEstimate:
    """Bytes the model will need on its device, from the shard headers only (nothing is loaded)."""
    folder = resolve_model_folder(options.model)
    spec = read_spec(folder)
    device = pick_device(options.device)
    dtype = pick_dtype(options.dtype, device)
    return sizing.estimate(folder, spec, device, dtype, options.quant)


def model_identity(folder: Path, quant: str) -> str:
    """Stable id of weights + config + quantization: hashes config, index and each shard's size, head and tail."""
    h = hashlib.sha256()
    for name in ("config.json", "model.safetensors.index.json"):
        if (folder / name).is_file():
            h.update((folder / name).read_bytes())
    for shard in checkpoint_shards(folder):
        size = shard.stat().st_size
        h.update(f"{shard.name}:{size}".encode())
        with shard.open("rb") as f:
            h.update(f.read(1 << 20))
            f.seek(max(0, size - (1 << 20)))
            h.update(f.read())
    h.update(quant.encode())
    return f"videoxl-{h.hexdigest()[:20]}"


def _checkpoint_has_vision(folder: Path) -> bool:
    for shard in checkpoint_shards(folder):
        with safe_open(str(shard), framework="pt") as f:
            if any(k.startswith("model.vision_tower.") for k in f.keys()):  # noqa: SIM118 - safe_open has no __iter__
                return True
    return False


@torch.no_grad()
def _add_placeholder_row(net: VideoXLNetwork, rows: dict[str, torch.Tensor] | None) -> None:
    """The official ``resize_token_embeddings(vocab + 1)``; ``rows`` gives the new rows (else mean / zeros)."""
    emb, head = net.model.embed_tokens, net.lm_head
    vocab, hidden = emb.weight.shape
    new_emb = nn.Embedding(vocab + 1, hidden, device=emb.weight.device, dtype=emb.weight.dtype)
    new_emb.weight[:vocab] = emb.weight
    new_head = nn.Linear(hidden, vocab + 1, bias=False, device=head.weight.device, dtype=head.weight.dtype)
    new_head.weight[:vocab] = head.weight
    if rows is not None:
        new_emb.weight[vocab] = rows["model.embed_tokens.weight.resized_rows"][0]
        new_head.weight[vocab] = rows["lm_head.weight.resized_rows"][0]
    else:
        new_emb.weight[vocab] = emb.weight.mean(dim=0)
        new_head.weight[vocab] = 0.0
    net.model.embed_tokens, net.lm_head = new_emb, new_head


def _load_network(folder: Path, clip: Path, device: torch.device, dtype: torch.dtype, quant: str) -> VideoXLNetwork:
    spec = read_spec(folder)
    config = spec.text_config()
    config.vision_config = read_vision_config(clip)
    kwargs: dict[str, Any] = {"config": config, "dtype": dtype, "key_mapping": VISION_KEY_MAPPING,
                                 "use_safetensors": True, "device_map": {"": str(device)}}
    if quant != "none":
        if device.type == "mps":
            raise ModelError(f"quant={quant} needs a CUDA GPU or the CPU (bitsandbytes); use --device cpu or --quant none.")
        kwargs["quantization_config"] = bnb_config(quant, dtype)
    try:
        net = VideoXLNetwork.from_pretrained(str(folder), **kwargs)
    except (OSError, ValueError, RuntimeError) as err:
        raise ModelError(f"cannot load the weights in {folder}: {err}") from err
    if not _checkpoint_has_vision(folder):
        tower = CLIPVisionModel.from_pretrained(str(clip), dtype=dtype, use_safetensors=True)
        net.model.vision_tower.vision_tower.load_state_dict(tower.state_dict())
        net.model.vision_tower.vision_tower.to(device)
    return net.eval()


def _load_tokenizer(folder: Path, required: bool) -> object | None:
    has_files = any((folder / n).is_file() for n in ("tokenizer.json", "vocab.json", "tokenizer_config.json"))
    if not has_files:
        if required:
            raise ModelNotFound(f"{folder} has no tokenizer (tokenizer.json or vocab.json + merges.txt); copy the "
                                "model's tokenizer files into it.")
        return None
    try:
        with warnings.catch_warnings():  # it reads config.json too, whose rope_scaling: null is "deprecated"
            warnings.simplefilter("ignore", FutureWarning)
            return AutoTokenizer.from_pretrained(str(folder))
    except (OSError, ValueError) as err:
        raise ModelError(f"cannot read the tokenizer in {folder}: {err}") from err


def _recordable(options: ModelOptions, folder: Path) -> ModelOptions:
    """``options`` with a local model and vision tower as absolute paths (a hub id stays a hub id), so a run that
    records them can load the same model from any working directory."""
    from dataclasses import replace

    model = options.model if looks_like_hub_id(options.model) else str(folder.resolve())
    tower = str(Path(options.vision_tower).expanduser().resolve()) if options.vision_tower else None
    return replace(options, model=model, vision_tower=tower)


def _stop_ids(tokenizer: object | None, eos: int | None) -> frozenset[int]:
    ids = {eos} if eos is not None else set()
    if tokenizer is not None:
        vocab = tokenizer.get_vocab()  # type: ignore[attr-defined]
        ids |= {vocab[t] for t in ("<|im_end|>", "<|endoftext|>") if t in vocab}
    return frozenset(i for i in ids if i is not None)


def load_model(options: ModelOptions, progress: ProgressCallback | None = None, *,
               added_rows: Path | None = None, require_tokenizer: bool = True) -> VideoXL:
    """Loads the checkpoint named by ``options`` (ModelError subclasses say what to fix).

    ``added_rows``: a safetensors file with the two rows of the +1 resize (reference tests); ``require_tokenizer``:
    False accepts a folder without tokenizer files (then only the id-level methods work).
    """
    report = progress or (lambda _p: None)
    report(Progress("load model", 0, 3, "steps", message=f"finding {options.model}"))
    folder = resolve_model_folder(options.model, report)
    spec = read_spec(folder)
    clip = resolve_vision_tower(folder, spec.vision_tower, options.vision_tower)
    device = pick_device(options.device)
    dtype = pick_dtype(options.dtype, device)
    estimate = sizing.estimate(folder, spec, device, dtype, options.quant)
    if not estimate.fits:
        raise DoesNotFit(estimate.message)
    report(Progress("load model", 1, 3, "steps", message=estimate.message))
    net = _load_network(folder, clip, device, dtype, options.quant)
    _add_placeholder_row(net, load_file(str(added_rows)) if added_rows is not None else None)
    tokenizer = _load_tokenizer(folder, require_tokenizer)
    report(Progress("load model", 2, 3, "steps", message="tokenizer and vision tower ready"))
    rotary = Qwen2RotaryEmbedding(spec.text_config()).to(device)
    runtime = Runtime(net, spec, rotary, device, dtype)
    batch = options.vision_batch or (10 if device.type == "cuda" else 5)
    vision = VisionEncoder(net, spec.vision_select_layer, batch, device, dtype)
    model = VideoXL(runtime, vision, tokenizer, model_identity(folder, options.quant),
                    _stop_ids(tokenizer, spec.eos_token_id), options=_recordable(options, folder))
    report(Progress("load model", 3, 3, "steps", message=f"loaded on {device} ({estimate.message})"))
    return model
