"""The evidence consumers on synthetic arrays: statistics, black runs, levels and silences, OCR merging, cues,
options, search over stored rows, the gaps ad detection starts from."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import UsageError
from core.evidence import EvidenceOptions, store
from core.evidence.ad_timeline import _gaps
from core.evidence.audio import LevelMeter, rms_db
from core.evidence.cues import find_cues
from core.evidence.frames import FrameAnalyzer, black_runs, frame_stat, shots_from_cuts
from core.evidence.ocr import OcrObservation, may_hold_text, merge_observations, same_text
from core.evidence.speech import PIECE_S, SpeechBuffer
from core.evidence.types import BlackFrames, FrameStat, Silence, TextLine, TranscriptSegment, Word
from core.semantic import search_text
from core.store import open_db


def test_options_check_values_and_keys_follow_the_options_they_depend_on() -> None:
    with pytest.raises(UsageError, match="fps"):
        EvidenceOptions(fps=0)
    with pytest.raises(UsageError, match="silence_db"):
        EvidenceOptions(silence_db=3)
    a, b = EvidenceOptions(), EvidenceOptions(ocr_every_s=4.0)
    assert a.stage_key("frames") == b.stage_key("frames")
    assert a.stage_key("ocr") != b.stage_key("ocr")
    assert EvidenceOptions(speech=False, ocr=False, objects=False).enabled() == ("frames", "audio", "subtitles")
    assert "objects" in EvidenceOptions().enabled()  # the detector ships in resources/models


def test_frame_stat_colour_and_motion() -> None:
    red = np.zeros((90, 160, 3), np.uint8)
    red[..., 0] = 230
    stat, grey = frame_stat(0.0, red, None)
    assert stat.dominant_rgb >> 16 > 200 and stat.dominant_rgb & 0xFFFF < 0x4040
    assert int(np.argmax(stat.hue_hist)) in (0, 11) and stat.hue_hist.sum() > 0.8
    assert stat.motion == 0.0
    blue = red[..., ::-1].copy()
    stat2, _ = frame_stat(0.25, blue, grey)
    assert stat2.motion > 20 and stat2.sat_mean > 200


def test_analyzer_finds_a_hard_cut_and_black_runs_are_grouped() -> None:
    analyzer = FrameAnalyzer(fps=4.0, analysis_width=160, cut_threshold=27.0)
    frames = [np.full((90, 160, 3), (200, 50, 50), np.uint8)] * 8 + [np.full((90, 160, 3), (20, 80, 220), np.uint8)] * 8
    cuts: list[float] = []
    stats = []
    for i, img in enumerate(frames):
        s, c = analyzer.add(i * 0.25, img)
        stats.append(s)
        cuts += c
    assert cuts == [2.0]
    assert [(s.start_s, s.end_s) for s in shots_from_cuts(cuts, 4.0)] == [(0.0, 2.0), (2.0, 4.0)]
    dark = [FrameStat(i * 0.25, 5.0 if 4 <= i < 7 else 100.0, 10.0, 0, 0, np.zeros(12, np.float32))
            for i in range(12)]
    runs = black_runs(dark, black_luma=20, black_luma_p99=48, sample_s=0.25)
    assert [(r.start_s, r.end_s) for r in runs] == [(1.0, 1.75)]


def test_level_meter_finds_silence_across_chunks() -> None:
    sr = 16000
    tone = (0.3 * np.sin(np.arange(sr * 2) * 2 * np.pi * 440 / sr)).astype(np.float32)
    audio = np.concatenate([tone, np.zeros(sr, np.float32), tone])  # 2 s tone, 1 s silence, 2 s tone
    meter = LevelMeter(sr, silence_db=-45, min_silence_s=0.25)
    levels, silences = [], []
    for k in range(0, audio.size, 7000):  # odd chunk sizes: state carries over
        lv, si = meter.feed(k / sr, audio[k:k + 7000])
        levels += lv
        silences += si
    lv, si = meter.finish()
    levels += lv
    silences += si
    assert len(silences) == 1 and abs(silences[0].start_s - 2.0) < 0.06 and abs(silences[0].end_s - 3.0) < 0.06
    assert len(levels) == 10 and abs(levels[0].rms_db - rms_db(tone)) < 0.5 and levels[5].rms_db < -90


def test_speech_buffer_cuts_pieces_at_a_quiet_point() -> None:
    sr = 16000
    rng = np.random.default_rng(0)
    audio = (0.2 * rng.standard_normal(int(sr * (PIECE_S + 30)))).astype(np.float32)
    quiet = int((PIECE_S - 2.0) * sr)
    audio[quiet:quiet + sr // 10] = 0.0
    buf = SpeechBuffer(sr)
    pieces = [p for k in range(0, audio.size, sr * 30) for p in buf.feed(k / sr, audio[k:k + sr * 30])]
    pieces += list(buf.finish())
    assert abs(pieces[0][1].size / sr - (PIECE_S - 2.0)) < 0.1
    assert sum(p.size for _, p in pieces) == audio.size
    assert abs(pieces[1][0] - pieces[0][1].size / sr) < 1e-6


def test_ocr_reads_merge_over_time_with_misreads() -> None:
    obs = [OcrObservation(t, txt, 0.9 if txt.endswith("9") else 0.8, ()) for t, txt in
           [(0.0, "$19.99"), (2.0, "$19.9"), (4.0, "$19.99"), (4.0, "www.example.com"), (20.0, "$19.99")]]
    lines = merge_observations(obs, sample_s=2.0, max_gap_s=5.0)
    assert [(ln.start_s, ln.end_s, ln.text) for ln in lines] == [
        (0.0, 6.0, "$19.99"), (4.0, 6.0, "www.example.com"), (20.0, 22.0, "$19.99")]
    assert same_text("CALL 555-0199 NOW", "Call 555 0199 now") and not same_text("SALE", "CALL")
    assert not may_hold_text(np.full((90, 160, 3), 120, np.uint8))


def test_cues() -> None:
    assert set(find_cues("CALL 555-0199 NOW www.example.com $19.99")) == {"phone", "url", "price"}
    assert "phrase" in find_cues("Order today, call now!")
    assert find_cues("In 1999 we walked 3 miles to the river.") == {}


def test_search_ranks_fts_hits_and_survives_punctuation() -> None:
    db = open_db(":memory:")
    db.execute("INSERT INTO videos (fingerprint, path, name, size_bytes, duration_s, container, width, height, fps, "
               "probe_json) VALUES ('v', '/x.mp4', 'x.mp4', 1, 60, 'mp4', 160, 90, 8, '{}')")
    run = store.ensure_run(db, "v", {})
    with db.atomic():
        store.write_transcript(db, run, [TranscriptSegment(5, 8, "Call now and order today", -0.2, 0.0,
                                                           (Word(5, 5.5, "Call", 0.9),))])
        store.write_text_lines(db, run, [TextLine(20, 30, "www.example.com $19.99", "ocr", 0.99),
                                         TextLine(40, 42, "The orders came at dawn.", "subtitle")])
    hits = search_text(db, "v", "ordering")  # porter stemming: ordering ~ order(s)
    assert {h.source for h in hits} == {"speech", "subtitle"}
    assert all(h.score > 0 for h in hits) and hits == sorted(hits, key=lambda h: -h.score)
    ocr = search_text(db, "v", "example.com $19.99")
    assert ocr[0].source == "ocr" and ocr[0].start_s == 20 and "[example]" in ocr[0].snippet
    assert search_text(db, "v", "call sunset")[0].text.startswith("Call now")  # no hit for both: any term
    with pytest.raises(UsageError):
        search_text(db, "v", "  ?! ")


def test_gaps_keep_black_edges_over_cuts_and_add_lone_silences() -> None:
    black = [BlackFrames(10.0, 10.2, 3.0)]
    silences = [Silence(10.0, 10.2, -90.0), Silence(30.0, 30.4, -60.0)]
    cuts = np.array([9.99, 10.21, 20.0])
    g = _gaps(40.0, black, silences, cuts)
    assert g.left_s.tolist() == [0.0, 10.0, 20.0, 30.2, 40.0]
    assert g.right_s.tolist() == [0.0, 10.2, 20.0, 30.2, 40.0]
    assert g.black_s.tolist()[1] == pytest.approx(0.2) and g.cut.tolist() == [1.0, 1.0, 1.0, 0.0, 1.0]
    assert g.silence_s[1] == pytest.approx(0.2) and g.silence_s[3] == pytest.approx(0.4) and g.silence_s[2] == 0
