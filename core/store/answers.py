"""Stored answers (table ``queries``): one typed, versioned record for every ask, find, ads and summary result.

Every layer that keeps or shows past answers (the service, the CLI, the app's history, reports) goes through
``record_answer`` / ``list_answers``; nobody else reads ``result_json``. A record is ``Answer.to_json()`` plus
``"version": RECORD_VERSION``.

Version 1 (before records were typed) came in several shapes, all of which ``upgrade_record`` turns into an
``Answer``: ``ask`` stored ``Answer.to_json()`` plus an untyped ``meta`` dict; ``find`` stored
``{"moments": [...]}``; the CLI's ``ads`` a bare list of moments and the model's ``find_ads``
``{"moments": [...], "model_scores": [...]}``; ``summary`` stored ``Summary.to_json()``. Migration
``m004_answer_records`` rewrites old rows once; the reader still upgrades any it meets. A record that cannot be
read is skipped with one line in the log, never an error for the caller.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from core.results import (
    ANSWER_KINDS,
    AdBreak,
    Answer,
    AnswerStats,
    Moment,
    Summary,
    chapter_moments,
    moments_text,
    summary_text,
)

log = logging.getLogger(__name__)

RECORD_VERSION = 2
DEFAULT_QUESTION = {"ads": "Find the ads", "summary": "Summarise"}
NOUN = {"ads": "ad break", "find": "moment", "ask": "moment"}


@dataclass(frozen=True)
class AnswerRecord:
    """One stored answer with its row id and when it was made (ISO 8601 UTC)."""

    id: int
    video: str  # fingerprint
    created_at: str
    answer: Answer

    @property
    def kind(self) -> str:
        return self.answer.kind


def record_answer(db: sqlite_utils.Database, video: str, answer: Answer) -> int:
    """Store ``answer`` for ``video``; returns the record's id."""
    payload = json.dumps({"version": RECORD_VERSION, **answer.to_json()}, ensure_ascii=False)
    with db.atomic():
        cur = db.execute("INSERT INTO queries (video, kind, question, result_json) VALUES (?, ?, ?, ?)",
                         [video, answer.kind, answer.question, payload])
    return int(cur.lastrowid or 0)


def list_answers(db: sqlite_utils.Database, video: str, *, kind: str | None = None,
                 limit: int = 100) -> list[AnswerRecord]:
    """The video's stored answers, newest first (only ``kind`` when given); unreadable ones are skipped."""
    sql = "SELECT id, video, kind, question, result_json, created_at FROM queries WHERE video = ?"
    params: list[Any] = [video]
    if kind is not None:
        sql += " AND kind = ?"
        params.append(kind)
    rows = db.query(sql + " ORDER BY created_at DESC, id DESC LIMIT ?", [*params, limit])
    out: list[AnswerRecord] = []
    for r in rows:
        answer = read_record(r["kind"], r["question"], r["result_json"], row_id=r["id"])
        if answer is not None:
            out.append(AnswerRecord(int(r["id"]), r["video"], r["created_at"], answer))
    return out


def newest_answer(db: sqlite_utils.Database, video: str, kind: str) -> Answer | None:
    """The newest readable answer of ``kind`` for ``video``, or None."""
    found = list_answers(db, video, kind=kind, limit=1)
    if found:
        return found[0].answer
    older = list_answers(db, video, kind=kind, limit=20)  # the newest row may be unreadable
    return older[0].answer if older else None


def read_record(kind: str, question: str, result_json: str, *, row_id: int | None = None) -> Answer | None:
    """The ``Answer`` in one stored row (any version), or None (logged) when it cannot be read."""
    try:
        data = json.loads(result_json)
        return upgrade_record(kind, question, data)
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        log.warning("skipped stored %s answer #%s: it cannot be read (%s: %s)", kind, row_id, type(e).__name__, e)
        return None


def upgrade_record(kind: str, question: str, data: Any) -> Answer:
    """An ``Answer`` from a stored result of any version (see the module docstring for the old shapes)."""
    if kind not in ANSWER_KINDS:
        raise ValueError(f"unknown answer kind {kind!r}")
    if isinstance(data, dict) and data.get("version") == RECORD_VERSION:
        return Answer.from_json({**data, "kind": kind})
    question = question or DEFAULT_QUESTION.get(kind, "")
    if kind == "summary":
        summary = Summary.from_json(data)
        return Answer(question, summary_text(summary), chapter_moments(summary), summary.sources, "summary",
                      summary=summary)
    items = data if isinstance(data, list) else data.get("moments", [])
    moments = tuple(Moment.from_json(m) for m in items)
    meta = data.get("meta", {}) if isinstance(data, dict) else {}
    text = data.get("text") if isinstance(data, dict) else None
    sources = tuple(str(s) for s in data.get("sources", ())) if isinstance(data, dict) else ()
    breaks: tuple[AdBreak, ...] = ()
    if kind == "ads":
        moments = tuple(sorted(moments, key=lambda m: m.start))
        breaks = tuple(AdBreak(m.start, m.end, m.score, m.why) for m in moments)
    stats = None
    if isinstance(meta, dict) and "windows_used" in meta:
        stats = AnswerStats(int(meta["windows_used"]), int(meta["windows_total"]), bool(meta["complete_index"]))
    evidence = tuple(str(e) for e in meta.get("evidence", ())) if isinstance(meta, dict) else ()
    return Answer(question, str(text or moments_text(moments, NOUN[kind])), moments, sources, kind,
                  breaks=breaks, evidence=evidence, stats=stats)


def upgrade_all(db: sqlite_utils.Database) -> tuple[int, int]:
    """Rewrite every older record as a version-2 record (inside the caller's transaction); returns
    (upgraded, left as they were because they cannot be read)."""
    upgraded = unreadable = 0
    for r in list(db.query("SELECT id, kind, question, result_json FROM queries")):
        try:
            data = json.loads(r["result_json"])
            if isinstance(data, dict) and data.get("version") == RECORD_VERSION:
                continue
            answer = upgrade_record(r["kind"], r["question"], data)
        except (ValueError, KeyError, TypeError, AttributeError):
            unreadable += 1  # kept as it is: the reader skips it with a log line, nothing is lost
            continue
        db.execute("UPDATE queries SET question = ?, result_json = ? WHERE id = ?",
                   [answer.question, json.dumps({"version": RECORD_VERSION, **answer.to_json()},
                                                ensure_ascii=False), r["id"]])
        upgraded += 1
    return upgraded, unreadable
