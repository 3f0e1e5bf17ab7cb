"""Fixtures for the query tests: the shared tiny-model fixtures plus an indexed video."""

import pytest

from tests.core.video_llm_fixtures import *  # noqa: F403
from tests.core.video_llm_fixtures import make_video


@pytest.fixture(scope="session")
def video_maker():
    """``make_video`` for tests that need their own clip (e.g. with a sidecar subtitle file)."""
    return make_video


@pytest.fixture(scope="session")
def indexed(tmp_path_factory: pytest.TempPathFactory, tiny_model, video):
    """The test video indexed at 4 frames per second (frame k at k * 0.25 s): 32 frames, 4 windows."""
    from core.index import IndexOptions, index_video
    from core.store import open_db

    path = tmp_path_factory.mktemp("indexed") / "lib.db"
    result = index_video(open_db(path), video, IndexOptions(fps=4.0, ratio=8), model=tiny_model)
    return path, result
