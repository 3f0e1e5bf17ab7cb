"""Tiny generated media for the report tests (PyAV, a few seconds at 64x48)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from core.results import Answer, Chapter, Moment, Summary


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


# Text that would run, link or format if it were not escaped; each payload sets window.__pwned when executed.
HOSTILE = [
    "<script>window.__pwned = 1</script>",
    '<img src=x onerror="window.__pwned = 2">',
    "[click me](javascript:window.__pwned=3)",
    "javascript:window.__pwned=4",
    '"><svg onload="window.__pwned=5">',
    "**bold** _it_ `code` # heading | pipe & amp",
]
HOSTILE_TEXT = " ".join(HOSTILE)


def store_query(db: Any, fingerprint: str, kind: str, question: str, result: Any) -> None:
    """A row as the query/evidence layers store it (table queries, result as JSON)."""
    db.execute("INSERT INTO queries (video, kind, question, result_json) VALUES (?, ?, ?, ?)",
               [fingerprint, kind, question, json.dumps(result)])


def store_results(db: Any, fingerprint: str, *, text: str = "") -> None:
    """A summary with 3 chapters, an ads result, an ask and a find; ``text`` is added to every string."""
    summary = Summary(
        chapters=(Chapter(0, 10, f"Opening {text}".strip(), f"The title card. {text}".strip()),
                  Chapter(10, 20, f"The middle {text}".strip(), f"Subtitle: {text}".strip()),
                  Chapter(20, 30, "Ending", "Credits roll.")),
        overview=f"A colourful test clip. {text}".strip(),
        sources=("video-llm",),
    )
    with db.atomic():
        store_query(db, fingerprint, "summary", "", summary.to_json())
        store_query(db, fingerprint, "ads", "", {"moments": [
            Moment(12.0, 17.5, 0.9, "ad", ("black frames", f"OCR: {text}".strip())).to_json()]})
        store_query(db, fingerprint, "ask", f"What happens? {text}".strip(),
                    Answer(f"What happens? {text}".strip(), f"Colours change. {text}".strip(),
                           (Moment(5.0, 8.0, 0.75, "colour change", (text,) if text else ()),),
                           ("video-llm",)).to_json())
        store_query(db, fingerprint, "find", "a white bar", {"moments": [Moment(2.0, 3.0, 0.6, "white bar").to_json()]})


@pytest.fixture
def library(tmp_path: Path, tiny_mp4: Path) -> Iterator[tuple[Any, str, Path]]:
    """(db, fingerprint, video path) of the tiny clip, probed into a fresh library."""
    from core.media import probe
    from core.store import open_db, upsert_video

    db = open_db(tmp_path / "library.db")
    info = probe(tiny_mp4)
    upsert_video(db, info)
    yield db, info.fingerprint, tiny_mp4
    db.close()
