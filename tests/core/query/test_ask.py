import numpy as np
import pytest

from core.index.codec import roundtrip
from core.media import FrameSize, PerSecond, sample_frames
from core.model.memory import VideoMemory
from core.query import AskOptions, ask, load_memory
from core.store import open_db

Q = "What colour is the screen?"


def encode_now(model, video, storage):
    """The memory as the index builds it in RAM: every window round-tripped through the storage codec."""
    kept = []

    def keep(w):
        back = roundtrip(w, storage)[0]
        kept.append(back)
        return back

    frames = sample_frames(video, PerSecond(4.0), size=FrameSize.clip(336))
    for _ in model.encode(frames, 8, keep=keep):
        pass
    return VideoMemory(sink=model.sink(), windows=tuple(kept), ratio=8, model_identity=model.identity)


def test_answer_from_the_reloaded_memory_equals_the_answer_straight_after_encoding(tiny_model, video, indexed):
    db_path, result = indexed
    db = open_db(db_path)
    fresh = encode_now(tiny_model, video, "fp16")
    expected = "".join(tiny_model.answer(fresh, Q, max_new_tokens=12)).strip()
    streamed: list[str] = []
    answer = ask(tiny_model, load_memory(db, result.video, tiny_model), Q,
                 options=AskOptions(max_new_tokens=12, evidence=False), on_text=streamed.append)
    assert answer.text == expected == "".join(streamed).strip()
    assert answer.stats is not None and answer.stats.windows_used == answer.stats.windows_total == 4
    assert 1 <= len(answer.moments) <= 3
    assert all(0 <= m.start < m.end <= 8.0 + 1e-6 for m in answer.moments)
    stored = load_memory(db, result.video, tiny_model).memory
    assert np.allclose(tiny_model.score_windows(stored, Q), tiny_model.score_windows(fresh, Q), atol=0, rtol=0)


def test_ask_never_encodes(tiny_model, indexed, monkeypatch):
    db_path, result = indexed

    def no_encoding(*a, **k):
        raise AssertionError("ask must not re-encode the video")

    monkeypatch.setattr(tiny_model, "encode", no_encoding)
    loaded = load_memory(open_db(db_path), result.video, tiny_model)
    answer = ask(tiny_model, loaded, "Is there a bar?", options=AskOptions(max_new_tokens=4, moments=0))
    assert answer.moments == () and isinstance(answer.text, str)


@pytest.mark.slow
def test_int8_storage_moves_scores_little(tiny_model, video):
    """The int8 codec's effect on what the model says, measured against the fp16 memory (stated in the report)."""
    fp16 = encode_now(tiny_model, video, "fp16")
    int8 = encode_now(tiny_model, video, "int8")
    d = np.abs(np.asarray(tiny_model.score_windows(fp16, Q)) - np.asarray(tiny_model.score_windows(int8, Q)))
    assert d.max() < 0.02


def test_empty_question_and_unindexed_video_are_clear_errors(tiny_model, indexed, tmp_path):
    from core.errors import UsageError
    from core.query import NotIndexed

    db_path, result = indexed
    with pytest.raises(UsageError, match="empty"):
        ask(tiny_model, load_memory(open_db(db_path), result.video, tiny_model), "  ")
    with pytest.raises(NotIndexed, match="longwatch-cli index"):
        load_memory(open_db(tmp_path / "other.db"), result.video, tiny_model)


def test_video_is_found_by_path_by_fingerprint_and_after_a_move(indexed, video, tmp_path):
    import shutil

    from core.store import get_video_row
    from core.usecases.videos import find_video

    db_path, result = indexed
    db = open_db(db_path)
    assert find_video(db, video).fingerprint == find_video(db, result.video).fingerprint == result.video
    moved = shutil.copy(video, tmp_path / "moved.mp4")
    try:
        assert find_video(db, moved).fingerprint == result.video
        assert get_video_row(open_db(db_path), result.video)["path"] == str(moved)  # committed
    finally:
        find_video(db, video)
