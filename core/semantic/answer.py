"""``evidence_answer``: answer a question from the evidence lines alone, quoting them with their times.

The best lines for the question (hybrid ranking, ``find.rank_lines``) are quoted in time order, each with its
time as [m:ss] (the UI turns those into links), and the answer says plainly that no video model was used. When
no line is relevant enough the answer says so instead of guessing.
"""

from __future__ import annotations

import sqlite_utils

from core.results import Answer, Moment
from core.semantic.find import rank_lines
from core.semantic.types import EmbedOptions
from core.timefmt import stamp

NO_MODEL = "No video model was used: this answer comes only from the transcript, subtitles and on-screen text."
SOURCE_VERB = {"speech": "someone says", "subtitle": "a subtitle reads", "ocr": "the screen shows",
               "visual": "the picture shows"}


def evidence_answer(db: sqlite_utils.Database, fingerprint: str, question: str, *, max_quotes: int = 4,
                    min_score: float = 0.35, options: EmbedOptions | None = None) -> Answer:
    """An ``Answer`` quoting the lines that answer ``question``; its ``notes`` say no video model was used."""
    hits = [h for h in rank_lines(db, fingerprint, question, options=options, limit=max_quotes * 2)
            if h.score >= min_score][:max_quotes]
    if not hits:
        text = (f"Nothing in the transcript, subtitles or on-screen text matches \"{question}\". {NO_MODEL}")
        return Answer(question, text, (), ("evidence",), notes=(NO_MODEL,))
    hits.sort(key=lambda h: h.line.start_s)
    best = max(hits, key=lambda h: h.score)
    lead = (f"The closest evidence is at {stamp(best.line.start_s)}, where "
            f"{SOURCE_VERB[best.line.source]} \"{best.line.text}\".")
    quotes = [f"{stamp(h.line.start_s)} {SOURCE_VERB[h.line.source]}: \"{h.line.text}\"" for h in hits]
    text = lead + "\n" + "\n".join(quotes) + "\n" + NO_MODEL
    moments = tuple(Moment(h.line.start_s, h.line.end_s, h.score, h.line.source, (h.why(),)) for h in hits)
    sources = tuple(sorted({h.line.source for h in hits}))
    return Answer(question, text, moments, sources, notes=(NO_MODEL,))
