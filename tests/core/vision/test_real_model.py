"""With a real image-text model installed (the default, or $LONGWATCH_VISION_MODEL), a description of a generated
solid-colour or patterned frame ranks that frame first. Skipped where no real model is installed: no package
ships CLIP-family weights, so CI machines without the hub have none (benchmarks/find_quality.py says how to get one).
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from core.vision import VisionOptions, available, load_model
from core.vision.scoring import embed_ensemble

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not available(VisionOptions()),
                                                   reason="no real image-text model installed")]


def _pictures() -> dict[str, np.ndarray]:
    w, h = 320, 240
    out = {"a plain red image": np.full((h, w, 3), (220, 20, 20), np.uint8),
           "a plain blue image": np.full((h, w, 3), (20, 40, 220), np.uint8),
           "a plain green image": np.full((h, w, 3), (30, 180, 40), np.uint8)}
    stripes = np.zeros((h, w, 3), np.uint8)
    stripes[:, (np.arange(w) // 20) % 2 == 0] = 255
    out["black and white vertical stripes"] = stripes
    board = ((np.arange(h)[:, None] // 40 + np.arange(w)[None, :] // 40) % 2 * 255).astype(np.uint8)
    out["a black and white checkerboard"] = np.repeat(board[:, :, None], 3, axis=2)
    img = Image.new("RGB", (w, h), (255, 255, 255))
    ImageDraw.Draw(img).ellipse((80, 40, 240, 200), fill=(250, 200, 0))
    out["a yellow circle on a white background"] = np.asarray(img)
    return out


def test_each_description_ranks_its_own_picture_first() -> None:
    model = load_model(VisionOptions())
    pics = _pictures()
    frames = model.encode_images(list(pics.values()))  # (6, dim)
    texts = embed_ensemble(model, list(pics))  # (6, dim)
    best = np.argmax(texts @ frames.T, axis=1)
    assert list(best) == list(range(len(pics))), dict(zip(pics, best, strict=True))
