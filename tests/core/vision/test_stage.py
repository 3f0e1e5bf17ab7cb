"""The vision stage inside the evidence pass (tiny random CLIP): which frames get vectors, resume after a
cancel, incremental re-runs, and what shot descriptions and advert cues read back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.errors import Cancelled
from core.evidence import EvidenceOptions, passes, read_shots, run_evidence
from core.progress import CancelToken, Progress
from core.store import open_db
from core.vision import (
    ShotDescription,
    VisionMissing,
    ad_cues,
    shot_descriptions,
    visual_lines,
    visual_novelty,
)
from core.vision import store as vstore
from tests.core.evidence.gen import Part, write_recording

SHOW = (90, 110, 100)


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # 10 s still show, 6 s red advert cut every 2 s, 14 s show in another colour.
    parts = [Part("show", 10.0, shot_s=100.0), Part("ad", 6.0, colour=(220, 30, 30), shot_s=2.0),
             Part("show", 14.0, colour=SHOW, shot_s=100.0)]
    return write_recording(tmp_path_factory.mktemp("media") / "rec.mp4", parts)


def _options(model: Path, **kw: object) -> EvidenceOptions:
    kw.setdefault("objects", False)  # the object stage has its own tests (test_object_stage.py)
    return EvidenceOptions(ocr=False, speech=False, vision=True, vision_model=str(model), **kw)  # type: ignore[arg-type]


def _model_id(db: object, fp: str) -> str:
    return vstore.models_with_frames(db, fp)[0]  # type: ignore[arg-type]


def test_one_frame_per_shot_and_every_few_seconds_inside_long_shots(recording: Path, tiny_clip: Path) -> None:
    db = open_db(":memory:")
    events: list[Progress] = []
    summary = run_evidence(db, recording, _options(tiny_clip), progress=events.append)
    assert "vision" in summary.stages_run and "vision" in summary.stages_done
    fp = summary.fingerprint
    times, mat = vstore.frames(db, fp, _model_id(db, fp))
    assert mat.shape == (len(times), 32) and np.allclose(np.linalg.norm(mat, axis=1), 1.0, atol=1e-5)
    gaps = np.diff(times)
    assert gaps.max() <= 3.0 + 0.3 and gaps.min() >= 0.5 - 0.01  # every_s 3, min_gap 0.5
    for shot in read_shots(db, fp):  # every shot starts with an embedded frame (within one 0.25 s sample)
        assert np.abs(times - shot.start_s).min() <= 0.3, (shot, times)
    assert dict(summary.counts)["vision"] == len(times)
    assert any(dict(e.detail).get("vision_frames", 0) > 0 for e in events if e.stage == "frames")


def test_vectors_survive_a_cancel_and_the_pass_resumes(recording: Path, tiny_clip: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    reference = open_db(":memory:")
    fp = run_evidence(reference, recording, _options(tiny_clip)).fingerprint
    ref_t, ref_v = vstore.frames(reference, fp, _model_id(reference, fp))

    monkeypatch.setattr(passes, "CHECKPOINT_WALL_S", 0.0)  # commit after every frame
    db = open_db(tmp_path / "lib.db")
    token = CancelToken()

    def stop_midway(p: Progress) -> None:
        if p.stage == "frames" and 12.0 < p.done < 20.0:
            token.cancel()

    with pytest.raises(Cancelled):
        run_evidence(db, recording, _options(tiny_clip), progress=stop_midway, cancel=token)
    kept_t, _ = vstore.frames(db, fp, _model_id(db, fp))
    assert 0 < len(kept_t) < len(ref_t) and kept_t.max() < 21.0
    resumed = run_evidence(open_db(tmp_path / "lib.db"), recording, _options(tiny_clip))
    assert set(resumed.stages_run) == {"frames", "vision"}
    times, vecs = vstore.frames(db, fp, _model_id(db, fp))
    assert set(np.round(kept_t, 3)) <= set(np.round(times, 3))  # what was stored before the cancel is kept
    # The resumed pass restarts its selection at the resume point, so it may keep one extra frame there.
    assert abs(len(times) - len(ref_t)) <= 1
    near = [int(np.argmin(np.abs(ref_t - t))) for t in times]
    assert (np.sum(vecs * ref_v[near], axis=1) > 0.999).mean() > 0.9  # the same frames give the same vectors


def test_rerun_is_free_and_other_vision_settings_redo_only_vision(recording: Path, tiny_clip: Path) -> None:
    db = open_db(":memory:")
    fp = run_evidence(db, recording, _options(tiny_clip)).fingerprint
    assert run_evidence(db, recording, _options(tiny_clip)).stages_run == ()
    n3 = vstore.count_frames(db, fp)
    changed = run_evidence(db, recording, _options(tiny_clip, vision_every_s=1.0))
    assert changed.stages_run == ("vision",)
    assert vstore.count_frames(db, fp) > n3  # one every second inside long shots now, old vectors replaced


def test_no_model_means_no_vision_stage(recording: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LONGWATCH_VISION_MODEL", str(tmp_path / "none"))
    opts = EvidenceOptions(ocr=False, speech=False, objects=False)  # vision=None: on only when a model is installed
    assert "vision" not in opts.enabled()
    db = open_db(":memory:")
    fp = run_evidence(db, recording, opts).fingerprint
    with pytest.raises(VisionMissing, match="no frame embeddings"):
        shot_descriptions(db, fp)
    assert visual_lines(db, fp) == []


def test_shot_descriptions_cover_the_shots_and_novelty_marks_the_odd_part(recording: Path,
                                                                          tiny_clip: Path) -> None:
    db = open_db(":memory:")
    fp = run_evidence(db, recording, _options(tiny_clip)).fingerprint
    shots = shot_descriptions(db, fp)
    assert [(s.start_s, s.end_s) for s in shots] == [(s.start_s, s.end_s) for s in read_shots(db, fp)]
    assert all(isinstance(s, ShotDescription) and len(s.labels) <= 5 for s in shots)
    assert all(0 <= p <= 1 for s in shots for _, p in s.labels)
    show, advert, show2 = visual_novelty(db, fp, [(0.0, 10.0), (10.0, 16.0), (16.0, 30.0)])
    assert advert > show and all(v >= -1e-6 for v in (show, advert, show2))
    cues = ad_cues(db, fp, [(10.0, 16.0)])
    assert cues[0].novelty == pytest.approx(advert) and 0 <= cues[0].logo <= 1
    with pytest.raises(ValueError, match="start_s <= end_s"):
        visual_novelty(db, fp, [(5.0, 1.0)])
