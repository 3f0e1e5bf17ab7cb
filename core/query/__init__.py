"""Questions over the persisted memory: ask, find, summary, ads -> answers and moments with timestamps.

Nothing here re-encodes the indexed video; ``find`` re-decodes only short stretches around its best moments to
refine them.
"""

from core.query.ads import WindowScores, ad_moments, find_ads, model_ad_scores
from core.query.asking import AskOptions, ask
from core.query.finding import FindOptions, find
from core.query.grounded import (
    NoEvidence,
    grounded_ask,
    grounded_find,
    grounded_summary,
    has_evidence,
    model_ad_scores_if_indexed,
)
from core.query.history import QueryRecord, list_queries, record_query
from core.query.memory import LoadedMemory, NotIndexed, load_memory, resolve_video
from core.query.summary import SummaryOptions, summarize

__all__ = [
    "AskOptions",
    "FindOptions",
    "LoadedMemory",
    "NoEvidence",
    "NotIndexed",
    "QueryRecord",
    "SummaryOptions",
    "WindowScores",
    "ad_moments",
    "ask",
    "find",
    "find_ads",
    "grounded_ask",
    "grounded_find",
    "grounded_summary",
    "has_evidence",
    "list_queries",
    "load_memory",
    "model_ad_scores",
    "model_ad_scores_if_indexed",
    "record_query",
    "resolve_video",
    "summarize",
]
