"""Ad detection: the logo signal, the tree-model runtime, the decoder, and the shipped model on generated recordings.

Generated media proves plumbing (the model loads, scores and decodes); quality is measured on real footage in
benchmarks/ads.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from core.evidence import AdModelError, EvidenceOptions, detect_ad_breaks, detect_ads, run_evidence
from core.evidence.ad_features import BLOCK_FEATURES, feature_names
from core.evidence.ad_model import AdModel, Tree, load_model
from core.evidence.ads import _best_non_overlapping
from core.evidence.logo import corner_edges, find_logo
from core.store import open_db
from tests.core.evidence.gen import Part, write_recording

FAST = EvidenceOptions(ocr=False, speech=False)


def _logo_frames(n: int, with_logo: int, seed: int = 0) -> list[np.ndarray]:
    """Moving random blocks; the first ``with_logo`` frames carry a 60% white box outline in the top right."""
    rng = np.random.default_rng(seed)
    frames = []
    for k in range(n):
        blocks = np.kron(rng.integers(0, 200, (10, 17, 3)), np.ones((40, 40, 1))).astype(np.uint8)
        dy, dx = rng.integers(0, 40, 2)  # the scene moves: no edge stays on one pixel
        img = np.ascontiguousarray(blocks[dy:dy + 360, dx:dx + 640])  # (360, 640, 3)
        if k < with_logo:
            box = img[20:60, 540:620].astype(np.float32)
            box[:4], box[-4:], box[:, :4], box[:, -4:] = (box[:4] * 0.4 + 153, box[-4:] * 0.4 + 153,
                                                          box[:, :4] * 0.4 + 153, box[:, -4:] * 0.4 + 153)
            img[20:60, 540:620] = box.astype(np.uint8)
        frames.append(img)
    return frames


def test_logo_is_found_in_its_corner_and_present_only_while_shown() -> None:
    frames = _logo_frames(60, with_logo=40)
    logo = find_logo([corner_edges(k * 0.5, f) for k, f in enumerate(frames)])
    assert logo.found and logo.corner == 1 and logo.mask_px >= 20
    assert logo.presence[:40].mean() > 0.8 and logo.presence[40:].mean() < 0.3


def test_no_logo_without_a_static_overlay() -> None:
    frames = _logo_frames(40, with_logo=0)
    logo = find_logo([corner_edges(k * 0.5, f) for k, f in enumerate(frames)])
    assert not logo.found and not logo.presence.any()


def _stump() -> AdModel:
    """x0 <= 0.5 -> -1 (NaN goes right), else +2; baseline 0.25."""
    tree = Tree(np.array([0, 0, 0]), np.array([0.5, 0, 0]), np.array([1, 0, 0]), np.array([2, 0, 0]),
                np.array([False, False, False]), np.array([False, True, True]), np.array([0.0, -1.0, 2.0]))
    return AdModel(("a", "b"), 0.25, (tree,), 0.0, {})


def test_tree_model_walks_splits_and_missing_values_and_round_trips(tmp_path: Path) -> None:
    model = _stump()
    x = np.array([[0.0, 9.0], [0.5, 9.0], [0.51, 0.0], [np.nan, 0.0]])
    assert model.logit(x).tolist() == [-0.75, -0.75, 2.25, 2.25]
    path = tmp_path / "m.json"
    path.write_text(json.dumps(model.to_json()))
    assert load_model(path).logit(x).tolist() == model.logit(x).tolist()
    with pytest.raises(AdModelError, match="needs 2 features"):
        model.logit(np.zeros((3, 5)))


def test_a_broken_model_file_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "other.json").write_text(json.dumps({"format": "something else"}))
    with pytest.raises(AdModelError, match=r"refit it with benchmarks/ads_fit\.py"):
        load_model(tmp_path / "bad.json")
    with pytest.raises(AdModelError, match="not a Longwatch advert model"):
        load_model(tmp_path / "other.json")
    with pytest.raises(AdModelError, match="missing"):
        load_model(tmp_path / "absent.json")


def test_the_shipped_model_loads_with_features_the_blocks_compute() -> None:
    from core.evidence.ad_features import ALL_MATERIAL_FEATURES

    model = load_model()
    assert set(model.features) <= set(feature_names(tuple(BLOCK_FEATURES)))
    assert model.info["cv"]["by"] == "recording"
    if model.segments is None:  # the candidate decoder: its classifier
        assert len(model.trees) >= 10
    else:  # the labelling decoder: its tick classifier, chosen on development recordings the fit never saw
        assert model.material is not None and len(model.material.trees) >= 10
        assert set(model.material.features) <= set(ALL_MATERIAL_FEATURES)
        dev = model.info["development"]
        assert dev["recordings"] and not set(dev["recordings"]) & set(model.info["recordings"])


def test_best_non_overlapping_spans_maximise_total_weight() -> None:
    start, end = np.array([0.0, 0.0, 10.0, 5.0]), np.array([10.0, 20.0, 20.0, 15.0])
    weight = np.array([2.0, 3.0, 2.0, 3.5])
    assert _best_non_overlapping(start, end, weight) == [0, 2]  # 4.0 beats the single 3.5 or 3.0


@pytest.fixture(scope="module")
def channel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[float, float]]]:
    """A channel: logo'd programme 40 s, 4 black frames + silence, adverts 15 s and 12 s, programme 40 s."""
    black = 0.16
    parts = [Part("show", 40.0, logo=True, shot_s=5.0), Part("black", black),
             Part("ad", 15.0, colour=(230, 40, 40), tone_hz=880, level_db=-14, shot_s=2.0), Part("black", black),
             Part("ad", 12.0, colour=(40, 60, 240), tone_hz=660, level_db=-14, shot_s=1.5), Part("black", black),
             Part("show", 40.0, logo=True, shot_s=5.0, colour=(110, 100, 90))]
    path = write_recording(tmp_path_factory.mktemp("media") / "channel.mp4", parts, size=(320, 180), fps=25)
    a0 = 40.0 + black
    return path, [(a0, a0 + 15.0), (a0 + 15.0 + black, a0 + 27.0 + black)]


def test_a_logo_channel_break_is_found_and_split_into_its_adverts(
        channel: tuple[Path, list[tuple[float, float]]]) -> None:
    path, adverts = channel
    db = open_db(":memory:")
    fp = run_evidence(db, path, FAST).fingerprint
    breaks = detect_ad_breaks(db, fp)
    assert len(breaks) == 1, breaks
    brk = breaks[0]
    # every advert reported is one of the true adverts, edges within 0.5 s ...
    assert brk.adverts and all(any(abs(a.start - s) <= 0.5 and abs(a.end - e) <= 0.5 for s, e in adverts)
                               for a in brk.adverts), brk
    # ... so the break's edges never reach into the programme on either side
    assert brk.start >= adverts[0][0] - 0.3 and brk.end <= adverts[-1][1] + 0.3
    assert all(a.label == "advert" and a.why for a in brk.adverts) and brk.why and brk.score > 0.5
    assert [(m.start, m.end, m.label) for m in detect_ads(db, fp)] == [(brk.start, brk.end, "ad")]


def test_video_llm_window_scores_move_the_score(channel: tuple[Path, list[tuple[float, float]]]) -> None:
    path, adverts = channel
    db = open_db(":memory:")
    fp = run_evidence(db, path, FAST).fingerprint
    a, b = adverts[0][0], adverts[-1][1]
    agree = [(t, t + 4.0, 0.95 if a <= t + 2 < b else 0.05) for t in range(0, 108, 4)]
    disagree = [(t, t + 4.0, 0.05 if a <= t + 2 < b else 0.5) for t in range(0, 108, 4)]
    plain = detect_ad_breaks(db, fp, min_score=0.0)[0].score
    assert detect_ad_breaks(db, fp, model_scores=agree, min_score=0.0)[0].score >= plain
    lowered = detect_ad_breaks(db, fp, model_scores=disagree, min_score=0.0)
    assert not lowered or lowered[0].score < plain


def test_a_programme_with_fades_to_black_and_quiet_passages_has_no_break(tmp_path: Path) -> None:
    parts = [Part("show", 25.0, logo=True), Part("black", 1.0, silent=False), Part("show", 20.0, logo=True),
             Part("show", 12.0, logo=True, level_db=-58.0), Part("black", 0.6, silent=True),
             Part("show", 25.0, logo=True, colour=(60, 50, 45)), Part("show", 20.0, logo=True)]
    path = write_recording(tmp_path / "programme.mp4", parts, size=(320, 180), fps=25)
    db = open_db(":memory:")
    fp = run_evidence(db, path, FAST).fingerprint
    assert detect_ad_breaks(db, fp) == []


def test_a_model_with_a_material_tick_classifier_round_trips_and_feeds_its_block(
        channel: tuple[Path, list[tuple[float, float]]], tmp_path: Path) -> None:
    from core.evidence.ad_features import (
        MATERIAL_FEATURES,
        add_material,
        candidates,
        material_block,
        material_features,
    )
    from core.evidence.ad_timeline import DT, Timeline

    path, adverts = channel
    db = open_db(":memory:")
    fp = run_evidence(db, path, FAST).fingerprint
    tl = Timeline.load(db, fp)
    x = material_features(tl)
    assert x.shape == (tl.n, len(MATERIAL_FEATURES))
    # a one-split tick model on the logo share: no logo around the tick -> advert material
    col = MATERIAL_FEATURES.index("logo_2s")
    tick = Tree(np.array([col, 0, 0]), np.array([0.5, 0, 0]), np.array([1, 0, 0]), np.array([2, 0, 0]),
                np.array([False, False, False]), np.array([False, True, True]), np.array([0.0, 3.0, -3.0]))
    material = AdModel(MATERIAL_FEATURES, 0.0, (tick,), 0.0, {})
    model = AdModel(("a", "b"), 0.25, _stump().trees, 0.0, {}, None, material)
    (tmp_path / "m.json").write_text(json.dumps(model.to_json()))
    again = load_model(tmp_path / "m.json")
    assert again.material is not None and again.material.features == MATERIAL_FEATURES
    z = again.material.logit(x)
    t = (np.arange(tl.n) + 0.5) * DT
    inside = (t > adverts[0][0] + 3) & (t < adverts[-1][1] - 3)
    outside = (t < adverts[0][0] - 3) | (t > adverts[-1][1] + 3)
    assert z[inside].mean() > 2.0 and z[outside].mean() < -2.0  # the logo is absent only during the adverts
    c = candidates(tl)
    assert np.isnan(material_block(tl, c)["material_inside"]).all()  # no tick scores yet: missing, not zero
    add_material(tl, z)
    block = material_block(tl, c)
    k = int(np.argmin(np.abs(c.start_s - adverts[0][0]) + np.abs(c.end_s - adverts[0][1])))
    assert block["material_inside"][k] > 2.0 and block["material_low_share"][k] < 0.2
    with pytest.raises(ValueError, match="one value per tick"):
        add_material(tl, z[:-1])



def test_a_labelling_model_marks_the_break_at_its_separators_and_splits_it(
        channel: tuple[Path, list[tuple[float, float]]]) -> None:
    from core.evidence.ad_features import STRUCTURE_FEATURES
    from core.evidence.ad_segments import SegmentParams

    path, adverts = channel
    db = open_db(":memory:")
    fp = run_evidence(db, path, FAST).fingerprint
    # a one-split tick model on the logo share around the tick: no logo -> advert material
    col = STRUCTURE_FEATURES.index("logo_2s")
    tick = Tree(np.array([col, 0, 0]), np.array([0.5, 0, 0]), np.array([1, 0, 0]), np.array([2, 0, 0]),
                np.array([False, False, False]), np.array([False, True, True]), np.array([0.0, 3.0, -3.0]))
    model = AdModel((), 0.0, (), 0.0, {}, None, AdModel(STRUCTURE_FEATURES, 0.0, (tick,), 0.0, {}),
                    SegmentParams(bias=0.0, switch_cut=16.0, switch_separator=4.0, switch_both=0.0))
    breaks = detect_ad_breaks(db, fp, model=model)
    assert len(breaks) == 1, breaks
    brk = breaks[0]
    assert abs(brk.start - adverts[0][0]) <= 0.3 and abs(brk.end - adverts[-1][1]) <= 0.3, brk
    assert [(round(a.start), round(a.end)) for a in brk.adverts] == [(round(s), round(e)) for s, e in adverts]
    assert brk.score > 0.5 and any("logo absent" in w for w in brk.adverts[0].why), brk
    assert any("advert-like throughout, by the fitted model" in w for w in brk.why)
    assert detect_ad_breaks(db, fp, model=model, min_score=0.999) == []


def test_structure_features_see_the_separators_around_a_tick(channel: tuple[Path, list[tuple[float, float]]]) -> None:
    from core.evidence.ad_features import STRUCTURE_FEATURES, material_features
    from core.evidence.ad_timeline import DT, Timeline

    path, adverts = channel
    db = open_db(":memory:")
    tl = Timeline.load(db, run_evidence(db, path, FAST).fingerprint)
    x = dict(zip(STRUCTURE_FEATURES, material_features(tl, STRUCTURE_FEATURES).T, strict=True))
    t = (np.arange(tl.n) + 0.5) * DT
    mid_advert = int(np.argmin(np.abs(t - 0.5 * sum(adverts[0]))))
    mid_show = int(np.argmin(np.abs(t - 10.0)))
    # inside the first advert the separators on both sides are 15 s apart; early in the show the nearest one
    # is the break's, 30 s on
    assert abs(x["separator_span_s"][mid_advert] - 15.0) < 1.0
    assert x["separator_right_s"][mid_show] > 25.0 and x["separators_30s"][mid_advert] >= 2
    assert not any(n.startswith(("hist_", "luma_", "sat_", "motion_")) for n in STRUCTURE_FEATURES)
    # the 15 s span is a standard spot length; early in the show no separator lies on its left
    (off,) = material_features(tl, ["separator_span_off_standard_s"]).T
    assert off[mid_advert] < 1.0 and off[mid_show] == 5.0, (off[mid_advert], off[mid_show])
    with pytest.raises(KeyError, match="no tick feature"):
        material_features(tl, ["colour_of_the_sky"])
