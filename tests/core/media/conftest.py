"""Generated test media for the core.media tests (tiny: 64x48, a few seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import mediagen

CUES = [(0.5, 1.2, "<i>Hello</i> world"), (1.4, 1.9, "Line two\nsecond")]


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def mp4_av(media_dir: Path) -> Path:
    """H.264 (with B-frames) + AAC + mov_text subtitles, 10 fps, 3 s, GOP 5 (so sampling seeks)."""
    return mediagen.make_video(media_dir / "clip.mp4", duration_s=3.0, fps=10, audio=True, subtitles=CUES, gop=5)


@pytest.fixture(scope="session")
def webm_vp9(media_dir: Path) -> Path:
    return mediagen.make_video(media_dir / "clip.webm", codec="vp9", duration_s=2.0, audio=True, subtitles=CUES)


@pytest.fixture(scope="session")
def mkv_srt(media_dir: Path) -> Path:
    return mediagen.make_video(media_dir / "clip.mkv", duration_s=2.0, subtitles=CUES)


@pytest.fixture(scope="session")
def avi_mpeg4(media_dir: Path) -> Path:
    return mediagen.make_video(media_dir / "clip.avi", codec="mpeg4", duration_s=2.0, audio=True)
