"""Tiny random checkpoints in the official Video-XL layout, for tests, benchmarks and trying the pipeline.

``write_tiny_checkpoint(folder)`` writes what ``load_model`` accepts, shaped like sy1998/Video_XL's
VideoXL_weight_8 (sizes tiny): config.json (llava_qwen, ``mm_vision_tower`` pointing at a path on "the authors'
machine", resolved by name to the CLIP folder written inside), three safetensors shards with the official
parameter names and ``model.safetensors.index.json``, generation_config.json, a byte-level BPE tokenizer with the
Qwen2 special tokens and chat template, and ``clip-vit-large-patch14-336/`` (a tiny CLIPVisionModel with a
preprocessor_config.json). Weights are random but well scaled (N(0, 1/fan_in) matrices), so outputs vary.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import torch
from safetensors.torch import save_file
from transformers import CLIPVisionConfig, CLIPVisionModel

from core.model.config import WINDOW_TOKENS, VideoXLSpec
from core.model.decoder import VideoXLNetwork
from core.model.paths import CLIP_NAME
from core.model.tokenizer import SPECIAL_TOKENS, build_tiny_tokenizer, write_tokenizer
from core.model.vision import CLIP_MEAN, CLIP_SIZE, CLIP_STD

AUTHORS_CLIP_PATH = "/share/LXRlxr0_0/code/videoxl/clip-vit-large-patch14-336"  # as in the official config
TOKENIZER_SIZE = 384
N_SHARDS = 3


def tiny_spec(vocab_size: int, *, hidden: int = 64, layers: int = 2, heads: int = 4, kv_heads: int = 2,
              intermediate: int = 128, clip_hidden: int = 32) -> VideoXLSpec:
    """The settings of a tiny (or, with other sizes, a benchmark-sized) random model."""
    return VideoXLSpec(
        vocab_size=vocab_size, hidden_size=hidden, intermediate_size=intermediate, num_layers=layers,
        num_heads=heads, num_kv_heads=kv_heads, rms_norm_eps=1e-6, rope_theta=1e6, max_position_embeddings=32768,
        hidden_act="silu", mm_hidden_size=clip_hidden, vision_select_layer=-2, vision_tower=AUTHORS_CLIP_PATH,
        beacon_window=WINDOW_TOKENS, bos_token_id=None, eos_token_id=None, torch_dtype="float32",
    )


def tiny_clip_config(hidden: int = 32, layers: int = 3, heads: int = 2, intermediate: int = 64) -> CLIPVisionConfig:
    return CLIPVisionConfig(hidden_size=hidden, intermediate_size=intermediate, num_hidden_layers=layers,
                            num_attention_heads=heads, image_size=CLIP_SIZE, patch_size=14, projection_dim=hidden,
                            hidden_act="quick_gelu", layer_norm_eps=1e-5)


def _draw(name: str, shape: torch.Size, seed: int) -> torch.Tensor:
    """A well-scaled random tensor for parameter ``name`` (seeded from seed and the name)."""
    g = torch.Generator().manual_seed(seed * 1_000_003 + zlib.crc32(name.encode()))
    randn = torch.randn(shape, generator=g)
    if "norm" in name or "layrnorm" in name:
        return (1.0 + 0.1 * randn) if name.endswith("weight") else 0.1 * randn
    if name.endswith("bias"):
        return 0.1 * randn
    if "class_embedding" in name or "position_embedding" in name:
        return 0.5 * randn
    if "embed_tokens" in name:
        return randn
    fan_in = int(torch.tensor(shape[1:]).prod()) if len(shape) > 1 else 1
    return randn / fan_in**0.5


def random_network(spec: VideoXLSpec, clip: CLIPVisionConfig, seed: int) -> VideoXLNetwork:
    config = spec.text_config()
    config.vision_config = clip
    net = VideoXLNetwork(config)
    with torch.no_grad():
        for name, param in net.named_parameters():
            param.copy_(_draw(name, param.shape, seed))
    return net.eval()


def _official_names(net: VideoXLNetwork) -> dict[str, torch.Tensor]:
    prefix = "model.vision_tower.vision_tower."
    out = {}
    for name, tensor in net.state_dict().items():
        if name.startswith(prefix):
            name = prefix + "vision_model." + name[len(prefix):]
        out[name] = tensor.contiguous().clone()
    return out


def write_shards(folder: Path, tensors: dict[str, torch.Tensor], n_shards: int = N_SHARDS) -> None:
    """``model-0000k-of-0000n.safetensors`` of about equal size + ``model.safetensors.index.json``."""
    total = sum(t.numel() * t.element_size() for t in tensors.values())
    per = total / n_shards
    shards: list[dict[str, torch.Tensor]] = [{} for _ in range(n_shards)]
    done = 0
    for name, t in tensors.items():
        shards[min(int(done // per), n_shards - 1)][name] = t
        done += t.numel() * t.element_size()
    weight_map = {}
    for k, part in enumerate(shards, start=1):
        fname = f"model-{k:05d}-of-{n_shards:05d}.safetensors"
        save_file(part, str(folder / fname), metadata={"format": "pt"})
        weight_map.update({name: fname for name in part})
    index = {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}
    (folder / "model.safetensors.index.json").write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")


def write_clip_folder(folder: Path, tower: CLIPVisionModel) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tower.save_pretrained(str(folder), safe_serialization=True)
    pre = {"crop_size": CLIP_SIZE, "do_center_crop": True, "do_normalize": True, "do_resize": True,
           "image_mean": CLIP_MEAN.tolist(), "image_std": CLIP_STD.tolist(), "resample": 3, "size": CLIP_SIZE,
           "feature_extractor_type": "CLIPFeatureExtractor"}
    (folder / "preprocessor_config.json").write_text(json.dumps(pre, indent=2) + "\n", encoding="utf-8")


def write_checkpoint(folder: Path, spec: VideoXLSpec, clip: CLIPVisionConfig, *, seed: int = 0,
                     dtype: torch.dtype = torch.float32, n_shards: int = N_SHARDS) -> Path:
    """Writes a random checkpoint of the given sizes in the official layout (tokenizer included).

    ``dtype`` is the stored precision (the official release is bf16). The tokenizer has 384 ids whatever
    ``spec.vocab_size`` is (a larger vocabulary only adds unused rows, as Qwen2's padded vocabulary does).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tok = build_tiny_tokenizer(TOKENIZER_SIZE)
    net = random_network(spec, clip, seed)
    write_shards(folder, {k: v.to(dtype) for k, v in _official_names(net).items()}, n_shards)
    write_clip_folder(folder / CLIP_NAME, net.model.vision_tower.vision_tower)  # the same CLIP weights
    del net
    config = spec.to_json()
    config["torch_dtype"] = str(dtype).removeprefix("torch.")
    config["eos_token_id"] = tok.token_to_id("<|im_end|>")
    config["bos_token_id"] = tok.token_to_id("<|endoftext|>")
    (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    gen = {"bos_token_id": config["bos_token_id"], "eos_token_id": config["eos_token_id"], "do_sample": False}
    (folder / "generation_config.json").write_text(json.dumps(gen, indent=2) + "\n", encoding="utf-8")
    write_tokenizer(folder, tok, max_length=32768)
    return folder


def write_tiny_checkpoint(folder: Path, *, seed: int = 0) -> Path:
    """A complete tiny random Video-XL checkpoint in ``folder`` (created); returns the folder.

    Sizes: LLM hidden 64, 2 layers, 4 heads / 2 KV heads, vocab 385 (384 tokenizer ids, the Qwen2 special tokens
    last, + 1 spare row like Qwen2's padded vocab); CLIP 336 px / 14 px patches, width 32, 3 layers.
    """
    vocab = TOKENIZER_SIZE + 1
    assert len(SPECIAL_TOKENS) < TOKENIZER_SIZE
    return write_checkpoint(Path(folder), tiny_spec(vocab), tiny_clip_config(), seed=seed)
