"""Answers the app builds itself: from evidence alone (no video-LLM configured), from lists of moments, and
from stored past queries. Runs on the engine's worker threads; no Qt here."""

from __future__ import annotations

from typing import Any

from app.capabilities import resolve
from core.errors import LongwatchError
from core.results import Answer, Moment, Summary
from core.store import segments as seg_store
from core.timefmt import clock

NO_MODEL = ("No video-LLM is configured: answers come from speech, subtitles and on-screen text. "
            "A video-LLM (Settings > Model folder) would add answers about what is seen, moments found by "
            "description, chapter summaries and visual ad detection.")
EVIDENCE_ONLY = ("Without a video-LLM this answer comes from speech, subtitles and on-screen text only; "
                 "a model would also answer about what is seen.")


def labelled(m: Moment, description: str) -> Moment:
    """A found moment as a timeline range, labelled with what was looked for."""
    return Moment(m.start, m.end, m.score, description[:40], m.why)


def moments_answer(question: str, moments: list[Moment], sources: tuple[str, ...], what: str) -> Answer:
    if not moments:
        return Answer(question, "Nothing found.", (), sources)
    noun = {"ad": "ad break", "event": "moment"}.get(what, what)
    lines = [f"Found {len(moments)} {noun}{'s' if len(moments) != 1 else ''}:"]
    lines += [f"• {clock(m.start)}–{clock(m.end)} {m.label} ({m.score:.0%})" for m in moments]
    return Answer(question, "\n".join(lines), tuple(moments), sources)


def ask_evidence(db: Any, fp: str, kind: str, text: str) -> Answer:
    """Answers without the video-LLM (core.query.grounded): search by meaning over speech, subtitles and
    on-screen text, chapters from topic shifts and shots, and the evidence ad detector. Each says what a video
    model would add."""
    from core.query import grounded_ask, grounded_find, grounded_summary

    if kind == "ads":
        cap = resolve("detect_ads")
        if cap.func is None:
            raise LongwatchError(cap.reason)
        moments = list(cap.func(db, fp))
        seg_store.replace_detected(db, fp, "ad", moments, "ads")
        answer = moments_answer("Find the ads", moments, ("evidence",), "ad")
        _record(db, fp, "ads", "", answer)
        return answer
    if kind == "summary":
        return summary_answer(db, fp, grounded_summary(db, fp, None))
    if kind == "find":
        moments = grounded_find(db, fp, text, None)
        seg_store.replace_detected(db, fp, "event", [labelled(m, text) for m in moments], "find")
        answer = moments_answer(text, moments, ("evidence",), "event")
        return Answer(text, answer.text + "\n\n" + EVIDENCE_ONLY, answer.moments, answer.sources)
    return grounded_ask(db, fp, text, None)


def summary_answer(db: Any, fp: str, summary: Summary) -> Answer:
    """Chapters on the timeline and the overview + chapter list as the answer text."""
    chapters = [Moment(c.start, c.end, 1.0, c.title, (c.text,) if c.text else ()) for c in summary.chapters]
    seg_store.replace_detected(db, fp, "chapter", chapters, "summary")
    lines = [summary.overview, ""] + [f"{clock(c.start)} {c.title}" for c in summary.chapters]
    return Answer("Summarise", "\n".join(lines).strip(), tuple(chapters), summary.sources)


def _record(db: Any, fp: str, kind: str, question: str, answer: Answer) -> None:
    cap = resolve("record_query")
    if cap.func is not None:
        cap.func(db, fp, kind, question, answer.to_json())


def answer_from_record(kind: str, question: str, result: dict[str, Any]) -> Answer:
    """Rebuild an Answer from a stored query (ask/find/ads store moments; summary stores chapters)."""
    moments = [Moment.from_json(m) for m in result.get("moments", [])]
    if kind == "summary":
        chapters = result.get("chapters", [])
        moments = [Moment(float(c["start"]), float(c["end"]), 1.0, str(c["title"])) for c in chapters]
        text = "\n".join([result.get("overview", ""), ""] + [f"{clock(m.start)} {m.label}" for m in moments])
        return Answer(question or "Summarise", text.strip(), tuple(moments), tuple(result.get("sources", ())))
    text = result.get("text") or moments_answer(question, moments, (), "ad" if kind == "ads" else "event").text
    return Answer(question or ("Find the ads" if kind == "ads" else ""), text, tuple(moments),
                  tuple(result.get("sources", ())))

