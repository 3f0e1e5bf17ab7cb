"""bitsandbytes settings: 4-bit NF4 with double quantization, or 8-bit LLM.int8, for the decoder only.

Kept in full precision (``SKIP_MODULES``), and why:

* ``model.vision_tower`` - CLIP is ~0.3 B parameters (0.6 GB fp16), every visual token flows through it, and a
  4-bit CLIP shifts features enough to change what is indexed; PLATFORM.md: the bare name ``vision_tower`` does
  not match in transformers 5 and the tower is then silently quantized, so the pattern names the full path;
* ``model.mm_projector`` - two small matrices (~16 M parameters at 7B) that map every visual token;
* ``lm_head`` - the output row for every id (transformers keeps it by default; an explicit list replaces the
  default, so it is named again).

The beacon projections (``beacon_{q,k,v}_proj``) **are** quantized like ``{q,k,v}_proj``: they have the same
shapes and role (one per layer, ~0.46 B parameters at 7B, 0.9 GB in fp16 vs 0.25 GB in NF4), and the tests measure
the quantized model's logits against fp32 with them quantized.
"""

from __future__ import annotations

import logging

import torch
from torch import nn
from transformers import BitsAndBytesConfig

SKIP_MODULES = ["model.vision_tower", "model.mm_projector", "lm_head"]


def bnb_config(quant: str, compute_dtype: torch.dtype) -> BitsAndBytesConfig:
    """The quantization config for ``quant`` in ("4bit", "8bit")."""
    logging.getLogger("bitsandbytes").setLevel(logging.ERROR)  # silences a per-import/per-matmul CPU notice
    if quant == "4bit":
        return BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=compute_dtype,
            llm_int8_skip_modules=list(SKIP_MODULES),
        )
    if quant == "8bit":
        return BitsAndBytesConfig(load_in_8bit=True, llm_int8_skip_modules=list(SKIP_MODULES))
    raise ValueError(f"quant={quant!r}: expected '4bit' or '8bit'.")


def quantized_modules(module: nn.Module) -> list[str]:
    """Names of the submodules whose weights are bitsandbytes-quantized (empty for a full-precision model)."""
    names = []
    for name, sub in module.named_modules():
        weight = getattr(sub, "weight", None)
        if weight is not None and type(weight).__name__ in ("Params4bit", "Int8Params"):
            names.append(name)
    return names


def quantized_bytes_per_param(quant: str) -> float:
    """Storage per quantized weight: NF4 0.5 B + double-quantized absmax (~1/64 B per 64 weights); int8 1 B + scales."""
    return {"4bit": 0.5 + 1 / 64 + 1 / 2048, "8bit": 1.0 + 1 / 256}[quant]
