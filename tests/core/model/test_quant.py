"""bitsandbytes 4-bit NF4 and 8-bit on CPU: logits close to fp32, vision tower and projector untouched.

Measured on the tiny checkpoint (seed 0, 1 frame, ratio 4), first answer step's logits vs fp32:
NF4 (double quant) cosine 0.990, max |error| 0.50 on logits within +-3.7 (relative L2 error 14%); int8 cosine
0.99984, max |error| 0.048 (1.8%), 6 greedy ids identical. The VSTs' keys (layer 1): cosine 0.990 (NF4), 0.99992 (int8).
Bounds asserted: NF4 cosine >= 0.97 and fp32's top id in NF4's top 3; int8 cosine >= 0.999
and identical greedy ids.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from core.model import ModelOptions, VideoMemory, VideoXL, load_model
from core.model.quant import SKIP_MODULES, quantized_modules
from core.model.tokenizer import prompt_suffix

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def images() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.integers(0, 255, (72, 128, 3), dtype=np.uint8) for _ in range(1)]


def run(model: VideoXL, images: list[np.ndarray]) -> tuple[torch.Tensor, list[int], torch.Tensor]:
    tokens = model.visual_tokens(images)
    windows = tuple(model.encode_features(tokens, 4))
    memory = VideoMemory(model.sink(), windows, 4, model.identity)
    logits: list[torch.Tensor] = []
    ids = list(model.answer_ids(memory, model.tokenize(prompt_suffix("What happens in the video?")),
                                max_new_tokens=6, logits_out=logits))
    return logits[0][:-1], ids, tokens


@pytest.mark.parametrize("quant", ["4bit", "8bit"])
def test_quantized_logits_are_close_to_fp32(tiny_folder: Path, tiny_model: VideoXL, images: list[np.ndarray],
                                            quant: str) -> None:
    ref_logits, ref_ids, ref_tokens = run(tiny_model, images)
    model = load_model(ModelOptions(model=str(tiny_folder), quant=quant))
    logits, ids, tokens = run(model, images)
    cosine = torch.nn.functional.cosine_similarity(ref_logits, logits, dim=0).item()
    assert torch.equal(tokens, ref_tokens)  # the vision tower and projector are not quantized
    if quant == "4bit":
        assert cosine >= 0.97
        assert int(ref_logits.argmax()) in logits.topk(3).indices.tolist()
    else:
        assert cosine >= 0.999
        assert ids == ref_ids
    assert model.identity != tiny_model.identity  # a quantized memory is a different memory


@pytest.mark.parametrize("quant", ["4bit", "8bit"])
def test_only_the_decoder_linears_are_quantized(tiny_folder: Path, quant: str) -> None:
    model = load_model(ModelOptions(model=str(tiny_folder), quant=quant))
    names = quantized_modules(model.rt.network)
    assert len(names) == 2 * 10  # 2 layers x (q, k, v, o, beacon q/k/v, gate, up, down)
    assert any("beacon_q_proj" in n for n in names)
    assert not [n for n in names if any(n.startswith(skip) for skip in SKIP_MODULES)]
    tower = model.rt.network.model.vision_tower.vision_tower
    assert all(type(p) is torch.nn.Parameter and p.dtype == torch.float32 for p in tower.parameters())
