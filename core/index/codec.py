"""The storage codec: one window's VST keys/values <-> one SQLite blob plus a JSON header.

Blob layout (little-endian, C order), all layers of one window:

* ``fp16``: for layer 0..L-1: keys ``(kv_heads, n_vst, head_dim)`` then values, float16. A window of a Qwen2-7B
  memory at ratio 8 (180 VSTs) is 28 layers x 2 x 4 heads x 180 x 128 x 2 bytes = 10.3 MB.
* ``int8``: first the float32 scales, then the int8 codes. Keys are quantised per channel (one scale per head and
  channel, shared by the window's VSTs: keys have outlier channels), values per token (one scale per head and
  VST), symmetric, ``scale = max|x| / 127`` (KIVI, arXiv 2402.02750). Scales first keeps them 4-byte aligned so
  they are read with ``torch.frombuffer`` in place. Bytes: ``n_vst*head_dim`` codes + ``head_dim + n_vst``
  scales per head and layer, about 0.52 of fp16 at 180 VSTs.

``meta_json`` (the ``memory_windows.meta_json`` column) names the codec, shapes and the dtype the model computed
in, plus the per-VST frame index and time, so a reader needs nothing else. Reading wraps the blob with
``torch.frombuffer`` (no copy) and slices views per layer; the only copy is the cast to the compute dtype.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import torch

from core.errors import StoreError
from core.index.options import STORAGE_CODECS
from core.model.memory import WindowMemory

FORMAT_VERSION = 1
_INT8_MAX = 127.0

_DTYPES: dict[str, torch.dtype] = {
    "float32": torch.float32,
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
}


@dataclass(frozen=True)
class EncodedWindow:
    """One window ready for the ``memory_windows`` table."""

    index: int
    blob: bytes
    meta_json: str
    n_vst: int
    start_s: float
    end_s: float


def _dtype_name(dtype: torch.dtype) -> str:
    for name, d in _DTYPES.items():
        if d == dtype:
            return name
    raise StoreError(f"Cannot store a memory computed in {dtype}; use float32, float16 or bfloat16.")


def encode_window(window: WindowMemory, codec: str = "fp16") -> EncodedWindow:
    """Serialise ``window`` with ``codec`` ("fp16" or "int8"). Deterministic: same tensors -> same bytes."""
    if codec not in STORAGE_CODECS:
        raise StoreError(f"Unknown storage codec {codec!r}; use one of {', '.join(STORAGE_CODECS)}.")
    layers = len(window.keys)
    heads, n_vst, head_dim = (int(x) for x in window.keys[0].shape)
    pairs = [(k.detach().to("cpu"), v.detach().to("cpu")) for k, v in zip(window.keys, window.values, strict=True)]
    if codec == "fp16":
        parts = [t.to(torch.float16).contiguous() for pair in pairs for t in pair]
        blob = b"".join(_tensor_bytes(t) for t in parts)
    else:
        scales: list[torch.Tensor] = []
        codes: list[torch.Tensor] = []
        for k, v in pairs:
            for t, dim in ((k, 1), (v, 2)):  # keys: reduce over VSTs (per channel); values: over channels
                q, s = _quantise(t.to(torch.float32), dim)
                codes.append(q)
                scales.append(s)
        blob = b"".join(_tensor_bytes(s) for s in scales) + b"".join(_tensor_bytes(q) for q in codes)
    meta = {
        "format": FORMAT_VERSION,
        "codec": codec,
        "dtype": _dtype_name(window.keys[0].dtype),
        "layers": layers,
        "kv_heads": heads,
        "n_vst": n_vst,
        "head_dim": head_dim,
        "index": window.index,
        "start_s": window.start_s,
        "end_s": window.end_s,
        "n_frames": window.n_frames,
        "vst_frame": list(window.vst_frame),
        "vst_time_s": list(window.vst_time_s),
    }
    return EncodedWindow(
        index=window.index,
        blob=blob,
        meta_json=json.dumps(meta, sort_keys=True, separators=(",", ":")),
        n_vst=n_vst,
        start_s=float(window.start_s),
        end_s=float(window.end_s),
    )


def _quantise(x: torch.Tensor, dim: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric int8 of ``x`` (heads, n_vst, head_dim) with one scale per slice along ``dim``."""
    scale = x.abs().amax(dim=dim, keepdim=True) / _INT8_MAX  # (heads, 1, head_dim) or (heads, n_vst, 1)
    scale = torch.where(scale > 0, scale, torch.ones_like(scale))
    q = torch.round(x / scale).clamp_(-_INT8_MAX, _INT8_MAX).to(torch.int8)
    return q.contiguous(), scale.contiguous()


def _tensor_bytes(t: torch.Tensor) -> bytes:
    return t.contiguous().numpy().tobytes()


def _frombuffer(blob: bytes, dtype: torch.dtype, count: int, offset: int) -> torch.Tensor:
    # torch.frombuffer warns that ``bytes`` is read-only; the views are only ever read (or cast, which copies).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return torch.frombuffer(blob, dtype=dtype, count=count, offset=offset)


def decode_window(
    blob: bytes,
    meta_json: str | dict[str, Any],
    *,
    dtype: torch.dtype | None = None,
    device: str | torch.device | None = None,
) -> WindowMemory:
    """Rebuild the ``WindowMemory`` stored by ``encode_window`` (in the stored compute dtype unless ``dtype``)."""
    meta = json.loads(meta_json) if isinstance(meta_json, str) else meta_json
    if meta.get("format") != FORMAT_VERSION or meta.get("codec") not in STORAGE_CODECS:
        raise StoreError("This memory was written by another Longwatch version; index the video again.")
    layers, heads, n_vst, head_dim = meta["layers"], meta["kv_heads"], meta["n_vst"], meta["head_dim"]
    per = heads * n_vst * head_dim
    target = dtype or _DTYPES[meta["dtype"]]
    shape = (heads, n_vst, head_dim)
    if meta["codec"] == "fp16":
        if len(blob) != 2 * layers * 2 * per:
            raise StoreError("A stored memory window has the wrong size; index the video again.")
        flat = _frombuffer(blob, torch.float16, 2 * layers * per, 0)
        tensors = [flat[i * per:(i + 1) * per].view(shape) for i in range(2 * layers)]
    else:
        tensors = _dequantise(blob, layers, heads, n_vst, head_dim)
    out = [t.to(device=device, dtype=target) for t in tensors]
    return WindowMemory(
        index=int(meta["index"]),
        keys=tuple(out[0::2]),
        values=tuple(out[1::2]),
        vst_frame=tuple(int(f) for f in meta["vst_frame"]),
        vst_time_s=tuple(float(t) for t in meta["vst_time_s"]),
        start_s=float(meta["start_s"]),
        end_s=float(meta["end_s"]),
        n_frames=int(meta["n_frames"]),
    )


def _dequantise(blob: bytes, layers: int, heads: int, n_vst: int, head_dim: int) -> list[torch.Tensor]:
    per = heads * n_vst * head_dim
    k_scales, v_scales = heads * head_dim, heads * n_vst  # float32 scales per layer
    n_scales = layers * (k_scales + v_scales)
    if len(blob) != 4 * n_scales + 2 * layers * per:
        raise StoreError("A stored memory window has the wrong size; index the video again.")
    scales = _frombuffer(blob, torch.float32, n_scales, 0)
    codes = _frombuffer(blob, torch.int8, 2 * layers * per, 4 * n_scales)
    out: list[torch.Tensor] = []
    pos = 0
    for i in range(2 * layers):
        is_key = i % 2 == 0
        n = k_scales if is_key else v_scales
        s = scales[pos:pos + n].view((heads, 1, head_dim) if is_key else (heads, n_vst, 1))
        pos += n
        q = codes[i * per:(i + 1) * per].view(heads, n_vst, head_dim)
        out.append(q.to(torch.float32) * s)
    return out


def roundtrip(window: WindowMemory, codec: str = "fp16") -> tuple[WindowMemory, EncodedWindow]:
    """``window`` as it will read back from the store, and its encoded form (the ``keep`` hook of encode)."""
    enc = encode_window(window, codec)
    back = decode_window(enc.blob, enc.meta_json, device=window.keys[0].device)
    return back, enc


def memory_digest(rows: Iterable[tuple[str, bytes]]) -> str:
    """sha256 over ``(meta_json, blob)`` of each window in window order: equal memories, equal digests."""
    h = hashlib.sha256()
    for meta_json, blob in rows:
        h.update(meta_json.encode())
        h.update(blob)
    return h.hexdigest()
