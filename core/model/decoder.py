"""The Video-XL network: CLIP vision tower, projector and the Qwen2 decoder with beacon attention.

Composed from transformers' public parts: ``CLIPVisionModel`` (the tower), ``Qwen2MLP``, ``Qwen2RMSNorm`` and
``Qwen2RotaryEmbedding`` (built by the caller, next to the cache); only the attention (``core.model.attention``) is ours, because VST rows need their own
projections. Module names follow the official checkpoint, so its safetensors shards load by name:

    model.embed_tokens, model.beacon_embed_tokens, model.layers.{i}.self_attn.{q,k,v,o,beacon_q,beacon_k,beacon_v}_proj,
    model.layers.{i}.mlp.*, model.layers.{i}.{input,post_attention}_layernorm, model.norm, lm_head,
    model.mm_projector.{0,2}, model.vision_tower.vision_tower.* (checkpoint: ...vision_tower.vision_model.*)

``VideoXLNetwork`` is a ``PreTrainedModel`` only so that ``from_pretrained`` can load the sharded checkpoint with
dtype, device map and bitsandbytes quantization; it has no ``forward``: the encode/answer loops in
``core.model.session`` drive its layers chunk by chunk.
"""

from __future__ import annotations

import torch
from torch import nn
from transformers import CLIPVisionConfig, CLIPVisionModel, PreTrainedModel, Qwen2Config
from transformers.models.qwen2.modeling_qwen2 import Qwen2MLP, Qwen2RMSNorm

from core.model.attention import BeaconAttention, ChunkKV

# Checkpoint names of the CLIP tower -> our module names (transformers 5's CLIPVisionModel has no vision_model).
VISION_KEY_MAPPING = {r"^model\.vision_tower\.vision_tower\.vision_model\.": "model.vision_tower.vision_tower."}


class DecoderLayer(nn.Module):
    """Pre-norm Qwen2 block: beacon attention then the shared MLP, each with a residual."""

    def __init__(self, config: Qwen2Config) -> None:
        super().__init__()
        self.self_attn = BeaconAttention(config)
        self.mlp = Qwen2MLP(config)
        self.input_layernorm = Qwen2RMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        self.post_attention_layernorm = Qwen2RMSNorm(config.hidden_size, eps=config.rms_norm_eps)

    def forward(
        self,
        x: torch.Tensor,  # (B, T, hidden)
        beacon_rows: torch.Tensor | None,
        cos: torch.Tensor,
        sin: torch.Tensor,
        memory_k: torch.Tensor | None,
        memory_v: torch.Tensor | None,
        mask: torch.Tensor | None,
        want_probs: bool = False,
    ) -> tuple[torch.Tensor, ChunkKV, torch.Tensor | None]:
        attn, kv, probs = self.self_attn(
            self.input_layernorm(x), beacon_rows, cos, sin, memory_k, memory_v, mask, want_probs
        )
        x = x + attn.to(x.dtype)
        x = x + self.mlp(self.post_attention_layernorm(x)).to(x.dtype)
        return x, kv, probs


class VisionTowerHolder(nn.Module):
    """Keeps the official nesting ``model.vision_tower.vision_tower`` (a CLIPVisionModel)."""

    def __init__(self, config: CLIPVisionConfig) -> None:
        super().__init__()
        self.vision_tower = CLIPVisionModel(config)


class Projector(nn.Sequential):
    """mlp2x_gelu: Linear(mm_hidden -> hidden), GELU (erf), Linear(hidden -> hidden); names ``0`` and ``2``."""

    def __init__(self, mm_hidden: int, hidden: int) -> None:
        super().__init__(nn.Linear(mm_hidden, hidden), nn.GELU(), nn.Linear(hidden, hidden))


class VideoXLBody(nn.Module):
    """Everything under the ``model.`` prefix of the official checkpoint."""

    def __init__(self, config: Qwen2Config) -> None:
        super().__init__()
        vision_config: CLIPVisionConfig = config.vision_config  # attached by the loader
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.beacon_embed_tokens = nn.Embedding(1, config.hidden_size)
        self.layers = nn.ModuleList(DecoderLayer(config) for _ in range(config.num_hidden_layers))
        self.norm = Qwen2RMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        self.mm_projector = Projector(vision_config.hidden_size, config.hidden_size)
        self.vision_tower = VisionTowerHolder(vision_config)


class VideoXLNetwork(PreTrainedModel):
    """The loadable parameter tree (``model.*`` + ``lm_head``); see the module docstring."""

    config_class = Qwen2Config
    base_model_prefix = "videoxl"
    main_input_name = "input_ids"
    _no_split_modules = ["DecoderLayer", "CLIPEncoderLayer"]  # noqa: RUF012 - transformers reads a list
    _supports_sdpa = True

    def __init__(self, config: Qwen2Config) -> None:
        super().__init__(config)
        self.model = VideoXLBody(config)
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        self.post_init()

    def get_input_embeddings(self) -> nn.Module:
        return self.model.embed_tokens

    def get_output_embeddings(self) -> nn.Module:
        return self.lm_head

    @torch.no_grad()
    def _init_weights(self, module: nn.Module) -> None:
        # Only used for tensors a checkpoint does not provide (the tiny writer fills every tensor itself).
        std = 0.02
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, std=std)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, std=std)
        elif isinstance(module, Qwen2RMSNorm):
            nn.init.ones_(module.weight)
