"""The blocked memory attention equals plain attention with the explicit "memory visible + causal" mask."""

from __future__ import annotations

import torch

from core.model.attention import blocked_attention, chunk_mask


def test_blocked_attention_matches_masked_sdpa() -> None:
    g = torch.Generator().manual_seed(0)
    q = torch.randn(2, 4, 37, 16, generator=g)
    mem_k, mem_v = torch.randn(2, 2, 53, 16, generator=g), torch.randn(2, 2, 53, 16, generator=g)
    k, v = torch.randn(2, 2, 37, 16, generator=g), torch.randn(2, 2, 37, 16, generator=g)
    mask = chunk_mask(torch.ones(2, 53, dtype=torch.bool), 37)
    ref = torch.nn.functional.scaled_dot_product_attention(
        q, torch.cat((mem_k, k), 2), torch.cat((mem_v, v), 2), attn_mask=mask, enable_gqa=True)
    for block in (5, 16, 4096):  # memory and chunk split into several blocks, or one
        out = blocked_attention(q, mem_k, mem_v, k, v, block=block)
        assert (out - ref).abs().max().item() < 1e-5
    no_memory = blocked_attention(q, mem_k[:, :, :0], mem_v[:, :, :0], k, v, block=8)
    causal = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
    assert (no_memory - causal).abs().max().item() < 1e-5
