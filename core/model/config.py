"""The official Video-XL ``config.json`` (model_type ``llava_qwen``) read into one checked, frozen spec.

Only the settings this implementation supports are accepted (mlp2x_gelu projector, 2x2 average pooling, patch
features, interleaved q/k/v beacons); anything else fails with a message naming the key, so a checkpoint we do not
understand is never run silently wrong.

Special ids after the +1 vocabulary resize the official loader applies (``vocab`` = rows in the checkpoint):
``image_token_id = vocab`` (the placeholder whose embedding is never read: image features overwrite it) and
``beacon_token_id = vocab + 1`` (VST rows, embedded by ``beacon_embed_tokens[0]``). Qwen2-7B: vocab 152064 ->
placeholder 152064, beacon 152065; the tiny reference model: vocab 128 -> 128, 129.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transformers import CLIPVisionConfig, Qwen2Config

from core.model.errors import ModelError, ModelNotFound

FRAMES_PER_WINDOW = 10
PATCH_GRID = 24  # 336 px / 14 px patches -> 24 x 24 = 576 patch tokens per frame
POOLED_GRID = 12  # after 2x2 average pooling -> 12 x 12 = 144 tokens per frame
TOKENS_PER_FRAME = POOLED_GRID * POOLED_GRID  # 144
WINDOW_TOKENS = FRAMES_PER_WINDOW * TOKENS_PER_FRAME  # 1440 raw visual tokens per window
RATIOS = (2, 4, 8, 12, 16)  # compression ratios offered to users (the tiny golden cases also use 32)

_REQUIRED = {
    "mm_projector_type": "mlp2x_gelu",
    "mm_vision_select_feature": "patch",
}


@dataclass(frozen=True)
class VideoXLSpec:
    """Everything about the architecture that the code reads, from one config.json."""

    vocab_size: int  # rows in the checkpoint, before the +1 resize
    hidden_size: int
    intermediate_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    rms_norm_eps: float
    rope_theta: float
    max_position_embeddings: int
    hidden_act: str
    mm_hidden_size: int  # CLIP width (1024 for ViT-L)
    vision_select_layer: int  # hidden_states index, -2 = second-to-last layer
    vision_tower: str  # as written in config.json (often a path on the authors' machine)
    beacon_window: int  # raw tokens per window (1440)
    bos_token_id: int | None
    eos_token_id: int | None
    torch_dtype: str

    def __post_init__(self) -> None:
        if self.hidden_size % self.num_heads or self.num_heads % self.num_kv_heads:
            raise ModelError(
                f"config.json: hidden_size {self.hidden_size}, heads {self.num_heads}, kv heads "
                f"{self.num_kv_heads} do not divide; the checkpoint's config is damaged."
            )
        if self.beacon_window != WINDOW_TOKENS:
            raise ModelError(f"config.json: beacon_window {self.beacon_window} is not {WINDOW_TOKENS} (10 frames).")

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_heads

    @property
    def image_token_id(self) -> int:
        return self.vocab_size

    @property
    def beacon_token_id(self) -> int:
        return self.vocab_size + 1

    def text_config(self) -> Qwen2Config:
        """The Qwen2 settings of the language model (after the +1 resize the vocab grows by one)."""
        return Qwen2Config(
            vocab_size=self.vocab_size,
            hidden_size=self.hidden_size,
            intermediate_size=self.intermediate_size,
            num_hidden_layers=self.num_layers,
            num_attention_heads=self.num_heads,
            num_key_value_heads=self.num_kv_heads,
            hidden_act=self.hidden_act,
            max_position_embeddings=self.max_position_embeddings,
            rms_norm_eps=self.rms_norm_eps,
            rope_parameters={"rope_type": "default", "rope_theta": self.rope_theta},
            tie_word_embeddings=False,
            bos_token_id=self.bos_token_id,
            eos_token_id=self.eos_token_id,
        )

    def to_json(self) -> dict[str, Any]:
        """A config.json in the official layout (used by the tiny checkpoint writer)."""
        return {
            "architectures": ["LlavaQwenForCausalLM"],
            "model_type": "llava_qwen",
            "vocab_size": self.vocab_size,
            "hidden_size": self.hidden_size,
            "intermediate_size": self.intermediate_size,
            "num_hidden_layers": self.num_layers,
            "num_attention_heads": self.num_heads,
            "num_key_value_heads": self.num_kv_heads,
            "rms_norm_eps": self.rms_norm_eps,
            "rope_theta": self.rope_theta,
            "rope_scaling": None,
            "max_position_embeddings": self.max_position_embeddings,
            "hidden_act": self.hidden_act,
            "tie_word_embeddings": False,
            "bos_token_id": self.bos_token_id,
            "eos_token_id": self.eos_token_id,
            "torch_dtype": self.torch_dtype,
            "mm_hidden_size": self.mm_hidden_size,
            "mm_vision_select_layer": self.vision_select_layer,
            "mm_vision_tower": self.vision_tower,
            "mm_projector_type": "mlp2x_gelu",
            "mm_vision_select_feature": "patch",
            "mm_patch_merge_type": "unires",
            "mm_resampler_type": "spatial_pool",
            "mm_spatial_pool_mode": "average",
            "mm_spatial_pool_stride": 2,
            "enable_beacon": True,
            "beacon_window": self.beacon_window,
            "beacon_stride": self.beacon_window,
            "beacon_attn": "full-coverage",
            "beacon_param": ["q", "k", "v"],
            "beacon_pos": "interleave",
            "beacon_sink_size": 0,
            "beacon_accum": True,
            "beacon_ratio": [2, 4, 8],
            "use_cache": True,
        }


def _get(raw: dict[str, Any], key: str, default: Any = None) -> Any:
    if key not in raw and default is None:
        raise ModelError(f"config.json has no {key!r}; this is not a Video-XL (llava_qwen) checkpoint.")
    return raw.get(key, default)


def _check_supported(raw: dict[str, Any]) -> None:
    for key, want in _REQUIRED.items():
        if raw.get(key, want) != want:
            raise ModelError(f"config.json: {key} = {raw[key]!r}; Longwatch supports only {want!r}.")
    if raw.get("mm_resampler_type", "spatial_pool") != "spatial_pool" or raw.get("mm_spatial_pool_stride", 2) != 2:
        raise ModelError("config.json: only the 2x2 spatial average pool (144 tokens per frame) is supported.")
    if raw.get("beacon_pos", "interleave") != "interleave" or sorted(raw.get("beacon_param", "qkv")) != ["k", "q", "v"]:
        raise ModelError("config.json: only interleaved beacons with their own q/k/v projections are supported.")
    if raw.get("rope_scaling") not in (None, {}):
        raise ModelError(f"config.json: rope_scaling {raw['rope_scaling']!r} is not supported; use the original.")


def read_spec(folder: Path) -> VideoXLSpec:
    """Reads ``folder/config.json`` (a ModelNotFound naming the file when it is missing)."""
    path = folder / "config.json"
    if not path.is_file():
        raise ModelNotFound(f"{path} is missing; the model folder must hold the official config.json.")
    raw = json.loads(path.read_text(encoding="utf-8"))
    if raw.get("model_type") not in ("llava_qwen", "qwen2"):
        raise ModelError(f"{path}: model_type {raw.get('model_type')!r} is not llava_qwen (a Video-XL checkpoint).")
    _check_supported(raw)
    heads = int(_get(raw, "num_attention_heads"))
    return VideoXLSpec(
        vocab_size=int(_get(raw, "vocab_size")),
        hidden_size=int(_get(raw, "hidden_size")),
        intermediate_size=int(_get(raw, "intermediate_size")),
        num_layers=int(_get(raw, "num_hidden_layers")),
        num_heads=heads,
        num_kv_heads=int(raw.get("num_key_value_heads") or heads),
        rms_norm_eps=float(raw.get("rms_norm_eps", 1e-6)),
        rope_theta=float(raw.get("rope_theta", 1e6)),
        max_position_embeddings=int(raw.get("max_position_embeddings", 32768)),
        hidden_act=str(raw.get("hidden_act", "silu")),
        mm_hidden_size=int(_get(raw, "mm_hidden_size")),
        vision_select_layer=int(raw.get("mm_vision_select_layer", -2)),
        vision_tower=str(raw.get("mm_vision_tower", "")),
        beacon_window=int(raw.get("beacon_window", WINDOW_TOKENS)),
        bos_token_id=raw.get("bos_token_id"),
        eos_token_id=raw.get("eos_token_id"),
        torch_dtype=str(raw.get("torch_dtype", "bfloat16")),
    )


def read_vision_config(clip_folder: Path) -> CLIPVisionConfig:
    """The CLIP vision settings from a CLIP folder (a full CLIPModel config or a vision-only one)."""
    path = clip_folder / "config.json"
    if not path.is_file():
        raise ModelNotFound(f"{path} is missing; the CLIP vision tower folder must hold its config.json.")
    raw = json.loads(path.read_text(encoding="utf-8"))
    if "vision_config" in raw:
        raw = raw["vision_config"]
    keep = {k: v for k, v in raw.items() if k not in ("architectures", "model_type", "transformers_version")}
    return CLIPVisionConfig(**keep)
