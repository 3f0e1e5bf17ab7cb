"""Fixtures shared by every test suite (keep this minimal; suites keep their own conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils


@pytest.fixture
def tmp_db(tmp_path: Path) -> Iterator[sqlite_utils.Database]:
    """A fresh library database file (WAL, migrations applied) in the test's temporary folder."""
    from core.store import open_db

    db = open_db(tmp_path / "library.db")
    yield db
    db.close()
