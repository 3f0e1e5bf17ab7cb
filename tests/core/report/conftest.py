"""Tiny generated media for the report tests (PyAV, a few seconds at 64x48)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest


def make_video(path: Path, *, seconds: float = 30.0, fps: int = 5, codec: str = "libx264",
               size: tuple[int, int] = (64, 48)) -> Path:
    """A short clip whose colour changes every second (so thumbnails differ), no audio."""
    w, h = size
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.time_base = Fraction(1, fps)
        for i in range(int(seconds * fps)):
            sec = i // fps
            img = np.zeros((h, w, 3), np.uint8)
            img[..., 0] = (sec * 53) % 256
            img[..., 1] = (sec * 97 + 80) % 256
            img[..., 2] = 255 - (sec * 31) % 256
            img[h // 3: 2 * h // 3, (i * 3) % w:] = 255
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


@pytest.fixture(scope="session")
def tiny_mp4(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("media") / "clip.mp4")
