"""The parts of an evidence summary on rows built here (no models, no media): title sequences, scene changes from
shot similarity, boundary choice, what-is-known chapters, gates applied to chapters and overview."""

from __future__ import annotations

import numpy as np
import pytest

from core.semantic.chapters import ChapterOptions, SummaryInputs, summarise
from core.semantic.credits import title_sequences
from core.semantic.describe import describe_span, span_facts
from core.semantic.scenes import change_scores, shot_vectors
from core.semantic.segment import Candidate, SegmentOptions, candidates, choose, relative, target_count
from core.semantic.types import EvidenceLine, FrameFeatures

CREDIT_NAMES = ["SACHA GOEDEGEBURE Director", "ANDREAS GORALCZYK Art Director", "Music and sound design",
                "Jan Morgenstern", "Amos Brocco· Andre Baran· Andrea Weikert", "Special thanks to",
                "Campbell Barton Technical Director", "Brecht van Lommel Software Developer"]


def ocr(t: float, text: str, seconds: float = 2.0) -> EvidenceLine:
    return EvidenceLine(t, t + seconds, text, "ocr")


def frames(duration_s: float, scenes: list[tuple[float, float, int, float]], fps: float = 4.0) -> FrameFeatures:
    """Frames whose colour is one hue bin at one brightness per scene: (start_s, end_s, hue_bin, luma)."""
    t = np.arange(0, duration_s, 1 / fps) + 0.125
    hue = np.zeros((len(t), 12), np.float32)
    luma = np.zeros(len(t), np.float32)
    rng = np.random.default_rng(0)
    for a, b, k, y in scenes:
        rows = (t >= a) & (t < b)
        hue[rows, k] = 0.5 + 0.02 * rng.standard_normal(int(rows.sum()))
        luma[rows] = y + 0.01 * rng.standard_normal(int(rows.sum()))
    sat = hue.sum(axis=1)
    return FrameFeatures(t, luma, sat, np.zeros(len(t), np.float32), hue)


def film(duration_s: float = 600.0) -> tuple[FrameFeatures, list[float], list[EvidenceLine]]:
    """A 10-minute "film": opening titles over a dark first shot, four picture scenes with a cut every 6 s
    (alternating two close colours inside a scene, like shot / reverse shot), then rolling credits on dark."""
    scenes = [(0, 30, 7, 0.15), (30, 150, 3, 0.6), (150, 300, 0, 0.4), (300, 420, 8, 0.7), (420, 510, 5, 0.3),
              (510, 600, 7, 0.1)]
    feats = frames(duration_s, scenes)
    cuts = sorted({float(c) for c in np.arange(6.0, duration_s, 6.0)} | {30.0, 150.0, 300.0, 420.0, 510.0})
    text = [ocr(4.0, "THE PEACH OPEN MOVIE PROJECT PRESENTS"), ocr(12.0, "BIG BUCK BUNNY", 6.0),
            ocr(200.0, "K")]
    text += [ocr(512.0 + 4 * i, CREDIT_NAMES[i % len(CREDIT_NAMES)]) for i in range(20)]
    return feats, cuts, text


def inputs(feats: FrameFeatures, cuts: list[float], lines: list[EvidenceLine], duration_s: float = 600.0,
           stages: frozenset[str] = frozenset({"frames", "ocr", "speech"})) -> SummaryInputs:
    rng = np.random.default_rng(1)
    vecs = rng.standard_normal((len(lines), 8)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    return SummaryInputs(duration_s, tuple(lines), vecs, tuple(cuts), feats, (), stages)


def test_opening_titles_and_end_credits_are_found() -> None:
    feats, cuts, text = film()
    seqs = title_sequences(text, feats, cuts, 600.0)
    assert [s.kind for s in seqs] == ["opening", "credits"]
    assert seqs[0].start_s == 0.0 and 18.0 <= seqs[0].end_s <= 24.0  # the last card's end, or the cut after it
    assert seqs[1].start_s == pytest.approx(510.0)  # moved back to the cut where the credits begin
    assert seqs[1].end_s >= 590.0


def test_a_news_ticker_is_not_credits() -> None:
    feats, cuts, _ = film()
    ticker = [ocr(520.0 + 5 * i, f"Markets close higher as the storm moves north, story {i}") for i in range(12)]
    bright = FrameFeatures(feats.t_s, np.full(len(feats), 0.6, np.float32), feats.saturation, feats.motion, feats.hue)
    assert title_sequences(ticker, bright, cuts, 600.0) == []


def test_scene_changes_stand_out_from_cuts_inside_a_scene() -> None:
    feats, cuts, _ = film()
    mat = np.concatenate([feats.hue, feats.luma[:, None]], axis=1)
    shots = shot_vectors(feats.t_s, mat, cuts, 600.0)
    scores = change_scores(shots, window_s=30.0)
    top = sorted(shots.starts[int(k)] for k in np.argsort(-scores)[:5])
    assert top == [30.0, 150.0, 300.0, 420.0, 510.0]
    assert scores[0] == 0.0


def test_a_fade_to_black_is_a_clear_boundary_on_its_own() -> None:
    from core.semantic.scenes import black_starts

    assert black_starts([0.0, 10.0, 20.0], [20.2, 0.5]).tolist() == [False, False, True]  # never the first shot
    cands = candidates([10.0, 20.0, 30.0], [0.5, 0.5, 0.5], [], 5.0, black=[False, True, False])
    opts = SegmentOptions(min_chapter_s=5.0, min_score=1.0)
    assert [c.black for c in cands] == [False, True, False]
    assert choose(cands, 0.0, 40.0, 0.0, opts) == [20.0]  # the same picture change, with a fade: chosen


def test_choose_keeps_apart_and_caps_the_count() -> None:
    opts = SegmentOptions(min_chapter_s=20.0, min_score=1.0, chapters_per_sqrt_min=1.0)
    cands = [Candidate(50.0, 6.0, 0.0), Candidate(60.0, 9.0, 0.0), Candidate(200.0, 4.0, 0.0),
             Candidate(300.0, 1.0, 0.0), Candidate(400.0, 0.0, 0.05)]
    assert choose(cands, 0.0, 600.0, 0.1, opts) == [60.0, 200.0]  # 50 is too near 60; 300 and 400 score too low
    assert target_count(600.0, opts) == 3 and target_count(7200.0, opts) == 11
    assert relative([1.0] * 6) == [0.0] * 6
    assert relative([0.2, 1.0]) == pytest.approx([1.2, 6.0])  # too few cuts to compare: as they are


def test_a_film_without_dialogue_gets_scene_chapters_and_says_what_is_known() -> None:
    feats, cuts, text = film()
    summary = summarise(inputs(feats, cuts, text), ChapterOptions(titles="extractive"))
    titles = [c.title for c in summary.chapters]
    assert titles[0] == "Opening titles" and titles[-1] == "End credits"
    starts = [c.start for c in summary.chapters]
    for scene in (150.0, 300.0, 420.0, 510.0):
        assert min(abs(s - scene) for s in starts) < 3.0, starts
    story = summary.chapters[1:-1]
    assert all(c.title.startswith("Scene ") for c in story)
    assert all("no speech" in c.text for c in story)
    assert any("green" in c.title for c in story) and any("red" in c.title for c in story)
    for bad in ("Brocco", "GOEDEGEBURE", "PEACH", " K "):
        assert bad not in summary.overview and all(bad not in c.title for c in summary.chapters)
    assert summary.overview.startswith("10:00 of video with no speech")
    assert summary.sources == ("ocr", "frame colour", "shots")


def test_describe_names_brightness_colour_pace_and_speech() -> None:
    feats = frames(120.0, [(0, 120, 3, 0.7)])
    facts = span_facts(feats, 0.0, 120.0, [float(t) for t in range(2, 120, 2)], speech=False)
    assert describe_span(facts) == "bright, green scenes, quick cuts, no speech"
    unknown = span_facts(FrameFeatures.empty(), 0.0, 30.0, [], speech=None)
    assert describe_span(unknown) == "1 shot"


def test_speech_makes_titles_and_a_loop_is_kept_out() -> None:
    feats, cuts, _ = film()
    said = [EvidenceLine(40.0 + 8 * i, 46.0 + 8 * i, f"The lighthouse keeper climbs the stairs to light the lamp {i}.",
                         "speech") for i in range(10)]
    loop = EvidenceLine(200.0, 230.0, "see you in the next video, " * 12, "speech")
    summary = summarise(inputs(feats, cuts, [*said, loop]), ChapterOptions(titles="extractive"))
    first = next(c for c in summary.chapters if c.start <= 60.0 < c.end)
    assert "lighthouse" in first.title.lower() and "lighthouse" in first.text
    assert "next video" not in summary.overview and all("next video" not in c.text for c in summary.chapters)
    assert "speech" in summary.sources and "titles: key phrases" in summary.sources


def test_vision_labels_describe_a_chapter_and_embeddings_find_its_scenes() -> None:
    feats, cuts, text = film()
    base = inputs(feats, cuts, text)
    t = np.arange(0.5, 600.0, 2.0)
    scene = np.searchsorted([30.0, 150.0, 300.0, 420.0, 510.0], t, side="right")  # 0..5 per frame
    emb = np.eye(8, dtype=np.float32)[scene]  # one direction per scene
    labels = tuple((a, a + 6.0, ("a forest", "a rabbit") if 150 <= a < 300 else ("a meadow",))
                   for a in [0.0, *cuts])
    grey = FrameFeatures(feats.t_s, np.full(len(feats), 0.5, np.float32), np.zeros(len(feats), np.float32),
                         feats.motion, np.zeros_like(feats.hue))  # colour says nothing: scenes come from vision
    seen = SummaryInputs(base.duration_s, base.lines, base.vecs, base.shot_starts, grey, (), base.stages, labels,
                         (t, emb))
    summary = summarise(seen, ChapterOptions(titles="extractive"))
    starts = [c.start for c in summary.chapters]
    for s in (150.0, 300.0, 420.0):
        assert min(abs(x - s) for x in starts) < 3.0, starts
    forest = next(c for c in summary.chapters if c.start <= 200.0 < c.end)
    assert forest.title.endswith("a forest, a rabbit") and "a forest, a rabbit" in forest.text
    assert "visual labels" in summary.sources
