import json

import pytest
import torch

from core.errors import StoreError
from core.index.codec import decode_window, encode_window, memory_digest, roundtrip
from core.model.memory import WindowMemory


def window(seed: int = 0, layers: int = 3, heads: int = 2, n_vst: int = 30, head_dim: int = 16,
           dtype: torch.dtype = torch.float32) -> WindowMemory:
    g = torch.Generator().manual_seed(seed)
    keys = tuple(torch.randn(heads, n_vst, head_dim, generator=g).to(dtype) * (1 + i) for i in range(layers))
    values = tuple(torch.randn(heads, n_vst, head_dim, generator=g).to(dtype) for _ in range(layers))
    frames = tuple(10 + j // 3 for j in range(n_vst))  # 3 VSTs per frame, frames 10..19
    return WindowMemory(index=1, keys=keys, values=values, vst_frame=frames,
                        vst_time_s=tuple(f * 0.5 for f in frames), start_s=5.0, end_s=10.0, n_frames=10)


def test_fp16_roundtrip_is_the_fp16_rounding_and_keeps_times():
    w = window()
    enc = encode_window(w, "fp16")
    back = decode_window(enc.blob, enc.meta_json)
    assert back.keys[0].dtype == torch.float32
    for a, b in zip(w.keys + w.values, back.keys + back.values, strict=True):
        assert torch.equal(a.to(torch.float16).to(torch.float32), b)
    assert back.vst_frame == w.vst_frame and back.vst_time_s == w.vst_time_s
    assert (back.index, back.start_s, back.end_s, back.n_frames) == (1, 5.0, 10.0, 10)
    assert len(enc.blob) == 3 * 2 * 2 * 30 * 16 * 2
    meta = json.loads(enc.meta_json)
    assert (meta["codec"], meta["layers"], meta["kv_heads"], meta["n_vst"], meta["head_dim"]) == ("fp16", 3, 2, 30, 16)


def test_encoding_is_deterministic_and_roundtrip_is_a_fixed_point():
    w = window()
    assert encode_window(w).blob == encode_window(w).blob
    back, enc = roundtrip(w, "int8")
    again = encode_window(back, "int8")
    assert again.blob == enc.blob  # what resumed runs read back re-encodes to the same bytes


def test_fp16_decode_is_a_view_on_the_blob():
    w = window(dtype=torch.float16)
    enc = encode_window(w, "fp16")
    back = decode_window(enc.blob, enc.meta_json)
    ptrs = {t.untyped_storage().data_ptr() for t in back.keys + back.values}
    assert len(ptrs) == 1  # every layer is a view on one buffer: the blob itself, no copy


@pytest.mark.parametrize("n_vst", [18, 90, 180])
def test_int8_at_least_halves_the_bytes_and_bounds_the_error(n_vst):
    w = window(n_vst=n_vst, head_dim=128, heads=2, layers=2)
    fp16, int8 = encode_window(w, "fp16"), encode_window(w, "int8")
    assert len(int8.blob) <= 0.5 * len(fp16.blob) + 4 * 2 * 2 * (128 + n_vst)  # codes + scales
    if n_vst >= 90:
        assert len(int8.blob) <= 0.55 * len(fp16.blob)
    back = decode_window(int8.blob, int8.meta_json)
    for k, kb in zip(w.keys, back.keys, strict=True):  # per channel: error <= half a step of that channel
        step = k.abs().amax(dim=1, keepdim=True) / 127
        assert ((k - kb).abs() <= step / 2 + 1e-6).all()
    for v, vb in zip(w.values, back.values, strict=True):  # per token
        step = v.abs().amax(dim=2, keepdim=True) / 127
        assert ((v - vb).abs() <= step / 2 + 1e-6).all()


def test_wrong_size_or_version_is_a_store_error():
    enc = encode_window(window())
    with pytest.raises(StoreError, match="wrong size"):
        decode_window(enc.blob[:-2], enc.meta_json)
    meta = json.loads(enc.meta_json) | {"format": 99}
    with pytest.raises(StoreError, match="index the video again"):
        decode_window(enc.blob, meta)
    with pytest.raises(StoreError, match="storage codec"):
        encode_window(window(), "int4")


def test_digest_changes_with_any_byte():
    a, b = encode_window(window(0)), encode_window(window(1))
    d = memory_digest([(a.meta_json, a.blob), (b.meta_json, b.blob)])
    assert d == memory_digest([(a.meta_json, a.blob), (b.meta_json, b.blob)])
    assert d != memory_digest([(b.meta_json, b.blob), (a.meta_json, a.blob)])
    assert d != memory_digest([(a.meta_json, a.blob[:-1] + b"\x00"), (b.meta_json, b.blob)])
