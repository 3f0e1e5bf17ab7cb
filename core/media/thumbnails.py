"""``thumbnails``: small JPEG/PNG pictures at given times, for the timeline and reports."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from core.errors import UsageError
from core.media.frames import FrameStream
from core.media.probe import probe
from core.media.resize import FrameSize

FORMATS = {"jpeg": "JPEG", "jpg": "JPEG", "png": "PNG"}
MAX_HEIGHT_FACTOR = 4  # a thumbnail is at most width * 4 tall (very tall portrait videos)


def thumbnails(path: str | Path, times_s: Sequence[float], *, width: int = 160, fmt: str = "jpeg") -> list[bytes]:
    """One encoded picture per time (in the order given), ``width`` pixels wide (never enlarged).

    A time inside an undecodable stretch gets the nearest earlier picture that could be decoded (or a grey
    picture when there is none), so the result always has ``len(times_s)`` entries.
    """
    if fmt.lower() not in FORMATS:
        raise UsageError(f"Thumbnail format {fmt!r} is not supported; use 'jpeg' or 'png'.")
    if width < 8:
        raise UsageError(f"Thumbnail width {width} is too small; use at least 8 pixels.")
    info = probe(path)
    order = sorted(range(len(times_s)), key=lambda i: times_s[i])
    times = tuple(min(max(0.0, times_s[i]), info.duration_s) for i in order)
    size = FrameSize.fit(width, width * MAX_HEIGHT_FACTOR)
    stream = FrameStream(Path(info.path), info, times, size, None)
    images: dict[int, np.ndarray] = {}
    with stream:
        for frame in stream:
            images[frame.index] = frame.image
    out: list[bytes] = [b""] * len(times_s)
    last: np.ndarray | None = None
    for plan_pos, original in enumerate(order):
        last = images.get(plan_pos, last)
        out[original] = _encode(last if last is not None else _grey(info.video.width, info.video.height, size),
                                FORMATS[fmt.lower()])
    return out


def _grey(w: int, h: int, size: FrameSize) -> np.ndarray:
    tw, th = size.scaled_size(w, h)
    return np.full((th, tw, 3), 128, np.uint8)


def _encode(image: np.ndarray, fmt: str) -> bytes:
    buf = io.BytesIO()
    options = {"quality": 85} if fmt == "JPEG" else {"optimize": True}
    Image.fromarray(image).save(buf, format=fmt, **options)
    return buf.getvalue()
