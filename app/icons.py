"""Icons and the stylesheet from the ``resources`` package (SVGs drawn for Longwatch)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return RESOURCES.joinpath(*parts)


@cache
def icon(name: str) -> QIcon:
    return QIcon(str(resource("icons", f"{name}.svg")))


def is_dark(palette: QPalette | None = None) -> bool:
    pal = palette or QGuiApplication.palette()
    return pal.color(QPalette.ColorRole.Window).lightness() < 128


def stylesheet(dark: bool | None = None) -> str:
    """The app stylesheet for the system's light or dark palette (``resources/style/{dark,light}.qss``)."""
    dark = is_dark() if dark is None else dark
    return resource("style", "dark.qss" if dark else "light.qss").read_text(encoding="utf-8")


def accent() -> QColor:
    return QColor("#5aa7ff") if is_dark() else QColor("#1f6fd1")
