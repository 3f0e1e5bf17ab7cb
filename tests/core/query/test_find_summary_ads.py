import itertools

import numpy as np
import pytest
import torch

from core.model.memory import WindowMemory
from core.query import FindOptions, find, load_memory, model_ad_scores, summarize
from core.query.ads import WindowScores, ad_moments
from core.query.summary import chapter_bounds
from core.store import open_db


def test_find_returns_ranked_refined_moments_inside_the_video(tiny_model, indexed):
    db_path, result = indexed
    db = open_db(db_path)
    moments = find(tiny_model, load_memory(db, result.video, tiny_model), "the white bar at the left edge",
                   options=FindOptions(top_k=3, refine=1))
    assert 1 <= len(moments) <= 3
    assert [m.score for m in moments] == sorted((m.score for m in moments), reverse=True)
    assert all(0.0 <= m.start < m.end <= 8.0 + 1e-6 and m.why for m in moments)
    assert any("refined on" in w for m in moments for w in m.why)


def test_summary_chapters_cover_the_memory_in_time_order(tiny_model, indexed):
    db_path, result = indexed
    db = open_db(db_path)
    summary = summarize(tiny_model, load_memory(db, result.video, tiny_model))
    assert len(summary.chapters) == 1  # 8 s: one chapter per five minutes, at least one
    (c,) = summary.chapters
    assert c.start == 0.0 and c.end == pytest.approx(8.0, abs=0.3) and c.title
    assert isinstance(summary.overview, str)


def _w(index: int, value: float) -> WindowMemory:
    kv = (torch.full((1, 2, 4), value) + torch.arange(4.0) * (index % 2),)
    return WindowMemory(index=index, keys=kv, values=kv, vst_frame=(index, index), vst_time_s=(index, index),
                        start_s=float(index), end_s=index + 1.0, n_frames=1)


def test_chapter_bounds_cut_at_the_largest_changes():
    windows = tuple(_w(i, v) for i, v in enumerate([1, 1, 1, -1, -1, 1, 1]))
    assert chapter_bounds(windows, 1) == [(0, 7)]
    bounds = chapter_bounds(windows, 3)
    assert bounds[0][0] == 0 and bounds[-1][1] == 7
    assert all(a < b for a, b in bounds) and all(x[1] == y[0] for x, y in itertools.pairwise(bounds))
    assert chapter_bounds(windows[:2], 5) == [(0, 1), (1, 2)]


def test_ad_moments_from_window_scores():
    s = WindowScores((0.0, 10.0, 20.0, 30.0), (10.0, 20.0, 30.0, 40.0), (0.1, 0.8, 0.9, 0.2))
    (m,) = ad_moments(s)
    assert (m.start, m.end, m.label, m.score) == (10.0, 30.0, "ad", 0.9)
    assert s.at(15.0) == 0.8 and s.at(45.0) is None
    assert ad_moments(s, threshold=0.95) == []


def test_model_ad_scores_one_per_window(tiny_model, indexed):
    db_path, result = indexed
    scores = model_ad_scores(tiny_model, load_memory(open_db(db_path), result.video, tiny_model))
    assert len(scores) == 4
    assert scores.start_s == (0.0, 2.5, 5.0, 7.5) or np.allclose(scores.start_s, (0.0, 2.5, 5.0, 7.5), atol=1e-3)
    assert all(0.0 <= p <= 1.0 for p in scores.score)
    assert list(scores.end_s[:-1]) == list(scores.start_s[1:]) and scores.end_s[-1] == pytest.approx(8.0, abs=0.3)
