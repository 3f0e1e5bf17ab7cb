"""Visual queries on a generated video (encoded with libx264 and decoded again, 64x36 at 5 fps)."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from core.evidence import FrameStat, stats_of_frames
from core.semantic import evidence_find, parse_visual

from .conftest import new_db

FPS = 5
# (start_s, end_s, what): the events the queries must find
EVENTS = {"red": (5.0, 9.0), "fade": (11.0, 15.0), "flash": (17.0, 17.4), "cuts": (19.0, 23.0), "still": (23.0, 27.0)}


def _frame(t: float, rng: np.random.Generator) -> np.ndarray:
    noise = rng.integers(0, 255, (36, 64, 3)).astype(np.float32)  # a moving (random) picture
    if 5.0 <= t < 9.0:
        return np.clip(noise * 0.2 + [200, 20, 20], 0, 255)
    if 9.0 <= t < 15.0:
        return noise * max(0.0, min(1.0, (13.0 - t) / 2.0)) * 0.6
    if 17.0 <= t < 17.2:
        return np.full((36, 64, 3), 255.0)
    if 19.0 <= t < 23.0:
        colours = ([30, 30, 200], [220, 220, 40], [20, 160, 20], [200, 200, 200])
        return np.clip(noise * 0.1 + colours[int((t - 19.0) / 0.4) % 4], 0, 255)
    if 23.0 <= t < 27.0:
        card = np.full((36, 64, 3), 40.0)
        card[14:22, 8:56] = 230.0  # a white bar of "text" on a dark card, not moving
        return card
    return noise * 0.6


@pytest.fixture(scope="module")
def stats(tmp_path_factory: pytest.TempPathFactory) -> list[FrameStat]:
    path = Path(tmp_path_factory.mktemp("visual")) / "events.mp4"
    rng = np.random.default_rng(0)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = 64, 36, "yuv420p"
        stream.options = {"crf": "18"}
        for i in range(30 * FPS):
            img = _frame(i / FPS, rng).astype(np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    with av.open(str(path)) as c:
        return stats_of_frames(((float(f.time), f.to_ndarray(format="rgb24")) for f in c.decode(video=0)), fps=FPS)


def test_parse_visual_names_the_signals() -> None:
    assert parse_visual("when does it fade to black").signals == ("fade",)
    assert parse_visual("a red screen").signals == ("colour:red",)
    assert parse_visual("the still title card").signals == ("still",)
    assert set(parse_visual("fast cutting on a bright blue background").signals) == {
        "fast_cutting", "bright", "colour:blue"}
    assert not parse_visual("the lighthouse keeper")


@pytest.mark.parametrize(("query", "event", "signal"), [
    ("a red screen", "red", "red frames"), ("fade to black", "fade", "fade to black"), ("a flash", "flash", "a flash"),
    ("fast cutting", "cuts", "fast cutting"), ("a still title card", "still", "a still picture"),
])
def test_visual_query_finds_its_event(stats: list[FrameStat], query: str, event: str, signal: str) -> None:
    db = new_db(duration_s=30.0)
    moments = evidence_find(db, "vid", query, frame_stats=stats, limit=3)
    a, b = EVENTS[event]
    top = moments[0]
    assert top.label == "visual" and top.start < b + 1.0 and top.end > a - 1.0, (query, moments)
    assert 0.5 <= top.score <= 1.0 and top.why[0].startswith(signal + ": main colour")


def test_no_visual_words_no_visual_moments(stats: list[FrameStat]) -> None:
    assert evidence_find(new_db(), "vid", "the lighthouse keeper", frame_stats=stats) == []
