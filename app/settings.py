"""The app's settings: core's ``Settings`` (every option and its default, validated there), kept in QSettings so
they survive restarts."""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import QSettings

from core.errors import UsageError
from core.usecases import Settings

_KEY = "settings/"


def load_settings(qs: QSettings) -> Settings:
    """The stored settings; a value that no longer validates (a deleted model folder) falls back to defaults."""
    defaults = Settings()
    values: dict[str, Any] = {}
    for f in dataclasses.fields(Settings):
        raw = qs.value(_KEY + f.name)
        if raw is None:
            continue
        default = getattr(defaults, f.name)
        try:
            if isinstance(default, bool):
                values[f.name] = raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true", "yes")
            else:
                values[f.name] = type(default)(raw)
        except (TypeError, ValueError):
            continue
    try:
        return Settings(**values)
    except UsageError:
        try:
            return Settings(**{k: v for k, v in values.items() if k not in ("model_dir", "db_path")})
        except UsageError:
            return defaults


def save_settings(qs: QSettings, settings: Settings) -> None:
    for f in dataclasses.fields(Settings):
        qs.setValue(_KEY + f.name, getattr(settings, f.name))
    qs.sync()
