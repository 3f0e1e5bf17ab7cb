"""Fixtures: the reference tiny model (golden data in tests/data) and a tiny random checkpoint."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import torch

from core.model import ModelOptions, VideoXL, load_model, write_tiny_checkpoint

DATA = Path(__file__).resolve().parents[2] / "data" / "videoxl_tiny"
CASES = ("case_n25_r4", "case_n30_r16", "case_n7_r2", "case_n12_r8", "case_n3_r32")


@dataclass(frozen=True, eq=False)
class Frame:
    index: int
    pts_s: float
    image: np.ndarray = field(repr=False)


def synthetic_frames(n: int, seed: int = 0, start: int = 0, hw: tuple[int, int] = (72, 128)) -> list[Frame]:
    """Small deterministic RGB frames: a gradient that drifts plus noise (frame i at 0.5*i seconds)."""
    rng = np.random.default_rng(seed)
    h, w = hw
    out = []
    for i in range(start, start + n):
        base = (np.arange(w)[None, :, None] * 2 + i * 7 + np.arange(3)[None, None, :] * 40) % 256
        img = np.broadcast_to(base, (h, w, 3)) + rng.integers(0, 30, (h, w, 3))
        out.append(Frame(i, 0.5 * i, np.clip(img, 0, 255).astype(np.uint8)))
    return out


@pytest.fixture(scope="session")
def reference_model() -> VideoXL:
    torch.manual_seed(0)
    return load_model(ModelOptions(model=str(DATA / "model"), vision_tower=str(DATA / "vision_tower")),
                      added_rows=DATA / "resized_vocab_rows.safetensors", require_tokenizer=False)


@pytest.fixture(scope="session")
def tiny_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_checkpoint(tmp_path_factory.mktemp("tiny") / "VideoXL_weight_8", seed=0)


@pytest.fixture(scope="session")
def tiny_model(tiny_folder: Path) -> VideoXL:
    return load_model(ModelOptions(model=str(tiny_folder)))


@pytest.fixture(scope="session")
def tiny_frames() -> Iterator[list[Frame]]:
    yield synthetic_frames(13)
