"""Search by meaning, chapters and answers from evidence, with or without the video-LLM (issue 10).

- ``embed_evidence(db, fingerprint, options, progress, cancel)``: embed the evidence lines (resumable stage);
- ``evidence_find(db, fingerprint, description, *, model_scores=None, limit=10)`` -> list[Moment];
- ``evidence_summary(db, fingerprint)`` -> Summary (chapters + extractive overview);
- ``evidence_answer(db, fingerprint, question)`` -> Answer quoting evidence lines with [m:ss] times;
- ``normalize_text``: what full-text search sees (numbers as digits, no case or punctuation).
"""

from core.semantic.answer import evidence_answer
from core.semantic.chapters import ChapterOptions, evidence_summary
from core.semantic.find import evidence_find, fuse_model, rank_lines
from core.semantic.normalize import normalize_text
from core.semantic.search import search_text, sync_evidence_lines
from core.semantic.stage import embed_evidence
from core.semantic.types import EmbedOptions, EmbedSummary, EvidenceLine, ModelScores
from core.semantic.visual import parse_visual, visual_moments

__all__ = [
    "ChapterOptions",
    "EmbedOptions",
    "EmbedSummary",
    "EvidenceLine",
    "ModelScores",
    "embed_evidence",
    "evidence_answer",
    "evidence_find",
    "evidence_summary",
    "fuse_model",
    "normalize_text",
    "parse_visual",
    "rank_lines",
    "search_text",
    "sync_evidence_lines",
    "visual_moments",
]
