"""Which parts of the engine exist in this build, found by name, with a plain reason when one is missing.

The app reaches core only through its public packages. A feature whose core function is absent (an older or
partial engine) is shown as unavailable with the sentence from ``reason``, never imitated.
"""

from __future__ import annotations

import importlib
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# feature -> (module, attribute, what the person loses without it)
FEATURES: dict[str, tuple[str, str, str]] = {
    "probe": ("core.media", "probe", "opening videos"),
    "thumbnails": ("core.media", "thumbnails", "thumbnails"),
    "evidence": ("core.evidence", "run_evidence", "the evidence pass (shots, speech, on-screen text)"),
    "search": ("core.evidence", "search_text", "text search"),
    "detect_ads": ("core.evidence", "detect_ads", "ad detection without the video-LLM"),
    "read_cuts": ("core.evidence", "read_cuts", "shot boundaries on the timeline"),
    "read_transcript": ("core.evidence", "read_transcript", "speech density on the timeline"),
    "read_subtitles": ("core.evidence", "read_subtitles", "subtitle density on the timeline"),
    "index": ("core.index", "index_video", "video-LLM indexing"),
    "load_model": ("core.model", "load_model", "loading the video-LLM"),
    "estimate_memory": ("core.model", "estimate_memory", "the memory estimate"),
    "ask": ("core.query", "ask", "answers from the video-LLM"),
    "find": ("core.query", "find", "finding moments with the video-LLM"),
    "summary": ("core.query", "summarize", "summaries"),
    "find_ads": ("core.query", "find_ads", "ad detection with the video-LLM"),
    "history": ("core.query", "list_queries", "past questions"),
    "record_query": ("core.query", "record_query", "keeping past questions"),
    "segment_formats": ("core.report.segments", "format_segments", "exporting segments (EDL, chapters, CSV, SRT)"),
    "report": ("core.report.write", "write_report", "exporting reports"),
    "collect_report": ("core.report.collect", "collect_report", "exporting reports"),
}


@dataclass(frozen=True)
class Capability:
    name: str
    func: Callable[..., Any] | None
    reason: str  # "" when available, else one sentence saying what is missing

    @property
    def available(self) -> bool:
        return self.func is not None


def resolve(name: str) -> Capability:
    """Import the core function behind ``name``; a missing module or name gives an unavailable Capability."""
    module, attr, what = FEATURES[name]
    try:
        func = getattr(importlib.import_module(module), attr, None)
        if isinstance(func, types.ModuleType):  # a lazy package whose submodule shadows the function's name
            func = getattr(func, attr, None)
    except ImportError as e:
        return Capability(name, None, f"{what.capitalize()} is not available in this build ({module}: {e}).")
    if func is None:
        return Capability(name, None, f"{what.capitalize()} is not available in this build ({module}.{attr} is missing).")
    return Capability(name, func, "")


def resolve_all() -> dict[str, Capability]:
    return {name: resolve(name) for name in FEATURES}
