import numpy as np
import pytest
import torch

from core.model.memory import WindowMemory
from core.query.moments import extract_moments, relevance_curve
from core.timefmt import clock


def window(index: int, first_frame: int, n_frames: int, step_s: float, per_frame: int = 2) -> WindowMemory:
    frames = tuple(first_frame + j // per_frame for j in range(n_frames * per_frame))
    kv = tuple(torch.zeros(1, len(frames), 4) for _ in range(1))
    return WindowMemory(index=index, keys=kv, values=kv, vst_frame=frames,
                        vst_time_s=tuple(f * step_s for f in frames), start_s=first_frame * step_s,
                        end_s=(first_frame + n_frames) * step_s, n_frames=n_frames)


def test_window_scores_alone_map_to_the_window_seconds():
    windows = [window(i, 10 * i, 10, 0.5) for i in range(3)]  # 2 fps: window i is [5i, 5i + 5)
    curve = relevance_curve(windows, np.array([0.1, 0.9, 0.2]))
    assert list(curve.frame) == list(range(30))
    assert curve.start_s[12] == 6.0 and curve.end_s[12] == 6.5 and curve.end_s[-1] == 15.0
    (m,) = extract_moments(curve, label="x", top_k=1)
    assert (m.start, m.end, m.score) == (5.0, 10.0, pytest.approx(0.9))
    assert "window 1" in m.why[0]


def test_vst_attention_narrows_the_moment_to_frames():
    windows = [window(i, 10 * i, 10, 1.0) for i in range(2)]
    rel = np.full(40, 0.01)
    rel[2 * 13: 2 * 15] = 1.0  # frames 13 and 14 (two VSTs each)
    curve = relevance_curve(windows, np.array([0.3, 0.8]), rel)
    best = extract_moments(curve, label="x")[0]
    assert (best.start, best.end) == (13.0, 15.0)
    assert best.score == pytest.approx(0.8)
    assert "frame 13" in best.why[1] and "0:13" in best.why[1]


def test_nan_relevance_falls_back_to_window_scores_and_moments_are_ranked():
    windows = [window(i, 10 * i, 10, 1.0) for i in range(4)]
    scores = np.array([0.7, 0.1, 0.9, 0.1])
    curve = relevance_curve(windows, scores, np.full(80, np.nan))
    ms = extract_moments(curve, label="x", top_k=5)
    assert [(m.start, m.end) for m in ms] == [(20.0, 30.0), (0.0, 10.0)]
    assert ms[0].score >= ms[1].score
    with pytest.raises(ValueError):
        relevance_curve(windows, scores[:2])


def test_clock_is_a_players_clock():
    assert clock(65.4) == "1:05" and clock(3723) == "1:02:03" and clock(59.6) == "0:59"


def test_moments_map_to_the_right_seconds_on_a_generated_video(tiny_model, indexed):
    """Indexed at 4 fps from a 4 fps clip: frame k is on screen from k * 0.25 s; window w holds frames 10w..10w+9."""
    from core.query.memory import load_memory
    from core.store import open_db

    db_path, result = indexed
    memory = load_memory(open_db(db_path), result.video, tiny_model).memory
    assert [w.n_frames for w in memory.windows] == [10, 10, 10, 2]
    for w in memory.windows:
        assert all(t == pytest.approx(f * 0.25, abs=1e-3) for f, t in zip(w.vst_frame, w.vst_time_s, strict=True))
    scores = np.array([0.1, 0.2, 0.95, 0.1])
    curve = relevance_curve(memory.windows, scores, np.asarray(tiny_model.vst_relevance(memory, "a bar")))
    assert curve.start_s == pytest.approx(np.arange(32) * 0.25, abs=1e-3)
    best = extract_moments(curve, label="bar", top_k=1)[0]
    assert 5.0 - 1e-3 <= best.start < best.end <= 7.5 + 1e-3  # inside window 2: frames 20..29
