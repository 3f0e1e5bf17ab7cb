"""Per-call state of the model: a cache of kept keys/values and the chunk-by-chunk forward over it.

A ``Session`` is created for one encode, answer or scoring call and dropped after it; the loaded model holds no
per-video state, so two videos (or two questions) can never see each other's memory. The cache is an explicit
``KeptKV`` of keys **rotated** at their contiguous positions 0..M-1 of what is kept ([sink; VSTs; ...]):
positions of kept entries never change while one session runs (new entries are appended at the end), so
rotating each entry once on entry equals the official code's re-rotation of pre-RoPE keys at every forward.

Position arithmetic, worked example (sink of 14 tokens, ratio 4, 25 frames): window 0 has 1440 raw + 360 VST rows
at positions 14..1813; its VSTs are kept at 14..373; window 1 runs at 374..2173 and its VSTs are kept at
374..733; window 2 (5 frames, 720 raw + 180 VSTs) runs at 734..1633; the question then starts at 14 + 900 = 914.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import torch
from transformers.models.qwen2.modeling_qwen2 import Qwen2RotaryEmbedding

from core.model.attention import ChunkKV, chunk_mask, rotate_keys
from core.model.config import VideoXLSpec
from core.model.decoder import VideoXLNetwork


@dataclass(frozen=True, eq=False)
class Runtime:
    """What the loops need from a loaded model (shared, read-only)."""

    network: VideoXLNetwork
    spec: VideoXLSpec
    rotary: Qwen2RotaryEmbedding
    device: torch.device
    dtype: torch.dtype  # activation dtype


@dataclass(frozen=True, eq=False)
class ChunkOutput:
    """One forward: last hidden states (B, T, hidden) before the final norm, per-layer K/V, optional probs."""

    hidden: torch.Tensor
    kv: tuple[ChunkKV, ...]
    probs: tuple[torch.Tensor, ...]  # per layer (B, heads, T, M+T) when asked, else ()


def interleave_beacons(tokens: torch.Tensor, ratio: int, beacon: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Raw tokens (n, hidden) -> chunk (n + n//ratio, hidden) with one VST after every ``ratio`` raw rows.

    Row i of the chunk is a VST iff ``i % (ratio + 1) == ratio`` and i < (n//ratio)*(ratio+1); leftover raw rows
    (n % ratio) come last, summarised by no VST. Example: n=10, ratio=4 -> rows 4 and 9 are VSTs, rows 10, 11 raw.
    Returns (chunk, beacon_rows).
    """
    n, hidden = tokens.shape
    nb = n // ratio
    rows = torch.arange(nb, device=tokens.device) * (ratio + 1) + ratio
    is_beacon = torch.zeros(n + nb, dtype=torch.bool, device=tokens.device)
    is_beacon[rows] = True
    chunk = tokens.new_empty(n + nb, hidden)
    chunk[~is_beacon] = tokens
    chunk[is_beacon] = beacon.to(tokens.dtype)
    return chunk, rows


class KeptKV:
    """Per-layer rotated keys/values at positions 0..length-1 in buffers that grow by doubling.

    Hand-written instead of transformers' ``DynamicCache``: its layers grow by ``torch.cat``, which re-allocates
    the whole memory at every window; the freed blocks, each a little smaller than the next request, fragment the
    CPU heap (measured: 822 MB working peak at 2048 frames for 9 MB of kept VSTs). Doubling re-allocates
    log2(M) times and keeps at most twice the kept size.
    """

    def __init__(self) -> None:
        self._keys: list[torch.Tensor] = []  # (B, kv_heads, capacity, head_dim)
        self._values: list[torch.Tensor] = []
        self.length = 0

    def append(self, keys: Sequence[torch.Tensor], values: Sequence[torch.Tensor]) -> None:
        """Appends (B, kv_heads, n, head_dim) per layer, every layer at once."""
        n = keys[0].shape[2]
        end = self.length + n
        for layer, (k, v) in enumerate(zip(keys, values, strict=True)):
            if layer == len(self._keys):
                self._keys.append(k.new_empty(*k.shape[:2], max(end, 256), k.shape[3]))
                self._values.append(v.new_empty(*v.shape[:2], max(end, 256), v.shape[3]))
            elif end > self._keys[layer].shape[2]:
                self._keys[layer] = self._grow(self._keys[layer], end)
                self._values[layer] = self._grow(self._values[layer], end)
            self._keys[layer][:, :, self.length : end] = k
            self._values[layer][:, :, self.length : end] = v
        self.length = end

    def _grow(self, buf: torch.Tensor, need: int) -> torch.Tensor:
        bigger = buf.new_empty(*buf.shape[:2], max(need, 2 * buf.shape[2]), buf.shape[3])
        bigger[:, :, : self.length] = buf[:, :, : self.length]
        return bigger

    def layer(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Views (B, kv_heads, M, head_dim) of the kept keys and values of one layer."""
        return self._keys[index][:, :, : self.length], self._values[index][:, :, : self.length]


class Session:
    """Kept memory (rotated K/V, batch B) plus the forward of one chunk over it."""

    def __init__(self, rt: Runtime, batch: int = 1) -> None:
        self.rt = rt
        self.batch = batch
        self.kept = KeptKV()

    @property
    def length(self) -> int:
        """M: kept positions 0..M-1."""
        return self.kept.length

    def keep(self, keys: Sequence[torch.Tensor], values: Sequence[torch.Tensor]) -> None:
        """Appends pre-RoPE K/V per layer, (B, kv_heads, n, head_dim), rotated at positions M..M+n-1."""
        n = keys[0].shape[2]
        if n == 0:
            return
        cos, sin = self._cos_sin(self.length, n)
        dev, dt = self.rt.device, self.rt.dtype
        self.kept.append([rotate_keys(k.to(dev, dt), cos, sin) for k in keys], [v.to(dev, dt) for v in values])

    def keep_rotated(self, kv: Sequence[ChunkKV]) -> None:
        """Appends a chunk's already rotated K/V (it ran at positions M..M+T-1, so they stay valid)."""
        self.kept.append([item.rotated_keys for item in kv], [item.values for item in kv])

    def _cos_sin(self, start: int, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        pos = torch.arange(start, start + n, device=self.rt.device)[None].expand(self.batch, n)
        probe = torch.empty(0, device=self.rt.device, dtype=self.rt.dtype)
        return self.rt.rotary(probe, pos)

    @torch.no_grad()
    def forward(
        self,
        x: torch.Tensor,  # (B, T, hidden) input embeddings
        beacon_rows: torch.Tensor | None = None,
        want_probs: bool = False,
    ) -> ChunkOutput:
        """Runs every layer on the chunk at positions M..M+T-1; the cache itself is not changed."""
        t = x.shape[1]
        cos, sin = self._cos_sin(self.length, t)
        mask = None  # the whole kept memory is visible, the chunk is causal (see blocked_attention)
        if self.length and want_probs:
            allowed = torch.ones(self.batch, self.length, dtype=torch.bool, device=self.rt.device)
            mask = chunk_mask(allowed, t)
        kvs, probs = [], []
        h = x.to(self.rt.dtype)
        for layer, block in enumerate(self.rt.network.model.layers):
            mk, mv = self.kept.layer(layer) if self.length else (None, None)
            h, kv, p = block(h, beacon_rows, cos, sin, mk, mv, mask, want_probs)
            kvs.append(kv)
            if p is not None:
                probs.append(p)
        return ChunkOutput(h, tuple(kvs), tuple(probs))

    def logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """Final norm + lm_head on hidden rows (..., hidden) -> (..., vocab + 1), float32."""
        net = self.rt.network
        return net.lm_head(net.model.norm(hidden)).float()


def embed_ids(rt: Runtime, ids: Sequence[int]) -> torch.Tensor:
    """Token ids -> (1, T, hidden) embeddings (the beacon id maps to ``beacon_embed_tokens[0]``)."""
    t = torch.tensor(list(ids), dtype=torch.long, device=rt.device)
    model = rt.network.model
    out = model.embed_tokens(t.clamp(max=rt.spec.image_token_id))
    is_beacon = t == rt.spec.beacon_token_id
    if bool(is_beacon.any()):
        out[is_beacon] = model.beacon_embed_tokens.weight[0].to(out.dtype)
    return out[None]


def greedy(
    session: Session,
    prompt_ids: Sequence[int],
    max_new_tokens: int,
    stop_ids: frozenset[int],
    check: Callable[[], None],
    first_logits: list[torch.Tensor] | None = None,
) -> Iterator[int]:
    """Feeds the prompt after the kept memory, then yields greedy ids one at a time (stops at a stop id).

    The placeholder id (``image_token_id``, the row the +1 resize adds) is never emitted: it has no text.
    ``first_logits`` (when given) receives each step's float32 logits row, for equivalence checks.
    """
    rt = session.rt
    x = embed_ids(rt, prompt_ids)
    for step in range(max_new_tokens):
        check()
        out = session.forward(x)
        session.keep_rotated(out.kv)
        logits = session.logits(out.hidden[:, -1])[0]  # (vocab + 1,)
        if first_logits is not None:
            first_logits.append(logits.detach().clone().cpu())
        logits[rt.spec.image_token_id :] = float("-inf")
        token = int(logits.argmax())
        yield token
        if token in stop_ids or step == max_new_tokens - 1:
            return
        x = embed_ids(rt, [token])
