"""Reports (Markdown, HTML, PDF, JSON) and segment lists other tools read (EDL, chapters, CSV, SRT, YouTube).

    data = collect_report(db, fingerprint)          # what the library holds, with chapter thumbnails
    write_report(data, "film - report.html")        # .md / .html / .pdf / .json by extension
    format_segments(moments, "edl")                  # Kodi/MPlayer/Comskip EDL, ffmetadata, csv, srt, youtube, json
    write_chapters("film.mkv", "film-chapters.mkv", chapters)   # remux with chapters, no re-encoding

Renderers import their libraries (Jinja2, ReportLab, PyAV) only when used.
"""

from __future__ import annotations

import importlib
from typing import Any

# name -> submodule; imported on first use, so ``import core.report.segments`` stays light.
_WHERE = {
    "write_chapters": "chapters_mux",
    "ReportError": "collect", "ReportOptions": "collect", "collect_report": "collect",
    "REPORT_SCHEMA_VERSION": "data", "ChapterEntry": "data", "ReportData": "data", "safe_filename": "data",
    "SEGMENT_FORMATS": "segments", "SegmentFormatError": "segments", "chapters_to_moments": "segments",
    "format_segments": "segments", "parse_segments": "segments", "segment_format_for": "segments",
    "youtube_chapters": "segments",
    "REPORT_FORMATS": "write", "WrittenReport": "write", "default_report_name": "write", "render_json": "write",
    "write_report": "write",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'core.report' has no attribute {name!r}")
    return getattr(importlib.import_module(f"core.report.{_WHERE[name]}"), name)


__all__ = [
    "REPORT_FORMATS",
    "REPORT_SCHEMA_VERSION",
    "SEGMENT_FORMATS",
    "ChapterEntry",
    "ReportData",
    "ReportError",
    "ReportOptions",
    "SegmentFormatError",
    "WrittenReport",
    "chapters_to_moments",
    "collect_report",
    "default_report_name",
    "format_segments",
    "parse_segments",
    "render_json",
    "safe_filename",
    "segment_format_for",
    "write_chapters",
    "write_report",
    "youtube_chapters",
]
