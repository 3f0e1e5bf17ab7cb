"""Answers from a persisted video-LLM memory: ask, find, summary and the model's advert scores, with moments.

Nothing here re-encodes the indexed video (``find`` re-decodes only short stretches around its best moments to
refine them), chooses which memory answers, or stores anything: the service (``core.usecases``) does that.
"""

from core.query.ads import AD_QUESTION, WindowScores, ad_moments, model_ad_scores
from core.query.asking import AskOptions, ask
from core.query.evidence import EvidenceContext, EvidenceLine, evidence_context
from core.query.finding import FindOptions, find
from core.query.memory import LoadedMemory, NotIndexed, load_memory, memory_of, runs_for
from core.query.summary import SummaryOptions, summarize

__all__ = [
    "AD_QUESTION",
    "AskOptions",
    "EvidenceContext",
    "EvidenceLine",
    "FindOptions",
    "LoadedMemory",
    "NotIndexed",
    "SummaryOptions",
    "WindowScores",
    "ad_moments",
    "ask",
    "evidence_context",
    "find",
    "load_memory",
    "memory_of",
    "model_ad_scores",
    "runs_for",
    "summarize",
]
