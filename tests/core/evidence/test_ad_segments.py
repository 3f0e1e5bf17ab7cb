"""The labelling decoder (core.evidence.ad_segments) on hand-made timelines: where it switches, how it splits a
break into adverts, and that it refuses what the evidence does not carry."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from core.evidence.ad_model import AdModel, AdModelError, load_model
from core.evidence.ad_segments import SegmentParams, decode_segments, gap_class, label, pieces
from core.evidence.ad_timeline import DT, Gaps, Timeline
from core.evidence.logo import find_logo

# (left_s, right_s, black_s, silence_s) per gap; a 150 s recording: programme 0-60 (cuts at 20, 40), a break of
# two adverts (60.2-75, 75.2-90) framed by black frames with silence, programme 90.2-150 (cuts at 100, 120)
BROADCAST = [(0, 0, 0, 0), (20, 20, 0, 0), (40, 40, 0, 0), (60, 60.2, 0.2, 0.3), (75, 75.2, 0.2, 0.3),
             (90, 90.2, 0.2, 0.3), (100, 100, 0, 0), (120, 120, 0, 0), (150, 150, 0, 0)]
PARAMS = SegmentParams(bias=0.0, switch_cut=8.0, switch_separator=1.0, switch_both=0.5)


def timeline(gaps: list[tuple[float, float, float, float]], duration_s: float) -> Timeline:
    g = np.array(gaps, float)
    n = int(duration_s / DT)
    signals = {"vis": np.ones(n), "luma": np.full(n, 100.0), "hist": np.full((n, 12), 1 / 12)}
    cum = {k: np.concatenate([np.zeros((1, *v.shape[1:])), np.cumsum(v, axis=0)]) for k, v in signals.items()}
    return Timeline(duration_s, signals, cum, Gaps(g[:, 0], g[:, 1], g[:, 2], g[:, 3], np.ones(len(g))),
                    find_logo([]), ())


def ticks(tl: Timeline, advert_from: float, advert_to: float, inside: float = 2.0,
          outside: float = -2.0) -> np.ndarray:
    t = (np.arange(tl.n) + 0.5) * DT
    return np.where((t > advert_from) & (t < advert_to), inside, outside)


def spans(tl: Timeline, found: list) -> list[tuple[tuple[float, float], list[tuple[float, float]]]]:  # type: ignore[type-arg]
    g = tl.gaps
    return [((float(g.right_s[b.start_gap]), float(g.left_s[b.end_gap])),
             [(float(g.right_s[i]), float(g.left_s[j])) for i, j in b.adverts]) for b in found]


def test_a_break_stops_at_its_separators_and_splits_into_its_adverts() -> None:
    tl = timeline(BROADCAST, 150.0)
    # the tick evidence is blurred 2 s past both edges, as windowed features are: the edges still go to the
    # separators, not into the programme
    found = decode_segments(tl, ticks(tl, 58.0, 92.0), PARAMS)
    assert spans(tl, found) == [((60.2, 90.0), [(60.2, 75.0), (75.2, 90.0)])]
    assert found[0].margin > 0


def test_a_pause_inside_an_advert_does_not_split_it_where_the_channel_frames_adverts_otherwise() -> None:
    # the channel frames adverts with black frames and silence; 68 s is silence alone (a pause in the voice-over)
    gaps = [*BROADCAST[:4], (68, 68, 0, 0.5), *BROADCAST[4:]]
    tl = timeline(gaps, 150.0)
    assert spans(tl, decode_segments(tl, ticks(tl, 58.0, 92.0), PARAMS)) == \
        [((60.2, 90.0), [(60.2, 75.0), (75.2, 90.0)])]
    # framed by plain cuts (a spliced advert), nothing inside splits it
    gaps = [(0, 0, 0, 0), (60, 60, 0, 0), (75, 75.2, 0.2, 0.3), (90, 90, 0, 0), (150, 150, 0, 0)]
    tl = timeline(gaps, 150.0)
    assert spans(tl, decode_segments(tl, ticks(tl, 60.0, 90.0, inside=4.0), PARAMS)) == [((60.0, 90.0), [(60.0, 90.0)])]


def test_programme_evidence_alone_gives_no_break() -> None:
    tl = timeline(BROADCAST, 150.0)
    assert decode_segments(tl, ticks(tl, 58.0, 92.0) - 3.0, PARAMS) == []
    assert decode_segments(tl, np.full(tl.n, -0.5), PARAMS) == []


def test_a_switch_at_a_plain_cut_needs_more_evidence_than_at_a_separator() -> None:
    # the same 30 s of weak advert evidence, once framed by plain cuts and once by black frames with silence
    cuts = [(0, 0, 0, 0), (60, 60, 0, 0), (90, 90, 0, 0), (150, 150, 0, 0)]
    seps = [(0, 0, 0, 0), (60, 60.2, 0.2, 0.3), (90, 90.2, 0.2, 0.3), (150, 150, 0, 0)]
    weak = SegmentParams(bias=0.0, switch_cut=10.0, switch_separator=1.0, switch_both=0.5)
    for gaps, expected in ((cuts, 0), (seps, 1)):
        tl = timeline(gaps, 150.0)
        assert len(decode_segments(tl, ticks(tl, 60.0, 90.0, inside=0.5), weak)) == expected
    tl = timeline(cuts, 150.0)  # strong enough evidence crosses even plain cuts: an advert spliced into a film
    assert spans(tl, decode_segments(tl, ticks(tl, 60.0, 90.0, inside=3.0), weak)) == [((60.0, 90.0), [(60.0, 90.0)])]


def test_no_break_shorter_than_the_minimum_and_no_advert_part_shorter_either() -> None:
    gaps = [(0, 0, 0, 0), (60, 60.2, 0.2, 0.3), (63, 63.2, 0.2, 0.3), (64, 64.2, 0.2, 0.3), (150, 150, 0, 0)]
    tl = timeline(gaps, 150.0)
    assert decode_segments(tl, ticks(tl, 60.0, 64.0, inside=5.0), PARAMS) == []  # 4 s: too short for an advert
    # a 20 s break with a separator 3 s before its end is one advert, not a 17 s and a 3 s one
    gaps = [(0, 0, 0, 0), (60, 60.2, 0.2, 0.3), (77, 77.2, 0.2, 0.3), (80, 80.2, 0.2, 0.3), (150, 150, 0, 0)]
    tl = timeline(gaps, 150.0)
    assert spans(tl, decode_segments(tl, ticks(tl, 60.0, 80.0), PARAMS)) == [((60.2, 80.0), [(60.2, 80.0)])]


def test_many_parameter_sets_label_at_once_as_each_would_alone() -> None:
    tl = timeline(BROADCAST, 150.0)
    z = ticks(tl, 58.0, 92.0, inside=1.0) + np.random.default_rng(0).normal(0, 1.0, tl.n)
    p, classes = pieces(tl, z), gap_class(tl.gaps)
    sets = [SegmentParams(b, c, s, s / 2) for b in (-1.0, 0.0, 1.0) for c in (2.0, 16.0) for s in (0.5, 4.0)]
    together = label(p, classes, np.array([q.bias for q in sets]), np.array([q.costs() for q in sets]))
    for m, q in enumerate(sets):
        alone = label(p, classes, np.array([q.bias]), q.costs()[None, :])[0]
        assert (together[m] == alone).all()


def test_gap_classes_and_parameter_checks() -> None:
    tl = timeline([(0, 0, 0, 0), (10, 10, 0, 0), (20, 20.2, 0.2, 0), (30, 30, 0, 0.4), (40, 40.2, 0.2, 0.4),
                   (50, 50, 0, 0)], 50.0)
    assert gap_class(tl.gaps).tolist() == [0, 0, 1, 1, 2, 0]
    assert tl.gaps.kinds().tolist() == [0, 0, 1, 2, 3, 0]  # bits: black 1, silence 2
    with pytest.raises(ValueError, match="switch costs >= 0"):
        SegmentParams(0.0, -1.0, 0.0, 0.0)
    assert SegmentParams.from_json(json.loads(json.dumps(PARAMS.to_json()))) == PARAMS


def test_a_segments_model_needs_its_tick_classifier_and_round_trips(tmp_path: Path) -> None:
    tick = AdModel(("a",), -1.0, (), 0.0, {})
    with pytest.raises(AdModelError, match="needs its tick classifier"):
        AdModel(("a",), 0.0, (), 0.0, {}, segments=PARAMS)
    model = AdModel(("a",), 0.0, (), 0.0, {}, material=tick, segments=PARAMS)
    (tmp_path / "m.json").write_text(json.dumps(model.to_json()))
    back = load_model(tmp_path / "m.json")
    assert back.segments == PARAMS and back.material is not None and back.material.baseline == -1.0


def test_plain_cuts_split_a_break_where_the_parts_come_out_at_spot_lengths() -> None:
    from core.evidence.ad_segments import Pieces, _split_at_cuts

    # gaps at 0, 100 (the break starts), 107, 115, 122, 131, 145 (the break ends), 200: plain cuts, the
    # picture changes alike at each inner one; pieces 1..5 are the break
    t = np.array([0.0, 100.0, 107.0, 115.0, 122.0, 131.0, 145.0, 200.0])
    p = Pieces(t[:-1], t[1:], np.zeros(7), t[1:] - t[:-1])
    novelty = np.array([0.0, 0.0, 0.9, 1.0, 0.9, 0.95, 0.0, 0.0])
    plain = SegmentParams(0.0, 8.0, 4.0, 0.0, split_novelty=0.8)
    assert _split_at_cuts(p, novelty, 1, 6, plain) == [2, 3, 4, 5]  # every change above the cost: 5 parts
    spots = SegmentParams(0.0, 8.0, 4.0, 0.0, split_novelty=0.8, standard_bonus=2.0)
    assert _split_at_cuts(p, novelty, 1, 6, spots) == [3]  # a 15 s and a 30 s spot
    strict = SegmentParams(0.0, 8.0, 4.0, 0.0, split_novelty=5.0)
    assert _split_at_cuts(p, novelty, 1, 6, strict) == []  # no change large enough
