"""Tiny random CLIP / SigLIP checkpoints written once per session, and a library with one video row."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from core.store import open_db
from core.vision import write_tiny_model


@pytest.fixture(scope="session")
def tiny_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_model(tmp_path_factory.mktemp("models") / "tiny-clip", "clip")


@pytest.fixture(scope="session")
def tiny_siglip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_model(tmp_path_factory.mktemp("models") / "tiny-siglip", "siglip")


def new_db(video: str = "vid", duration_s: float = 600.0) -> sqlite_utils.Database:
    db = open_db(":memory:")
    db["videos"].insert({"fingerprint": video, "path": "-", "name": "-", "size_bytes": 0, "duration_s": duration_s,
                         "container": "mp4", "width": 64, "height": 36, "fps": 25.0, "probe_json": "{}"})
    return db
