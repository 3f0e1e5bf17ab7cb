"""Text -> frames search on stored vectors: the frames whose vectors match a description come first, scores are
calibrated per video, runs become moments with a readable why, and evidence_find fuses them with the rest."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.semantic import evidence_find
from core.vision import VisionModelMissing, VisionOptions, clean_description, load_model, visual_find
from core.vision import store as vstore
from core.vision.find import frame_spans, runs
from core.vision.scoring import embed_ensemble, frame_scores, robust_z
from core.vision.stage import FrameEmbedder

from .conftest import new_db


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _library(model_dir: Path, needle: str, at: tuple[float, float], shift: float = 0.0):  # type: ignore[no-untyped-def]
    """A video of 600 s with one embedded frame every 2 s: random pictures, except that the frames in ``at``
    have the vector of ``needle`` (plus noise). ``shift`` adds the same direction to every frame (a video
    whose whole look differs, e.g. dark or cartoon)."""
    opts = VisionOptions(model=str(model_dir))
    model = load_model(opts)
    db = new_db()
    rng = np.random.default_rng(1)
    times = np.arange(0.0, 600.0, 2.0)
    mat = _unit(rng.normal(size=(len(times), model.dim)))
    target = embed_ensemble(model, [needle])[0]
    inside = (times >= at[0]) & (times < at[1])
    mat[inside] = _unit(target + 0.3 * _unit(rng.normal(size=(int(inside.sum()), model.dim))))
    if shift:
        mat = _unit(mat + shift * _unit(rng.normal(size=model.dim)))
    FrameEmbedder(db, "vid", model, opts)  # records the model, as the evidence pass does
    with db.atomic():
        vstore.write_frames(db, "vid", model.identity, list(times), mat.astype(np.float32))
    return db, opts


def test_the_matching_frames_come_first_with_a_readable_why(tiny_clip: Path) -> None:
    db, opts = _library(tiny_clip, "a red car", (100.0, 110.0))
    moments = visual_find(db, "vid", "When does the red car appear?", options=opts, limit=3)
    best = moments[0]
    assert 99.0 <= best.start <= 101.0 and 109.0 <= best.end <= 113.0, moments
    assert best.label == "visual" and 0.5 < best.score <= 1.0
    assert best.why == (f"frames look like 'the red car' ({best.score:.2f}) at 1:40–{best.end // 60:.0f}:"
                        f"{int(best.end % 60):02d}",)
    assert all(m.score < best.score for m in moments[1:])


def test_scores_mean_the_same_on_a_video_with_another_overall_look(tiny_clip: Path) -> None:
    plain, opts = _library(tiny_clip, "a red car", (100.0, 110.0))
    shifted, _ = _library(tiny_clip, "a red car", (100.0, 110.0), shift=0.6)
    a = visual_find(plain, "vid", "a red car", options=opts, limit=1)[0]
    b = visual_find(shifted, "vid", "a red car", options=opts, limit=1)[0]
    assert (a.start, a.end) == (b.start, b.end)
    assert robust_z(np.array([0.1, 0.2, 0.3, 0.9]))[-1] == pytest.approx(
        robust_z(np.array([0.1, 0.2, 0.3, 0.9]) - 0.25)[-1])  # a global offset does not change the relative part


def test_frames_that_fit_a_generic_caption_better_score_low_however_they_rank() -> None:
    rng = np.random.default_rng(2)
    g = _unit(rng.normal(size=64))
    q = _unit(rng.normal(size=64) - (rng.normal(size=64) @ g) * g)  # roughly orthogonal to g
    frames = _unit(g + 0.05 * rng.normal(size=(200, 64)))  # every frame is "a photo.", none is the query
    scores = frame_scores(frames, q, g[None, :], logit_scale=100.0)
    assert scores.max() < 0.05  # the relative part alone would still pick the frames closest to q
    frames[7] = _unit(q + 0.2 * g)  # one frame that does show it
    scores = frame_scores(frames, q, g[None, :], logit_scale=100.0)
    assert int(np.argmax(scores)) == 7 and scores[7] > 0.9


def test_runs_join_consecutive_frames_and_spans_stop_at_the_next_frame() -> None:
    times = np.array([0.0, 2.0, 4.0, 6.0, 30.0])
    ends = frame_spans(times, every_s=3.0)
    assert list(ends) == [2.0, 4.0, 6.0, 12.0, 33.0]
    hits = runs(times, ends, np.array([0.1, 0.6, 0.8, 0.1, 0.7]), min_score=0.5)
    assert [(h.start_s, h.end_s, h.score, h.peak_s) for h in hits] == [(2.0, 6.0, 0.8, 4.0), (30.0, 33.0, 0.7, 30.0)]


@pytest.mark.parametrize("question, shown", [
    ("When does the dog appear?", "the dog"), ("the scene on the beach", "the scene on the beach"),
    ("Where is the car crash?", "the car crash"), ("a taxi", "a taxi"), ("Is there a cat on screen?", "a cat"),
])
def test_questions_become_descriptions(question: str, shown: str) -> None:
    assert clean_description(question) == shown


def test_evidence_find_fuses_the_frames_with_the_text(tiny_clip: Path) -> None:
    db, opts = _library(tiny_clip, "a red car", (100.0, 110.0))
    moments = evidence_find(db, "vid", "a red car", vision=opts, limit=5)
    assert moments and moments[0].label == "visual" and 99.0 <= moments[0].start <= 101.0
    assert any(w.startswith("frames look like") for w in moments[0].why)
    assert not any(m.label == "visual" for m in evidence_find(db, "vid", "a red car", use_frames=False))
    # A setting naming a missing model: the model the frames were embedded with is used.
    again = evidence_find(db, "vid", "a red car", vision=VisionOptions(model="/nowhere"), limit=5)
    assert [(m.start, m.end) for m in again] == [(m.start, m.end) for m in moments]


def test_without_any_model_text_search_still_answers(tiny_clip: Path, tmp_path: Path) -> None:
    import shutil

    gone = tmp_path / "copy"
    shutil.copytree(tiny_clip, gone)
    db, _opts = _library(gone, "a red car", (100.0, 110.0))
    shutil.rmtree(gone)
    with pytest.raises(VisionModelMissing, match="No image-text model found"):
        visual_find(db, "vid", "a red car", options=VisionOptions(model="/nowhere"))
    assert evidence_find(db, "vid", "a red car", vision=VisionOptions(model="/nowhere")) == []
