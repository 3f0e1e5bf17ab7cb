"""The memory is a value: immutable, per video, selectable, resumable; index arithmetic of VSTs."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from core.errors import Cancelled
from core.model import MemoryMismatch, VideoMemory, VideoXL, WindowMemory
from core.model.session import interleave_beacons
from core.progress import CancelToken

from .conftest import Frame, synthetic_frames

RATIO = 4


@pytest.fixture(scope="module")
def windows(tiny_model: VideoXL, tiny_frames: list[Frame]) -> tuple[WindowMemory, ...]:
    return tuple(tiny_model.encode(tiny_frames, RATIO))


@pytest.fixture(scope="module")
def tokens(tiny_model: VideoXL, tiny_frames: list[Frame]) -> torch.Tensor:
    return tiny_model.visual_tokens([f.image for f in tiny_frames])  # (13, 144, hidden)


def from_tokens(model: VideoXL, tokens: torch.Tensor, **kw: object) -> list[WindowMemory]:
    """encode() on frames whose visual tokens are known (same loop, no vision tower: keeps tests fast)."""
    return list(model.encode_features(tokens, RATIO, times_s=[0.5 * i for i in range(len(tokens))], **kw))


def test_encoding_tokens_equals_encoding_frames(tiny_model: VideoXL, tokens: torch.Tensor,
                                                windows: tuple[WindowMemory, ...]) -> None:
    again = from_tokens(tiny_model, tokens)
    assert [w.vst_time_s for w in again] == [w.vst_time_s for w in windows]
    assert all(torch.equal(x, y) for a, b in zip(again, windows, strict=True) for x, y in zip(a.keys, b.keys, strict=True))


def memory_of(model: VideoXL, windows: tuple[WindowMemory, ...]) -> VideoMemory:
    return VideoMemory(model.sink(), windows, RATIO, model.identity)


def snapshot(memory: VideoMemory) -> list[torch.Tensor]:
    parts = [memory.sink, *memory.windows]
    return [t.clone() for p in parts for t in (*p.keys, *p.values)]


def fp16_round_trip(w: WindowMemory) -> WindowMemory:
    """What a storage codec does: a lossy copy."""
    return dataclasses.replace(w, keys=tuple(k.half().float() for k in w.keys),
                               values=tuple(v.half().float() for v in w.values))


def test_vst_counts_frames_and_times(windows: tuple[WindowMemory, ...]) -> None:
    assert [w.n_frames for w in windows] == [10, 3]
    assert [w.n_vst for w in windows] == [360, 108]  # 1440/4, 432/4
    w0, w1 = windows
    assert w0.vst_frame[0] == 0 and w0.vst_frame[35] == 0  # raw tokens 0..3 and 140..143 of frame 0
    assert w0.vst_frame[36] == 1 and w0.vst_frame[359] == 9
    assert (w1.index, w1.start_s, w1.end_s) == (1, 5.0, 6.0)
    assert w1.vst_frame[0] == 10 and w1.vst_frame[36] == 11 and w1.vst_frame[107] == 12
    assert w1.vst_time_s[36] == 5.5
    assert list(w1.vst_frame) == sorted(w1.vst_frame)
    k = windows[0].keys[0]
    assert k.shape == (2, 360, 16)  # (kv_heads, n_vst, head_dim)


def test_interleave_puts_a_vst_after_every_ratio_raw_tokens() -> None:
    raw = torch.arange(10, dtype=torch.float32)[:, None] + 1
    chunk, rows = interleave_beacons(raw, 4, torch.tensor([-1.0]))
    assert rows.tolist() == [4, 9]
    assert chunk[:, 0].tolist() == [1, 2, 3, 4, -1, 5, 6, 7, 8, -1, 9, 10]


def test_answering_twice_gives_the_same_text_and_never_mutates(tiny_model: VideoXL,
                                                                windows: tuple[WindowMemory, ...]) -> None:
    memory = memory_of(tiny_model, windows)
    before = snapshot(memory)
    first = "".join(tiny_model.answer(memory, "What happens?", max_new_tokens=8))
    scores = tiny_model.score_windows(memory, "a dog")
    relevance = tiny_model.vst_relevance(memory, "a dog")
    second = "".join(tiny_model.answer(memory, "What happens?", max_new_tokens=8))
    assert first == second and first
    assert all(torch.equal(a, b) for a, b in zip(before, snapshot(memory), strict=True))
    assert scores.shape == (2,) and ((scores > 0) & (scores < 1)).all()
    assert relevance.shape == (memory.n_vst,) and (relevance >= 0).all() and relevance.sum() <= 1.0 + 1e-9
    with pytest.raises(dataclasses.FrozenInstanceError):
        memory.windows = ()  # type: ignore[misc]


@pytest.mark.slow
def test_two_videos_do_not_share_state(tiny_model: VideoXL, tokens: torch.Tensor,
                                       windows: tuple[WindowMemory, ...]) -> None:
    a_answer = "".join(tiny_model.answer(memory_of(tiny_model, windows), "What happens?", max_new_tokens=6))
    other = tuple(tiny_model.encode(synthetic_frames(2, seed=7), RATIO))
    assert not torch.equal(other[0].keys[1], windows[0].keys[1])
    other_answer = "".join(tiny_model.answer(memory_of(tiny_model, other), "What happens?", max_new_tokens=6))
    again = tuple(from_tokens(tiny_model, tokens))
    assert all(torch.equal(x, y) for a, b in zip(again, windows, strict=True) for x, y in zip(a.keys, b.keys, strict=True))
    assert "".join(tiny_model.answer(memory_of(tiny_model, again), "What happens?", max_new_tokens=6)) == a_answer
    assert isinstance(other_answer, str)


def test_select_keeps_time_order_and_answers(tiny_model: VideoXL, windows: tuple[WindowMemory, ...]) -> None:
    memory = memory_of(tiny_model, windows)
    chosen = memory.select([1, 0, 1])
    assert [w.index for w in chosen.windows] == [0, 1]
    assert memory.select([1]).n_vst == 108 and memory.n_vst == 468
    assert "".join(tiny_model.answer(memory.select([1]), "What happens?", max_new_tokens=4)) is not None
    with pytest.raises(MemoryMismatch):
        memory.select([2])
    with pytest.raises(MemoryMismatch):
        VideoMemory(memory.sink, (windows[1], windows[0]), RATIO, tiny_model.identity)


@pytest.mark.slow
def test_resume_with_previous_equals_one_pass(tiny_model: VideoXL, tiny_frames: list[Frame],
                                              tokens: torch.Tensor) -> None:
    one_pass = from_tokens(tiny_model, tokens, keep=fp16_round_trip)
    first = list(tiny_model.encode(tiny_frames[:10], RATIO, keep=fp16_round_trip))
    rest = list(tiny_model.encode(tiny_frames[10:], RATIO, previous=first, keep=fp16_round_trip))
    resumed = first + rest
    assert [w.index for w in resumed] == [0, 1]
    for a, b in zip(one_pass, resumed, strict=True):
        assert a.vst_frame == b.vst_frame and a.vst_time_s == b.vst_time_s
        assert all(torch.equal(x, y) for x, y in zip(a.keys + a.values, b.keys + b.values, strict=True))
    # the round trip really changed what later windows attend to
    plain = from_tokens(tiny_model, tokens)
    assert not torch.equal(plain[1].keys[1], one_pass[1].keys[1])


def test_memory_of_another_model_is_refused(tiny_model: VideoXL, windows: tuple[WindowMemory, ...]) -> None:
    foreign = VideoMemory(tiny_model.sink(), windows, RATIO, "videoxl-someone-else")
    with pytest.raises(MemoryMismatch, match="re-index"):
        list(tiny_model.answer(foreign, "What happens?"))


def test_window_memory_checks_its_shapes(windows: tuple[WindowMemory, ...]) -> None:
    w = windows[1]
    with pytest.raises(MemoryMismatch):
        dataclasses.replace(w, vst_frame=w.vst_frame[:-1])
    with pytest.raises(MemoryMismatch):
        dataclasses.replace(w, values=w.values[:1])


def test_encode_stops_when_cancelled(tiny_model: VideoXL, tiny_frames: list[Frame]) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        next(tiny_model.encode(tiny_frames, RATIO, cancel=token))
    with pytest.raises(Exception, match="ratio"):
        next(tiny_model.encode(tiny_frames, 1))
