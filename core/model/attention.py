"""Beacon attention: Qwen2 attention whose VST rows use their own q/k/v projections, over a kept memory.

One call processes one chunk (T rows) of a batch against a memory of M kept keys/values:

* rows listed in ``beacon_rows`` are projected by ``beacon_{q,k,v}_proj``, all others by ``{q,k,v}_proj``;
  ``o_proj`` is shared;
* the memory keys arrive already rotated at positions 0..M-1; the chunk's queries and keys are rotated at
  M..M+T-1 (RoPE over contiguous positions of what is kept);
* the chunk sees the whole memory and itself causally (``blocked_attention``: no (T, M+T) mask is built);
* the chunk's **pre-RoPE** keys and its values are returned so the caller decides what to keep.

Worked example (tiny case n25, r=4, window 1): memory = 14 sink keys at 0..13, chunk = 1440 raw + 360 VST rows at
positions 14..1813; after the window the 360 VST keys are kept and re-rotated at 14..373 for window 2.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from transformers import Qwen2Config
from transformers.models.qwen2.modeling_qwen2 import apply_rotary_pos_emb


@dataclass(frozen=True, eq=False)
class ChunkKV:
    """A chunk's keys before and after RoPE and its values, (batch, kv_heads, T, head_dim) each."""

    keys: torch.Tensor
    rotated_keys: torch.Tensor
    values: torch.Tensor


def rotate_keys(keys: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Applies RoPE to keys (batch, kv_heads, n, head_dim) with cos/sin (batch, n, head_dim)."""
    cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)
    half = keys.shape[-1] // 2
    rotated = torch.cat((-keys[..., half:], keys[..., :half]), dim=-1)
    return keys * cos + rotated * sin


def chunk_mask(allowed: torch.Tensor, t: int) -> torch.Tensor:
    """Boolean attention mask (batch, 1, T, M+T): memory keys where ``allowed`` (batch, M), then causal."""
    b, m = allowed.shape
    causal = torch.ones(t, t, dtype=torch.bool, device=allowed.device).tril()
    mem = allowed[:, None, None, :].expand(b, 1, t, m)
    return torch.cat((mem, causal.expand(b, 1, t, t)), dim=-1)


def blocked_attention(
    q: torch.Tensor,  # (B, heads, T, head_dim), rotated
    memory_k: torch.Tensor,  # (B, kv_heads, M, head_dim), rotated, all visible
    memory_v: torch.Tensor,
    k: torch.Tensor,  # (B, kv_heads, T, head_dim), rotated, causal
    v: torch.Tensor,
    block: int = 1024,
) -> torch.Tensor:
    """softmax(q K^T / sqrt(d)) V over [memory; chunk], ``block`` keys at a time (online softmax, float32).

    Hand-written because no SDPA kernel on the CPU takes "memory fully visible + causal chunk" without
    materialising a (T, M+T) mask: that mask grows with the kept memory (543 MB at 2048 frames, ratio 4, T=1800).
    Here the working set is (B, heads, T, block) whatever M is.
    """
    b, h, t, d = q.shape
    groups = h // k.shape[1]
    qf = q.float() * d**-0.5
    m = torch.full((b, h, t, 1), float("-inf"), device=q.device)
    denom = torch.zeros((b, h, t, 1), device=q.device)
    acc = torch.zeros((b, h, t, d), device=q.device)
    rows = torch.arange(t, device=q.device)[:, None]

    def absorb(kb: torch.Tensor, vb: torch.Tensor, first_col: int | None) -> None:
        nonlocal m, denom, acc
        scores = qf @ kb.float().repeat_interleave(groups, dim=1).transpose(-1, -2)  # (B, heads, T, n)
        if first_col is not None:  # chunk keys first_col..: query i sees key j iff j <= i
            cols = torch.arange(first_col, first_col + kb.shape[2], device=q.device)[None, :]
            scores.masked_fill_(cols > rows, float("-inf"))
        m_new = torch.maximum(m, scores.amax(dim=-1, keepdim=True))
        correction, p = torch.exp(m - m_new), scores.sub_(m_new).exp_()  # in place: one (B, heads, T, n) buffer
        denom = denom * correction + p.sum(dim=-1, keepdim=True)
        acc = acc * correction + p @ vb.float().repeat_interleave(groups, dim=1)
        m = m_new

    for start in range(0, memory_k.shape[2], block):
        absorb(memory_k[:, :, start : start + block], memory_v[:, :, start : start + block], None)
    for start in range(0, t, block):
        absorb(k[:, :, start : start + block], v[:, :, start : start + block], start)
    return (acc / denom).to(q.dtype)


class BeaconAttention(nn.Module):
    """Qwen2 self-attention plus ``beacon_{q,k,v}_proj`` for VST rows (official parameter names)."""

    def __init__(self, config: Qwen2Config) -> None:
        super().__init__()
        self.num_heads = config.num_attention_heads
        self.num_kv_heads = int(config.num_key_value_heads or config.num_attention_heads)
        self.head_dim = config.hidden_size // config.num_attention_heads
        h, q_out, kv_out = config.hidden_size, self.num_heads * self.head_dim, self.num_kv_heads * self.head_dim
        self.q_proj = nn.Linear(h, q_out, bias=True)
        self.k_proj = nn.Linear(h, kv_out, bias=True)
        self.v_proj = nn.Linear(h, kv_out, bias=True)
        self.o_proj = nn.Linear(q_out, h, bias=False)
        self.beacon_q_proj = nn.Linear(h, q_out, bias=True)
        self.beacon_k_proj = nn.Linear(h, kv_out, bias=True)
        self.beacon_v_proj = nn.Linear(h, kv_out, bias=True)

    def _route(self, x: torch.Tensor, plain: nn.Module, beacon: nn.Module, rows: torch.Tensor | None) -> torch.Tensor:
        """Projects raw rows with ``plain`` and the rows in ``rows`` with ``beacon``: (B, T, out)."""
        if rows is None or rows.numel() == 0:
            return plain(x)
        is_beacon = torch.zeros(x.shape[1], dtype=torch.bool, device=x.device)
        is_beacon[rows] = True
        raw_out = plain(x[:, ~is_beacon])
        beacon_out = beacon(x[:, is_beacon])
        out = raw_out.new_empty(x.shape[0], x.shape[1], raw_out.shape[-1])
        out[:, ~is_beacon] = raw_out
        out[:, is_beacon] = beacon_out.to(raw_out.dtype)
        return out

    def _heads(self, t: torch.Tensor, n: int) -> torch.Tensor:
        b, s, _ = t.shape
        return t.view(b, s, n, self.head_dim).transpose(1, 2)

    def forward(
        self,
        x: torch.Tensor,  # (B, T, hidden), normed
        beacon_rows: torch.Tensor | None,  # (n_beacons,) row indices of VSTs in the chunk
        cos: torch.Tensor,  # (B, T, head_dim) at positions M..M+T-1
        sin: torch.Tensor,
        memory_k: torch.Tensor | None,  # (B, kv_heads, M, head_dim), rotated at 0..M-1
        memory_v: torch.Tensor | None,
        mask: torch.Tensor | None,  # (B, 1, T, M+T) bool for a partly hidden memory; None = memory all visible
        want_probs: bool = False,
    ) -> tuple[torch.Tensor, ChunkKV, torch.Tensor | None]:
        q = self._heads(self._route(x, self.q_proj, self.beacon_q_proj, beacon_rows), self.num_heads)
        k = self._heads(self._route(x, self.k_proj, self.beacon_k_proj, beacon_rows), self.num_kv_heads)
        v = self._heads(self._route(x, self.v_proj, self.beacon_v_proj, beacon_rows), self.num_kv_heads)
        q_rot, k_rot = apply_rotary_pos_emb(q, k, cos, sin)
        has_memory = memory_k is not None and memory_v is not None and memory_k.shape[2] > 0
        probs = None
        if want_probs:
            keys, values = k_rot, v
            if has_memory:
                keys = torch.cat((memory_k.to(k_rot.dtype), k_rot), dim=2)  # type: ignore[union-attr]
                values = torch.cat((memory_v.to(v.dtype), v), dim=2)  # type: ignore[union-attr]
            out, probs = self._eager(q_rot, keys, values, mask)
        elif has_memory and mask is None:
            out = blocked_attention(q_rot, memory_k, memory_v, k_rot, v)  # type: ignore[arg-type]
        elif has_memory:
            keys = torch.cat((memory_k.to(k_rot.dtype), k_rot), dim=2)  # type: ignore[union-attr]
            values = torch.cat((memory_v.to(v.dtype), v), dim=2)  # type: ignore[union-attr]
            out = nn.functional.scaled_dot_product_attention(q_rot, keys, values, attn_mask=mask, enable_gqa=True)
        else:
            out = nn.functional.scaled_dot_product_attention(q_rot, k_rot, v, is_causal=True, enable_gqa=True)
        b, _, t, _ = out.shape
        out = self.o_proj(out.transpose(1, 2).reshape(b, t, self.num_heads * self.head_dim))
        return out, ChunkKV(k, k_rot, v), probs

    def _eager(
        self, q: torch.Tensor, keys: torch.Tensor, values: torch.Tensor, mask: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Attention that also returns the probabilities (B, heads, T, M+T), for relevance read-outs."""
        groups = self.num_heads // self.num_kv_heads
        keys, values = keys.repeat_interleave(groups, dim=1), values.repeat_interleave(groups, dim=1)
        scores = (q @ keys.transpose(-1, -2)) * self.head_dim**-0.5
        if mask is None:
            t, s = q.shape[2], keys.shape[2]
            mask = torch.ones(t, s, dtype=torch.bool, device=q.device).tril(s - t)[None, None]
        scores = scores.float().masked_fill(~mask, float("-inf"))
        probs = scores.softmax(dim=-1)
        return (probs.to(values.dtype) @ values), probs
