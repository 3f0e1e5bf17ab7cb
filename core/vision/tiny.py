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


def _processor_config(kind: str) -> dict[str, object]:
    if kind == "clip":
        return {"image_processor_type": "CLIPImageProcessor", "do_resize": True, "size": {"shortest_edge": TINY_IMAGE},
                "resample": 3, "do_center_crop": True, "crop_size": {"height": TINY_IMAGE, "width": TINY_IMAGE},
                "do_rescale": True, "rescale_factor": 1 / 255, "do_normalize": True,
                "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_std": [0.26862954, 0.26130258, 0.27577711],
                "do_convert_rgb": True}
    return {"image_processor_type": "SiglipImageProcessor", "do_resize": True,
            "size": {"height": TINY_IMAGE, "width": TINY_IMAGE}, "resample": 2, "do_rescale": True,
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


def write_tiny_model(folder: Path, kind: str = "clip", *, seed: int = 0) -> Path:
    """A complete tiny random ``kind`` checkpoint in ``folder`` (created); returns the folder."""
    import torch
    import transformers

    transformers.utils.logging.disable_progress_bar()  # its "Writing model shards" bar
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tok: Any = _tokenizer(kind, max_length=16)
    config = tiny_config(kind, tuple(int(tok.convert_tokens_to_ids(t)) for t in SPECIAL[kind]))  # type: ignore[arg-type]
    torch.manual_seed(seed)
    model = getattr(transformers, "CLIPModel" if kind == "clip" else "SiglipModel")(config).eval()
    model.save_pretrained(str(folder), safe_serialization=True)
    tok.save_pretrained(str(folder))
    (folder / "preprocessor_config.json").write_text(json.dumps(_processor_config(kind), indent=2) + "\n",
                                                     encoding="utf-8")
    return folder
