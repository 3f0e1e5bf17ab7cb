"""``longwatch FILE ...`` as a person starts it: a real process, offscreen, with a good and a bad file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest


@pytest.mark.slow
def test_longwatch_opens_files_from_the_command_line_and_exits_cleanly(media: Any, tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path),
           "LONGWATCH_DB": str(tmp_path / "library.db"), "QT_LOGGING_RULES": "qt.multimedia.*=false"}
    code = "import sys; from app.main import main; sys.exit(main())"
    proc = subprocess.run([sys.executable, "-c", code, str(media["clip"]), str(media["bad"]), "--quit-after", "8"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Longwatch window open" in proc.stdout
    assert "Traceback" not in proc.stderr
    from core.store import list_library, open_db

    db = open_db(tmp_path / "library.db")
    assert [e.name for e in list_library(db)] == ["clip.mp4"]  # the bad file was refused, the good one added
    db.conn.close()
