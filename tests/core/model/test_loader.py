"""Loading the official layout: folder and CLIP resolution, refusals, hub offline, sizing, identity, prompts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from core.cli import main
from core.model import (
    DoesNotFit,
    ModelError,
    ModelNotFound,
    ModelOptions,
    UnsafeWeights,
    estimate_memory,
    load_model,
    sizing,
)
from core.model.loader import model_identity
from core.model.paths import CLIP_NAME, resolve_model_folder, resolve_vision_tower
from core.model.tokenizer import CHAT_TEMPLATE, prompt_prefix, prompt_suffix


def copy_without_clip(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(CLIP_NAME))
    return dst


def test_missing_folder_names_it(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFound, match="does not exist"):
        load_model(ModelOptions(model=str(tmp_path / "nowhere")))


def test_pickled_only_checkpoint_is_refused_without_reading_it(tmp_path: Path, tiny_folder: Path) -> None:
    folder = tmp_path / "bin_only"
    folder.mkdir()
    shutil.copy(tiny_folder / "config.json", folder)
    (folder / "pytorch_model.bin").write_bytes(b"not a pickle, never opened")
    with pytest.raises(UnsafeWeights, match="never unpickles"):
        load_model(ModelOptions(model=str(folder)))


def test_missing_clip_names_the_folder_to_provide(tmp_path: Path, tiny_folder: Path) -> None:
    folder = copy_without_clip(tiny_folder, tmp_path / "VideoXL_weight_8")
    with pytest.raises(ModelNotFound, match=f"{CLIP_NAME}.*--vision-tower"):
        load_model(ModelOptions(model=str(folder)))
    with pytest.raises(ModelNotFound, match="does not exist"):
        load_model(ModelOptions(model=str(folder), vision_tower=str(tmp_path / "no_clip")))


def test_clip_resolution_order(tmp_path: Path, tiny_folder: Path) -> None:
    folder = copy_without_clip(tiny_folder, tmp_path / "repo" / "VideoXL_weight_8")
    configured = json.loads((folder / "config.json").read_text())["mm_vision_tower"]
    assert configured.startswith("/share/")  # a path on the authors' machine
    sibling = shutil.copytree(tiny_folder / CLIP_NAME, tmp_path / "repo" / CLIP_NAME)
    assert resolve_vision_tower(folder, configured, None) == sibling
    inside = shutil.copytree(tiny_folder / CLIP_NAME, folder / CLIP_NAME)
    assert resolve_vision_tower(folder, configured, None) == inside
    assert resolve_vision_tower(folder, configured, str(sibling)) == sibling
    assert resolve_model_folder(str(tmp_path / "repo")) == folder  # the repository root finds VideoXL_weight_8


def test_hub_id_offline_fails_with_one_line_naming_the_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    with pytest.raises(ModelNotFound, match="VideoXL_weight_8 folder with --model DIR") as err:
        load_model(ModelOptions(model="sy1998/Video_XL"))
    assert "\n" not in str(err.value)


def test_unsupported_config_is_refused(tmp_path: Path, tiny_folder: Path) -> None:
    folder = shutil.copytree(tiny_folder, tmp_path / "odd")
    config = json.loads((folder / "config.json").read_text())
    config["mm_projector_type"] = "linear"
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelError, match="mm_projector_type"):
        load_model(ModelOptions(model=str(folder)))


def test_estimate_before_loading_and_clear_failure(tiny_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    full = estimate_memory(ModelOptions(model=str(tiny_folder)))
    nf4 = estimate_memory(ModelOptions(model=str(tiny_folder), quant="4bit"))
    assert full.fits and full.device == "cpu" and nf4.bytes_needed < full.bytes_needed
    monkeypatch.setattr(sizing, "available_bytes", lambda device: 1000)
    with pytest.raises(DoesNotFit, match=r"will not fit.*--quant 4bit"):
        load_model(ModelOptions(model=str(tiny_folder)))


def test_identity_is_stable_and_tells_weights_apart(tmp_path: Path, tiny_folder: Path) -> None:
    from core.model import write_tiny_checkpoint

    other = write_tiny_checkpoint(tmp_path / "seed1", seed=1)
    assert model_identity(tiny_folder, "none") == model_identity(tiny_folder, "none")
    assert model_identity(tiny_folder, "none") != model_identity(other, "none")
    assert model_identity(tiny_folder, "none") != model_identity(tiny_folder, "4bit")


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match=r"Quantization .3bit. is unknown"):
        ModelOptions(model="x", quant="3bit")
    with pytest.raises(ValueError, match="Vision batch 0"):
        ModelOptions(model="x", vision_batch=0)


def test_tiny_tokenizer_and_chat_format(tiny_model) -> None:  # type: ignore[no-untyped-def]
    tok = tiny_model.tokenizer
    for special in ("<|im_start|>", "<|im_end|>", "<|endoftext|>"):
        assert len(tiny_model.tokenize(special)) == 1
    text = "Where is the red car? 12:30 élan"
    assert tok.decode(tiny_model.tokenize(text)) == text
    rendered = tok.apply_chat_template([{"role": "user", "content": "<image>\nWhat happens?"}],
                                       add_generation_prompt=True, tokenize=False)
    assert rendered == prompt_prefix() + "<image>" + prompt_suffix("What happens?")
    assert tok.chat_template == CHAT_TEMPLATE
    assert tiny_model.stop_ids == frozenset({tok.convert_tokens_to_ids("<|im_end|>"),
                                             tok.convert_tokens_to_ids("<|endoftext|>")})


def test_cli_dev_tiny_model_writes_a_loadable_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dev", "tiny-model", str(tmp_path / "m"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"config.json", "model.safetensors.index.json", "tokenizer.json", CLIP_NAME} <= set(out["files"])
    index = json.loads((tmp_path / "m" / "model.safetensors.index.json").read_text())
    assert sorted(set(index["weight_map"].values())) == [f"model-0000{k}-of-00003.safetensors" for k in (1, 2, 3)]
    assert "model.layers.0.self_attn.beacon_q_proj.weight" in index["weight_map"]
    assert "model.vision_tower.vision_tower.vision_model.embeddings.patch_embedding.weight" in index["weight_map"]
