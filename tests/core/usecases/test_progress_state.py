"""How far indexing got, read back from the database (what the app shows after a restart), the live overall
fraction on every event, indexing again from scratch, and where the database is."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import Cancelled
from core.progress import CancelToken, Progress
from core.usecases import IndexProgress, Longwatch, Settings
from core.usecases.progress_state import OverallMeter
from tests.mediagen import make_video

FAST = Settings(speech=False, ocr=False, evidence_fps=2.0)


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    return make_video(tmp_path / "clip.mp4", duration_s=8.0, fps=10, size=(96, 64), audio=True)


def _stop_at_frames(service: Longwatch, clip: Path) -> list[Progress]:
    """Index until the frame pass starts (the audio pass is then complete), then cancel."""
    events: list[Progress] = []
    token = CancelToken()

    def report(p: Progress) -> None:
        events.append(p)
        if p.stage == "frames":
            token.cancel()

    with pytest.raises(Cancelled):
        service.index(str(clip), progress=report, cancel=token)
    return events


def test_a_stopped_index_reads_back_how_far_it_got_and_resumes(tmp_path: Path, clip: Path) -> None:
    service = Longwatch(FAST.replace(db_path=str(tmp_path / "lib.db")))
    try:
        assert service.index_progress() == []
        info = service.open(clip)
        (fresh,) = service.index_progress()
        assert fresh == IndexProgress(info.fingerprint, None, (("video", 0.0), ("audio", 0.0)))
        assert not fresh.resumable and fresh.fraction == 0.0
        events = _stop_at_frames(service, clip)
        assert all("overall" in dict(p.detail) for p in events)
        (stopped,) = service.index_progress()
        assert stopped.state == "cancelled" and stopped.resumable
        assert dict(stopped.passes)["audio"] == 1.0 and 0.5 <= stopped.fraction < 1.0
        # another process (a restart) reads the same
        again = Longwatch(FAST.replace(db_path=str(tmp_path / "lib.db")))
        assert again.index_progress([info.fingerprint]) == [stopped]
        again.close_thread()
        resumed: list[float] = []
        service.index(str(clip), progress=lambda p: resumed.append(dict(p.detail)["overall"]))
        assert resumed[0] >= stopped.fraction - 1e-9  # the bar starts where it stopped, not at 0
        assert resumed == sorted(resumed) and resumed[-1] == 1.0
        (done,) = service.index_progress()
        assert done.state == "done" and done.fraction == 1.0 and not done.resumable
    finally:
        service.close_thread()


def test_index_fresh_computes_everything_again(tmp_path: Path, clip: Path) -> None:
    service = Longwatch(FAST.replace(db_path=str(tmp_path / "lib.db")))
    try:
        service.index(str(clip))
        stages: list[str] = []
        service.index(str(clip), progress=lambda p: stages.append(p.stage))
        assert "frames" not in stages and "audio" not in stages  # done: returns at once
        service.index(str(clip), fresh=True, progress=lambda p: stages.append(p.stage))
        assert "frames" in stages and "audio" in stages
        assert service.index_progress()[0].state == "done"
    finally:
        service.close_thread()


def test_the_overall_meter_counts_passes_and_a_resumed_encode() -> None:
    got: list[Progress] = []
    start = IndexProgress("fp", "cancelled", (("video", 1.0), ("audio", 1.0), ("memory", 0.5)))
    meter = OverallMeter(start, got.append)
    meter(Progress("encode", 0, 100, "frames"))
    meter(Progress("encode", 50, 100, "frames"))  # half of the half that was left
    meter(Progress("load model", 0, None))
    overall = [dict(p.detail)["overall"] for p in got]
    assert overall == pytest.approx([5 / 6, (2 + 0.75) / 3, (2 + 0.75) / 3])
    with pytest.raises(ValueError):
        IndexProgress("fp", None, (("video", 1.5),))


def test_database_location_names_what_chose_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LONGWATCH_DB", str(tmp_path / "env.db"))
    assert Longwatch(Settings()).database_location() == (tmp_path / "env.db", "$LONGWATCH_DB")
    assert Longwatch(Settings(db_path=str(tmp_path / "mine.db"))).database_location() == (tmp_path / "mine.db",
                                                                                           "settings")
    monkeypatch.delenv("LONGWATCH_DB")
    path, why = Longwatch(Settings()).database_location()
    assert why == "default" and path.name == "longwatch.db"
