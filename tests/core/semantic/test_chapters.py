"""Chapters from topic shifts in real speech, snapped to shot cuts of a generated video."""

from __future__ import annotations

import pytest

from core.semantic import ChapterOptions, embed_evidence, evidence_summary
from core.semantic.tiling import depth_scores
from core.semantic.titles import keyphrase_title

from .conftest import Clip, new_db

pytestmark = pytest.mark.slow


def test_chapters_find_both_topic_boundaries(clip: Clip) -> None:
    db = new_db(duration_s=clip.duration_s)
    embed_evidence(db, "vid", lines=clip.speech)
    shots = [f.t_s for f in clip.stats if f.cut]
    summary = evidence_summary(db, "vid", options=ChapterOptions(window=3, min_chapter_s=10, titles="extractive"),
                               shots=shots)
    starts = [c.start for c in summary.chapters[1:]]
    for true in clip.topic_starts:
        assert min(abs(s - true) for s in starts) < 3.0, (starts, clip.topic_starts)
    assert len(summary.chapters) <= 4
    assert summary.chapters[0].start == 0.0 and summary.chapters[-1].end == pytest.approx(clip.duration_s)
    for a, b in zip(summary.chapters, summary.chapters[1:], strict=False):
        assert a.end == b.start
    assert all(c.title and c.text for c in summary.chapters)
    assert "[0:" in summary.overview or "[1:" in summary.overview
    assert "titles: key phrases" in summary.sources and "shots" in summary.sources


def test_depth_scores_peak_at_the_topic_change() -> None:
    import numpy as np

    a, b = np.eye(4)[0], np.eye(4)[1]
    vecs = np.array([a, a, a, a, b, b, b, b], dtype=np.float32)
    depth = depth_scores(vecs, 2)
    assert int(np.argmax(depth)) == 3 and depth[3] > 1.5


def test_shots_alone_are_no_reason_to_cut() -> None:
    # Without text and without frame statistics nothing says where a scene changes: one chapter that says so.
    db = new_db(duration_s=1200.0)
    summary = evidence_summary(db, "vid", shots=[100.0, 390.0, 610.0, 905.0], options=ChapterOptions())
    assert [(c.start, c.end, c.title) for c in summary.chapters] == [(0.0, 1200.0, "Scene 1")]
    assert summary.chapters[0].text == "0:00–20:00: long takes."  # 5 shots in 20 minutes
    assert "no transcript" in summary.overview and summary.sources == ("shots",)


def test_keyphrase_title_prefers_words_particular_to_the_chapter() -> None:
    texts = ["The lighthouse keeper climbs the lighthouse stairs.", "Knead the dough and bake the dough."]
    assert "lighthouse" in keyphrase_title(texts[0], [texts[1]]).lower()
    assert "dough" in keyphrase_title(texts[1], [texts[0]]).lower()
    assert keyphrase_title("", []) == "Untitled"


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="titles"):
        ChapterOptions(titles="llm")
    with pytest.raises(ValueError, match="window"):
        ChapterOptions(window=0)
