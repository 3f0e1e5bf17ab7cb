"""Tiny random CLIP / SigLIP checkpoints in the hub layout, for tests and for trying the vision stage.

``write_tiny_model(folder, kind)`` writes what ``core.vision.load_model`` reads from a real checkpoint:
config.json (model_type clip or siglip), model.safetensors, preprocessor_config.json (the hub's processor type
names, which resolve to the PIL processors) and a byte-level BPE tokenizer (tokenizer.json + config) with the
model's special tokens. Weights are random, so vectors vary with the picture but mean nothing; use a real model
for quality (benchmarks/find_quality.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TINY_IMAGE = 32  # px, input side of the tiny image towers (patch 8 -> 16 patches)
TINY_WIDTH = 32  # hidden width of both towers and of the shared embedding
VOCAB = 320
SPECIAL = {"clip": ("<|startoftext|>", "<|endoftext|>", "<|endoftext|>"), "siglip": ("<s>", "</s>", "<pad>")}
CORPUS = (
    "a photo of a dog on the beach", "a red car in a city street at night", "a man driving a taxi",
    "people walking across a square", "a tree seen from below", "a dinner by candlelight, animated cartoon",
    "a close-up of a face", "a logo on a plain background", "a product pack shot", "text on a screen",
    "a blue sky with clouds", "a green forest", "a kitchen", "an office", "a crowd", "fire and smoke",
)


def _tokenizer(kind: str, max_length: int) -> object:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    bos, eos, pad = SPECIAL[kind]
    specials = list(dict.fromkeys((bos, eos, pad)))
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=VOCAB - len(specials), show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), special_tokens=specials)
    tok.train_from_iterator([c for c in CORPUS for _ in range(3)], trainer=trainer)
    if kind == "clip":  # CLIP: <|startoftext|> text <|endoftext|>; SigLIP: text </s>
        tok.post_processor = processors.TemplateProcessing(
            single=f"{bos} $A {eos}", special_tokens=[(bos, tok.token_to_id(bos)), (eos, tok.token_to_id(eos))])
    else:
        tok.post_processor = processors.TemplateProcessing(single=f"$A {eos}",
                                                           special_tokens=[(eos, tok.token_to_id(eos))])
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token=bos, eos_token=eos, pad_token=pad,
                                   model_max_length=max_length)


def _processor_config(kind: str, side: int = TINY_IMAGE) -> dict[str, object]:
    if kind == "clip":
        return {"image_processor_type": "CLIPImageProcessor", "do_resize": True, "size": {"shortest_edge": side},
                "resample": 3, "do_center_crop": True, "crop_size": {"height": side, "width": side},
                "do_rescale": True, "rescale_factor": 1 / 255, "do_normalize": True,
                "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_std": [0.26862954, 0.26130258, 0.27577711],
                "do_convert_rgb": True}
    return {"image_processor_type": "SiglipImageProcessor", "do_resize": True,
            "size": {"height": side, "width": side}, "resample": 2, "do_rescale": True,
            "rescale_factor": 1 / 255, "do_normalize": True, "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]}


def tiny_config(kind: str, token_ids: tuple[int, int, int] = (0, 1, 1)) -> object:
    """The transformers config of the tiny model of ``kind`` ("clip" or "siglip"); ``token_ids``: bos, eos, pad."""
    from transformers import CLIPConfig, SiglipConfig

    bos, eos, pad = token_ids
    text = {"vocab_size": VOCAB, "hidden_size": TINY_WIDTH, "intermediate_size": 64, "num_hidden_layers": 2,
            "num_attention_heads": 2, "max_position_embeddings": 16, "bos_token_id": bos, "eos_token_id": eos,
            "pad_token_id": pad}
    vision = {"hidden_size": TINY_WIDTH, "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 2,
              "image_size": TINY_IMAGE, "patch_size": 8}
    if kind == "clip":
        return CLIPConfig(text_config=text, vision_config=vision, projection_dim=TINY_WIDTH)
    if kind == "siglip":
        return SiglipConfig(text_config={**text, "projection_size": TINY_WIDTH}, vision_config=vision)
    raise ValueError(f"kind must be 'clip' or 'siglip', got {kind!r}")


# Sizes of the real models, for speed measurements with random weights (the work per frame depends only on them).
SIZES: dict[str, tuple[str, dict[str, int], dict[str, int], int]] = {
    # name: (kind, text sizes, vision sizes, embedding width)
    "clip-vit-base-patch32": ("clip", {"hidden_size": 512, "intermediate_size": 2048, "num_hidden_layers": 12,
                                       "num_attention_heads": 8, "max_position_embeddings": 77, "vocab_size": 49408},
                              {"hidden_size": 768, "intermediate_size": 3072, "num_hidden_layers": 12,
                               "num_attention_heads": 12, "image_size": 224, "patch_size": 32}, 512),
    "siglip-base-patch16-224": ("siglip", {"hidden_size": 768, "intermediate_size": 3072, "num_hidden_layers": 12,
                                           "num_attention_heads": 12, "max_position_embeddings": 64,
                                           "vocab_size": 32000},
                                {"hidden_size": 768, "intermediate_size": 3072, "num_hidden_layers": 12,
                                 "num_attention_heads": 12, "image_size": 224, "patch_size": 16}, 768),
}


def write_tiny_model(folder: Path, kind: str = "clip", *, seed: int = 0, size: str | None = None) -> Path:
    """A complete random ``kind`` checkpoint in ``folder`` (created); returns the folder. ``size`` (a key of
    ``SIZES``) gives it a real model's layer sizes, for speed measurements; the default is tiny."""
    import torch
    import transformers

    transformers.utils.logging.disable_progress_bar()  # its "Writing model shards" bar
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if size is not None:
        kind = SIZES[size][0]
    tok: Any = _tokenizer(kind, max_length=16 if size is None else SIZES[size][1]["max_position_embeddings"])
    config: Any = tiny_config(kind, tuple(int(tok.convert_tokens_to_ids(t)) for t in SPECIAL[kind]))  # type: ignore[arg-type]
    if size is not None:
        _resize(config, size)
    torch.manual_seed(seed)
    model = getattr(transformers, "CLIPModel" if kind == "clip" else "SiglipModel")(config).eval()
    model.save_pretrained(str(folder), safe_serialization=True)
    tok.save_pretrained(str(folder))
    pre = _processor_config(kind, TINY_IMAGE if size is None else SIZES[size][2]["image_size"])
    (folder / "preprocessor_config.json").write_text(json.dumps(pre, indent=2) + "\n", encoding="utf-8")
    return folder


def _resize(config: Any, size: str) -> None:
    _kind, text, vision, width = SIZES[size]
    for name, value in text.items():
        setattr(config.text_config, name, value)
    for name, value in vision.items():
        setattr(config.vision_config, name, value)
    if hasattr(config, "projection_dim"):
        config.projection_dim = width
    if hasattr(config.text_config, "projection_size"):
        config.text_config.projection_size = width
