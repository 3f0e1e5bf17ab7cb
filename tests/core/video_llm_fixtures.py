"""Fixtures shared by the index and query tests: a tiny random checkpoint, the loaded model, generated videos.

Imported by tests/core/index/conftest.py and tests/core/query/conftest.py.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest


def make_video(path: Path, *, seconds: float = 8.0, fps: int = 4, size: tuple[int, int] = (64, 48)) -> Path:
    """A small video whose frame k is on screen from k/fps s: a colour that changes every second + a moving bar."""
    w, h = size
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        for k in range(int(seconds * fps)):
            img = np.zeros((h, w, 3), np.uint8)
            sec = k // fps
            img[:] = ((sec * 53) % 256, (sec * 97) % 256, (sec * 31) % 256)
            img[:, (k * 3) % w: (k * 3) % w + 4] = 255
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


@pytest.fixture(scope="session", autouse=True)
def one_torch_thread():
    """One thread: on a shared 2-core machine, 2 torch threads under load run many times slower."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from core.model import write_tiny_checkpoint

    return write_tiny_checkpoint(tmp_path_factory.mktemp("tiny") / "model", seed=0)


@pytest.fixture(scope="session")
def tiny_model(tiny_model_dir: Path):
    from core.model import ModelOptions, load_model

    return load_model(ModelOptions(model=str(tiny_model_dir), device="cpu"))


@pytest.fixture(scope="session")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("media") / "clip.mp4")
