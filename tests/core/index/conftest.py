"""Fixtures for the index tests (shared with the query tests)."""

from tests.core.video_llm_fixtures import *  # noqa: F403
