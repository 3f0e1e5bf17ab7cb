"""Questions over the persisted memory: ask, find, summary, ads -> answers and moments with timestamps.

Nothing here re-encodes the indexed video; ``find`` re-decodes only short stretches around its best moments to
refine them. Names are imported on first use (PEP 562), so importing the package does not load torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.query.ads import WindowScores, ad_moments, find_ads, model_ad_scores
    from core.query.ask import AskOptions, ask
    from core.query.find import FindOptions, find
    from core.query.history import QueryRecord, list_queries, record_query
    from core.query.memory import LoadedMemory, NotIndexed, load_memory, resolve_video
    from core.query.summary import SummaryOptions, summarize

_WHERE = {
    "WindowScores": "ads", "ad_moments": "ads", "find_ads": "ads", "model_ad_scores": "ads",
    "AskOptions": "ask", "ask": "ask", "FindOptions": "find", "find": "find",
    "QueryRecord": "history", "list_queries": "history", "record_query": "history",
    "LoadedMemory": "memory", "NotIndexed": "memory", "load_memory": "memory", "resolve_video": "memory",
    "SummaryOptions": "summary", "summarize": "summary",
}
__all__ = [
    "AskOptions",
    "FindOptions",
    "LoadedMemory",
    "NotIndexed",
    "QueryRecord",
    "SummaryOptions",
    "WindowScores",
    "ad_moments",
    "ask",
    "find",
    "find_ads",
    "list_queries",
    "load_memory",
    "model_ad_scores",
    "record_query",
    "resolve_video",
    "summarize",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'core.query' has no attribute {name!r}")
    return getattr(importlib.import_module(f"core.query.{_WHERE[name]}"), name)
