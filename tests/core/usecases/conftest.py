"""Fixtures for the service tests: the tiny-model fixtures (checkpoint, generated clip)."""

from tests.core.video_llm_fixtures import *  # noqa: F403
