"""Image-text models: tiny checkpoints round-trip, int8 stays close to fp32, bad folders give one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from core.errors import UsageError
from core.vision import (
    ImageTextModel,
    VisionModelMissing,
    VisionOptions,
    load_model,
    locate_model,
    write_tiny_model,
)

PICTURES = [np.full((36, 64, 3), c, np.uint8) for c in (0, 90, 200)] + \
    [np.random.default_rng(0).integers(0, 255, (48, 80, 3), dtype=np.uint8)]


@pytest.mark.parametrize("kind", ["clip", "siglip"])
def test_tiny_model_round_trips_save_and_load(kind: str, tmp_path: Path) -> None:
    a, b = write_tiny_model(tmp_path / "a", kind, seed=3), write_tiny_model(tmp_path / "b", kind, seed=3)
    m1 = ImageTextModel(a, VisionOptions(quantization="none"))
    m2 = ImageTextModel(b, VisionOptions(quantization="none"))
    assert m1.kind == kind and m1.dim == 32 and m1.identity == "a:32:none"
    v1, v2 = m1.encode_images(PICTURES), m2.encode_images(PICTURES)
    assert v1.shape == (4, 32) and np.allclose(np.linalg.norm(v1, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(v1, v2, atol=1e-6)  # same seed, written twice, loaded twice: same vectors
    t1 = m1.encode_texts(["a dog on the beach", "a red car"])
    np.testing.assert_allclose(t1, m2.encode_texts(["a dog on the beach", "a red car"]), atol=1e-6)
    assert not np.allclose(v1[0], v1[2]) and not np.allclose(t1[0], t1[1])  # vectors depend on the input
    other = ImageTextModel(write_tiny_model(tmp_path / "c", kind, seed=4), VisionOptions(quantization="none"))
    assert not np.allclose(other.encode_images(PICTURES), v1, atol=1e-3)


def test_int8_vectors_stay_close_to_fp32(tiny_clip: Path) -> None:
    fp32 = ImageTextModel(tiny_clip, VisionOptions(quantization="none"))
    int8 = ImageTextModel(tiny_clip, VisionOptions(quantization="int8"))
    cos = (fp32.encode_images(PICTURES) * int8.encode_images(PICTURES)).sum(axis=1)
    assert cos.min() > 0.98, cos
    assert fp32.identity != int8.identity  # vectors of one are never compared with the other's


def test_load_model_is_cached_and_located_from_a_folder(tiny_clip: Path) -> None:
    opts = VisionOptions(model=str(tiny_clip))
    assert locate_model(str(tiny_clip)) == tiny_clip.resolve()
    assert load_model(opts) is load_model(opts)


def test_missing_or_wrong_models_are_one_line_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(VisionModelMissing, match="No image-text model found") as err:
        load_model(VisionOptions(model=str(tmp_path / "nowhere")))
    assert "\n" not in str(err.value) and "hf download" in str(err.value)
    bad = tmp_path / "bert"
    bad.mkdir()
    (bad / "config.json").write_text(json.dumps({"model_type": "bert"}))
    (bad / "model.safetensors").write_bytes(b"")
    with pytest.raises(VisionModelMissing, match="needs a CLIP or SigLIP checkpoint"):
        load_model(VisionOptions(model=str(bad)))
    pickled = tmp_path / "pickled"
    pickled.mkdir()
    (pickled / "config.json").write_text(json.dumps({"model_type": "clip"}))
    (pickled / "pytorch_model.bin").write_bytes(b"")
    assert locate_model(str(pickled)) is None  # only safetensors weights count


@pytest.mark.parametrize("kwargs, message", [
    ({"every_s": 0.0}, "every_s"), ({"quantization": "4bit"}, "quantization"), ({"device": "tpu"}, "device"),
    ({"device": "cuda", "quantization": "int8"}, "CPU only"), ({"model": " "}, "empty"),
    ({"min_gap_s": 5.0, "every_s": 3.0}, "min_gap_s"),
])
def test_bad_options_name_the_value(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        VisionOptions(**kwargs)  # type: ignore[arg-type]


def test_download_offline_is_one_line_saying_what_to_do(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from core.vision import download_vision_model

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    events: list[object] = []
    with pytest.raises(VisionModelMissing, match="HF_HUB_OFFLINE is set") as err:
        download_vision_model("openai/clip-vit-base-patch32", tmp_path / "dl", progress=events.append)
    assert "\n" not in str(err.value) and "hf download openai/clip-vit-base-patch32" in str(err.value)
    assert events  # the download announced itself before failing


def test_the_models_list_has_a_vision_slot(tiny_clip: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from core.models_catalog import list_models

    monkeypatch.setenv("LONGWATCH_VISION_MODEL", str(tiny_clip))
    entry = next(e for e in list_models() if e.role == "vision")
    assert entry.installed and entry.path == str(tiny_clip.resolve()) and (entry.size_bytes or 0) > 0
    monkeypatch.setenv("LONGWATCH_VISION_MODEL", str(tiny_clip / "missing"))
    missing = next(e for e in list_models() if e.role == "vision")
    assert not missing.installed and "hf download" in missing.note
