"""The evidence pass on generated recordings: ad breaks found within a couple of seconds, resume after a
cancel, incremental stages, the CLI's ads and search commands."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from core.cli import main
from core.errors import Cancelled
from core.evidence import (
    EvidenceOptions,
    detect_ad_breaks,
    detect_ads,
    passes,
    read_black_frames,
    read_shots,
    read_silences,
    run_evidence,
)
from core.progress import CancelToken, Progress
from core.store import open_db
from tests.core.evidence.gen import Part, ad_break_parts, inserted_ad_parts, write_recording

FAST = EvidenceOptions(ocr=False, speech=False, objects=False)  # objects: tests/core/vision/test_object_stage.py


@pytest.fixture(scope="module")
def ad_break(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple[float, float]]:
    parts, truth = ad_break_parts()
    path = write_recording(tmp_path_factory.mktemp("media") / "break.mp4", parts)
    return path, truth


def test_black_framed_break_is_one_ad_segment_with_reasons(ad_break: tuple[Path, tuple[float, float]]) -> None:
    path, (start, end) = ad_break
    db = open_db(":memory:")
    events: list[Progress] = []
    summary = run_evidence(db, path, FAST, progress=events.append)
    assert set(summary.stages_run) == {"frames", "audio", "subtitles"}
    assert {e.stage for e in events} >= {"frames", "audio"}
    fp = summary.fingerprint
    assert len(read_black_frames(db, fp)) == 3 and len(read_silences(db, fp)) >= 3
    assert len(read_shots(db, fp)) >= 5
    ads = detect_ads(db, fp)
    assert len(ads) == 1
    ad = ads[0]
    # the break starts after the black frames before its first advert and ends where the last one ends
    assert abs(ad.start - (start + 0.5)) <= 0.5 and abs(ad.end - (end - 0.5)) <= 0.5
    assert ad.label == "ad" and ad.score > 0.5
    assert "2 adverts in a row" in ad.why and any("black frames + silence" in w for w in ad.why)
    # the shipped model reads no colours, so no reason may rest on them (the generated adverts are flat colours)
    assert not any("colour" in w for w in ad.why)


def test_a_show_without_ads_gives_none(tmp_path: Path) -> None:
    path = write_recording(tmp_path / "show.mp4", [Part("show", 20.0), Part("show", 20.0, colour=(90, 110, 100))])
    db = open_db(":memory:")
    fp = run_evidence(db, path, FAST).fingerprint
    assert detect_ads(db, fp) == []


def test_rerun_returns_at_once_and_a_cancelled_pass_resumes(ad_break: tuple[Path, tuple[float, float]],
                                                           tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, _ = ad_break
    reference = open_db(":memory:")
    fp = run_evidence(reference, path, FAST).fingerprint
    again = run_evidence(reference, path, FAST)
    assert again.stages_run == () and again.counts == run_evidence(reference, path, FAST).counts

    monkeypatch.setattr(passes, "CHECKPOINT_WALL_S", 0.0)  # commit after every frame
    db = open_db(tmp_path / "lib.db")
    token = CancelToken()

    def stop_midway(p: Progress) -> None:
        if p.stage == "frames" and 20.0 < p.done < 30.0:
            token.cancel()

    with pytest.raises(Cancelled):
        run_evidence(db, path, FAST, progress=stop_midway, cancel=token)
    state = next(iter(db.query("SELECT state FROM index_runs WHERE kind = 'evidence'")))["state"]
    done_s = next(iter(db.query("SELECT done_s FROM evidence_stages WHERE stage = 'frames'")))["done_s"]
    assert state == "cancelled" and 20.0 < done_s < 31.0
    resumed = run_evidence(db, path, FAST)
    assert resumed.stages_run == ("frames",)  # the audio pass runs first and was complete
    assert read_black_frames(db, fp) == read_black_frames(reference, fp)
    assert [(m.start, m.end) for m in detect_ads(db, fp)] == [(m.start, m.end) for m in detect_ads(reference, fp)]


def test_changed_options_redo_only_their_stage(ad_break: tuple[Path, tuple[float, float]]) -> None:
    path, _ = ad_break
    db = open_db(":memory:")
    run_evidence(db, path, FAST)
    changed = run_evidence(db, path, EvidenceOptions(ocr=False, speech=False, objects=False, silence_db=-60.0))
    assert changed.stages_run == ("audio",)


def test_cli_ads_formats_and_search(ad_break: tuple[Path, tuple[float, float]], tmp_path: Path) -> None:
    path, (start, _end) = ad_break
    db = str(tmp_path / "cli.db")
    out, err = io.StringIO(), io.StringIO()
    assert main(["ads", str(path), "--db", db, "--no-ocr", "--no-speech", "--json"], out, err) == 0, err.getvalue()
    moments = json.loads(out.getvalue())
    assert len(moments) == 1 and moments[0]["label"] == "ad" and abs(moments[0]["start"] - start) <= 2
    out = io.StringIO()
    assert main(["ads", str(path), "--db", db, "--no-ocr", "--no-speech", "--format", "edl"], out, err) == 0
    fields = out.getvalue().split()
    assert len(fields) == 3 and fields[2] == "3" and abs(float(fields[0]) - start) <= 2
    out = io.StringIO()
    assert main(["ads", str(path), "--db", db, "--no-ocr", "--no-speech", "--format", "ffmetadata"], out, err) == 0
    assert out.getvalue().startswith(";FFMETADATA1") and "title=Commercial" in out.getvalue()
    out = io.StringIO()
    assert main(["search", str(path), "anything", "--db", db, "--no-ocr", "--no-speech", "--json"], out, err) == 0
    assert json.loads(out.getvalue()) == []
    assert main(["ads", str(tmp_path / "missing.mp4"), "--db", db], io.StringIO(), err) == 2


def test_an_advert_spliced_in_with_no_separator_is_found_with_the_model_scores(tmp_path: Path) -> None:
    """The video-LLM's window scores reach the labelling decoder: with a tick classifier that cannot tell the
    film from the advert (a constant), the windows alone put the advert between the right cuts. (The shipped
    tick classifier reads no colours and judges generated adverts as programme; spliced adverts in real footage
    are measured in benchmarks/ads.py.)"""
    from core.evidence.ad_features import STRUCTURE_FEATURES
    from core.evidence.ad_model import AdModel
    from core.evidence.ad_segments import SegmentParams

    parts, (start, end) = inserted_ad_parts(text="")
    path = write_recording(tmp_path / "film.mp4", parts)
    db = open_db(":memory:")
    fp = run_evidence(db, path, FAST).fingerprint
    neutral = AdModel(STRUCTURE_FEATURES, -3.0, (), 0.0, {})
    model = AdModel((), 0.0, (), 0.0, {}, None, neutral, SegmentParams(-3.0, 16.0, 8.0, 0.0, median_margin=0.0))
    assert detect_ad_breaks(db, fp, model=model) == []
    windows = [(t, t + 4.0, 0.9 if start - 2 <= t < end - 2 else 0.1) for t in range(0, 44, 4)]
    ads = detect_ad_breaks(db, fp, model_scores=windows, model=model)
    assert len(ads) == 1 and abs(ads[0].start - start) <= 1.0 and abs(ads[0].end - end) <= 1.0, ads


def test_three_black_frames_between_spots_are_found_around_the_silence(tmp_path: Path) -> None:
    # 0.12 s of black (3 frames at 25 fps) falls between two 4 fps samples; the silence points the pass at it.
    parts = [Part("show", 15.0, logo=True), Part("black", 0.12), Part("ad", 10.0, colour=(230, 40, 40), tone_hz=880,
             level_db=-12, shot_s=2.0), Part("black", 0.12), Part("ad", 10.0, colour=(40, 60, 240), tone_hz=660,
             level_db=-12, shot_s=2.0), Part("black", 0.12), Part("show", 15.0, logo=True)]
    path = write_recording(tmp_path / "short_black.mp4", parts, fps=25)
    db = open_db(":memory:")
    fp = run_evidence(db, path, FAST).fingerprint
    black = read_black_frames(db, fp)
    assert [round(b.start_s, 1) for b in black] == [15.0, 25.1, 35.2], black
    ads = detect_ad_breaks(db, fp)
    assert len(ads) == 1 and ads[0].start >= 15.12 - 0.3 and ads[0].end <= 35.24 + 0.3  # never into the show
    assert all(min(abs(a.start - 15.12), abs(a.start - 25.24)) <= 0.5 for a in ads[0].adverts)


def test_a_ts_recording_whose_sound_outlasts_its_picture(tmp_path: Path) -> None:
    """MPEG-TS: the sound is placed on the picture's clock (33-bit wrap undone), and a silence at the very end,
    past the last frame, does not stop the pass (its dense black-frame window has no picture)."""
    from core.evidence import EvidenceOptions, run_evidence
    from core.store import open_db
    from tests.core.evidence.gen import Part, write_recording

    path = write_recording(tmp_path / "rec.ts", [Part("show", 9.0), Part("black", 0.5),
                                                 Part("ad", 10.0, colour=(230, 40, 40), tone_hz=880),
                                                 Part("black", 0.5), Part("show", 9.0)], size=(96, 54))
    db = open_db(":memory:")
    run_evidence(db, path, EvidenceOptions(ocr=False, speech=False))
    silences = [(r["start_s"], r["end_s"]) for r in db.query("SELECT start_s, end_s FROM ev_silences ORDER BY start_s")]
    assert any(abs(a - 9.0) < 0.2 for a, _ in silences) and any(abs(a - 19.5) < 0.2 for a, _ in silences), silences
    blacks = [r["start_s"] for r in db.query("SELECT start_s FROM ev_black ORDER BY start_s")]
    assert any(abs(a - 9.0) < 0.2 for a in blacks) and any(abs(a - 19.5) < 0.2 for a in blacks), blacks


def test_a_pass_cancelled_in_the_last_second_of_a_ts_recording_resumes(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A short TS recording probes to its real length (not 26.5 h: the audio's first timestamp wrapped), and a
    cancel after the last picture's slot leaves only slots with no picture to decode: the resumed pass ends
    there instead of calling the file damaged, and matches a clean pass."""
    from core.evidence import EvidenceOptions, passes, read_shots, run_evidence

    path = write_recording(tmp_path / "rec.ts", [Part("show", 6.0, shot_s=2.0), Part("black", 0.5),
                                                 Part("ad", 4.0, colour=(230, 40, 40), tone_hz=880)], size=(96, 54))
    from core.media import probe

    # a slightly negative first audio timestamp, written modulo 2**33, must not make it a 26.5 h recording
    assert probe(path).duration_s == pytest.approx(10.5, abs=0.2)
    opts = EvidenceOptions(ocr=False, speech=False, fps=2.0)
    clean = open_db(":memory:")
    fp = run_evidence(clean, path, opts).fingerprint
    monkeypatch.setattr(passes, "CHECKPOINT_WALL_S", 0.0)  # commit and report after every frame
    db = open_db(":memory:")
    token = CancelToken()
    last: list[float] = []

    def report(p: Progress) -> None:
        if p.stage == "frames" and p.done < p.total:  # type: ignore[operator]
            last.append(p.done)
            if p.done >= 10.0:  # the slot of the last picture (10.25 s) is committed
                token.cancel()

    with pytest.raises(Cancelled):
        run_evidence(db, path, opts, progress=report, cancel=token)
    assert last and last[-1] >= 10.0
    run_evidence(db, path, opts)  # resumes: no picture left to decode is the end, not damage
    assert [s.start_s for s in read_shots(db, fp)] == [s.start_s for s in read_shots(clean, fp)]
