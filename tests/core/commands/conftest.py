"""Fixtures for the command-line tests: the tiny-model fixtures, the report tests' clips and stored results."""

from tests.core.report.conftest import library, tiny_mp4  # noqa: F401
from tests.core.video_llm_fixtures import *  # noqa: F403
