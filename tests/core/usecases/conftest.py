"""Fixtures for the service tests: the tiny-model fixtures (checkpoint, generated clip) and short recordings with
an ad break for the queue, watch and post-processing tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.usecases import Longwatch, Settings
from tests.core.video_llm_fixtures import *  # noqa: F403

FAST = Settings(speech=False, ocr=False, evidence_fps=2.0, quant="none", job_threads=1)  # queue/watch tests


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Longwatch:
    """A service with ``FAST`` settings on a fresh library in ``tmp_path``, no video-LLM."""
    monkeypatch.delenv("LONGWATCH_MODEL", raising=False)
    svc = Longwatch(FAST, db_path=tmp_path / "lib.db")
    yield svc
    svc.close_thread()


def short_recording(path: Path, seed: int = 0) -> Path:
    """A channel's recording: 20 s of show with its logo, a black-framed break of two 10 s adverts without it
    (20.5-41.0 s), 20 s of show (different content for each seed), with a sidecar subtitle naming the seed."""
    from tests.core.evidence.gen import Part, write_recording
    from tests.mediagen import write_srt

    parts = [Part("show", 20.0, logo=True, shot_s=5.0), Part("black", 0.5),
             Part("ad", 10.0, colour=(230, 40, 40), tone_hz=880, level_db=-12, shot_s=1.5), Part("black", 0.5),
             Part("ad", 10.0, colour=(40, 60, 240), tone_hz=660, level_db=-12, shot_s=1.5), Part("black", 0.5),
             Part("show", 20.0, logo=True, shot_s=5.0)]
    write_recording(path, parts, seed=seed, size=(160, 90))
    write_srt(path.with_suffix(".srt"), [(1.0, 3.0, f"recording number {seed} about the harbour"),
                                         (45.0, 47.0, "the weather is sunny today")])
    return path


BREAK_S = (20.5, 41.0)  # the break of ``short_recording``


@pytest.fixture(scope="session")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three short recordings in one folder (plus a partial download that must be skipped)."""
    folder = tmp_path_factory.mktemp("recordings")
    out = [short_recording(folder / f"rec{i}.ts", seed=i) for i in range(3)]
    (folder / "next.ts.part").write_bytes(b"\0" * 1000)
    return out
