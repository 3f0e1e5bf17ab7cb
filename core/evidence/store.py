"""Evidence rows in SQLite (tables from migration m002_evidence): the run, stage progress, writers and readers.

A video has one evidence run (``index_runs`` kind 'evidence'); each stage records its settings key, its state and
``done_s`` (media seconds committed), so a killed pass resumes per stage and a changed option redoes only the
stages that depend on it. Writers are called inside the caller's ``db.atomic()`` block.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import sqlite_utils

from core.errors import LongwatchError
from core.evidence.logo import CornerEdges
from core.evidence.ocr import OcrObservation
from core.evidence.types import (
    BlackFrames,
    FrameStat,
    Level,
    Silence,
    Span,
    TextLine,
    TranscriptSegment,
    Word,
)

RUN_KEY = "evidence/v1"  # one evidence run per video; stages carry their own settings keys

# Tables whose rows belong to each stage (cleared when the stage restarts with other settings).
STAGE_TABLES = {
    "frames": ("ev_frame_stats", "ev_cuts", "ev_shots", "ev_black", "ev_logo_edges"),
    "ocr": ("ev_ocr_obs", "ev_ocr"),
    "audio": ("ev_levels", "ev_silences"),
    "speech": ("ev_transcript",),
    "subtitles": ("ev_subtitles",),
    "vision": (),  # core.vision's tables, keyed by (video, model); core.vision.FrameEmbedder clears its rows
    "objects": (),  # core.vision's object tables, keyed by (video, detector); core.vision.ObjectStage clears them
}


class EvidenceMissing(LongwatchError):
    """No evidence pass has been run for this video."""


def ensure_run(db: sqlite_utils.Database, fingerprint: str, settings: dict[str, object]) -> int:
    """The id of the video's evidence run, created if needed."""
    db.execute(
        "INSERT INTO index_runs (video, kind, settings_key, settings_json) VALUES (?, 'evidence', ?, ?) "
        "ON CONFLICT(video, kind, settings_key) DO UPDATE SET settings_json = excluded.settings_json",
        [fingerprint, RUN_KEY, json.dumps(settings, sort_keys=True)],
    )
    return int(next(iter(db.query(
        "SELECT id FROM index_runs WHERE video = ? AND kind = 'evidence' AND settings_key = ?",
        [fingerprint, RUN_KEY])))["id"])


def find_run(db: sqlite_utils.Database, fingerprint: str) -> int | None:
    rows = list(db.query("SELECT id FROM index_runs WHERE video = ? AND kind = 'evidence' AND settings_key = ?",
                         [fingerprint, RUN_KEY]))
    return int(rows[0]["id"]) if rows else None


def require_run(db: sqlite_utils.Database, fingerprint: str) -> int:
    run = find_run(db, fingerprint)
    if run is None:
        raise EvidenceMissing("This video has no evidence yet; run `longwatch-cli ads VIDEO` or the evidence pass "
                              "(core.evidence.run_evidence) first.")
    return run


def set_run_state(db: sqlite_utils.Database, run_id: int, state: str, error: str | None = None) -> None:
    db.execute("UPDATE index_runs SET state = ?, error = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') "
               "WHERE id = ?", [state, error, run_id])


def stage_status(db: sqlite_utils.Database, run_id: int, stage: str, key: str) -> tuple[str | None, float]:
    """(state, done_s) of a stage run with settings ``key``; (None, 0) when it must start from scratch."""
    rows = list(db.query("SELECT settings_key, state, done_s FROM evidence_stages WHERE run_id = ? AND stage = ?",
                         [run_id, stage]))
    if not rows or rows[0]["settings_key"] != key:
        return None, 0.0
    return str(rows[0]["state"]), float(rows[0]["done_s"])


def start_stage(db: sqlite_utils.Database, run_id: int, stage: str, key: str) -> None:
    """Clear a stage's rows and mark it running from 0 (call inside ``db.atomic()``)."""
    for table in STAGE_TABLES[stage]:
        if table == "ev_transcript":
            db.execute("DELETE FROM ev_words WHERE segment_id IN (SELECT id FROM ev_transcript WHERE run_id = ?)",
                       [run_id])
        db.execute(f"DELETE FROM {table} WHERE run_id = ?", [run_id])
    db.execute("INSERT OR REPLACE INTO evidence_stages (run_id, stage, settings_key, state, done_s) "
               "VALUES (?, ?, ?, 'running', 0)", [run_id, stage, key])


def restart_stages(db: sqlite_utils.Database, fingerprint: str, keys: dict[str, str]) -> None:
    """Clear the rows of each stage in ``keys`` (stage -> settings key) and mark it to run again from 0, so the
    next evidence pass computes the video's evidence anew."""
    run_id = find_run(db, fingerprint)
    if run_id is None:
        return
    with db.atomic():
        for stage, key in keys.items():
            start_stage(db, run_id, stage, key)
        set_run_state(db, run_id, "pending")


def mark_stage(db: sqlite_utils.Database, run_id: int, stage: str, done_s: float, state: str = "running") -> None:
    db.execute("UPDATE evidence_stages SET done_s = ?, state = ?, "
               "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE run_id = ? AND stage = ?",
               [done_s, state, run_id, stage])


def done_stages(db: sqlite_utils.Database, run_id: int) -> tuple[str, ...]:
    return tuple(r["stage"] for r in db.query(
        "SELECT stage FROM evidence_stages WHERE run_id = ? AND state = 'done' ORDER BY stage", [run_id]))


# ---- writers ---------------------------------------------------------------------------------------------------


def write_frame_stats(db: sqlite_utils.Database, run_id: int, stats: Sequence[FrameStat],
                      cuts: Sequence[float]) -> None:
    db.conn.executemany(
        "INSERT OR REPLACE INTO ev_frame_stats VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(run_id, s.t_s, s.luma_mean, s.luma_p99, s.sat_mean, s.dominant_rgb,
          np.asarray(s.hue_hist, np.float32).tobytes(), s.motion, s.cut_score) for s in stats])
    db.conn.executemany("INSERT OR IGNORE INTO ev_cuts VALUES (?, ?)", [(run_id, t) for t in cuts])


def write_logo_edges(db: sqlite_utils.Database, run_id: int, rows: Sequence[CornerEdges]) -> None:
    db.conn.executemany("INSERT OR REPLACE INTO ev_logo_edges VALUES (?, ?, ?, ?, ?)",
                        [(run_id, r.t_s, r.shape[0], r.shape[1], r.bits) for r in rows])


def read_logo_edges(db: sqlite_utils.Database, fingerprint: str) -> list[CornerEdges]:
    """Corner edge samples in time order (empty for a run made before logo evidence existed)."""
    run = require_run(db, fingerprint)
    return [CornerEdges(r["t_s"], (int(r["corner_h"]), int(r["corner_w"])), bytes(r["bits"])) for r in db.query(
        "SELECT * FROM ev_logo_edges WHERE run_id = ? ORDER BY t_s", [run])]


def write_spans(db: sqlite_utils.Database, run_id: int, table: str, rows: Iterable[Span]) -> None:
    for r in rows:
        if isinstance(r, BlackFrames):
            db.execute("INSERT INTO ev_black (run_id, start_s, end_s, luma_mean) VALUES (?, ?, ?, ?)",
                       [run_id, r.start_s, r.end_s, r.luma_mean])
        elif isinstance(r, Silence):
            db.execute("INSERT INTO ev_silences (run_id, start_s, end_s, rms_db) VALUES (?, ?, ?, ?)",
                       [run_id, r.start_s, r.end_s, r.rms_db])
        else:
            db.execute(f"INSERT INTO {table} (run_id, start_s, end_s) VALUES (?, ?, ?)", [run_id, r.start_s, r.end_s])


def write_levels(db: sqlite_utils.Database, run_id: int, levels: Sequence[Level]) -> None:
    db.conn.executemany("INSERT OR REPLACE INTO ev_levels VALUES (?, ?, ?)",
                   [(run_id, lv.t_s, lv.rms_db) for lv in levels])


def write_ocr_obs(db: sqlite_utils.Database, run_id: int, obs: Sequence[OcrObservation]) -> None:
    db.conn.executemany("INSERT INTO ev_ocr_obs VALUES (?, ?, ?, ?, ?)",
                   [(run_id, o.t_s, o.text, o.score, json.dumps(o.box)) for o in obs])


def write_text_lines(db: sqlite_utils.Database, run_id: int, lines: Sequence[TextLine]) -> None:
    for ln in lines:
        if ln.source == "ocr":
            db.execute("INSERT INTO ev_ocr (run_id, start_s, end_s, text, score, n_frames) VALUES (?, ?, ?, ?, ?, 0)",
                       [run_id, ln.start_s, ln.end_s, ln.text, ln.score])
        else:
            db.execute("INSERT INTO ev_subtitles (run_id, start_s, end_s, text, source) VALUES (?, ?, ?, ?, ?)",
                       [run_id, ln.start_s, ln.end_s, ln.text, ln.source])


def write_transcript(db: sqlite_utils.Database, run_id: int, segments: Sequence[TranscriptSegment]) -> None:
    for seg in segments:
        cur = db.execute("INSERT INTO ev_transcript (run_id, start_s, end_s, text, avg_logprob, no_speech_prob) "
                         "VALUES (?, ?, ?, ?, ?, ?)",
                         [run_id, seg.start_s, seg.end_s, seg.text, seg.avg_logprob, seg.no_speech_prob])
        seg_id = cur.lastrowid
        db.conn.executemany("INSERT INTO ev_words VALUES (?, ?, ?, ?, ?)",
                       [(seg_id, w.start_s, w.end_s, w.word, w.probability) for w in seg.words])


# ---- readers ---------------------------------------------------------------------------------------------------


def _spans(db: sqlite_utils.Database, fingerprint: str, table: str) -> list[dict[str, Any]]:
    run = require_run(db, fingerprint)
    return list(db.query(f"SELECT * FROM {table} WHERE run_id = ? ORDER BY start_s", [run]))


def read_shots(db: sqlite_utils.Database, fingerprint: str) -> list[Span]:
    return [Span(float(r["start_s"]), float(r["end_s"])) for r in _spans(db, fingerprint, "ev_shots")]


def read_cuts(db: sqlite_utils.Database, fingerprint: str) -> list[float]:
    return read_cuts_run(db, require_run(db, fingerprint))


def read_black_frames(db: sqlite_utils.Database, fingerprint: str) -> list[BlackFrames]:
    return [BlackFrames(r["start_s"], r["end_s"], r["luma_mean"])
            for r in _spans(db, fingerprint, "ev_black")]


def read_silences(db: sqlite_utils.Database, fingerprint: str) -> list[Silence]:
    return [Silence(r["start_s"], r["end_s"], r["rms_db"])
            for r in _spans(db, fingerprint, "ev_silences")]


def read_levels(db: sqlite_utils.Database, fingerprint: str) -> list[Level]:
    run = require_run(db, fingerprint)
    return [Level(r["t_s"], r["rms_db"]) for r in db.query(
        "SELECT t_s, rms_db FROM ev_levels WHERE run_id = ? ORDER BY t_s", [run])]


def read_done_stages(db: sqlite_utils.Database, fingerprint: str) -> tuple[str, ...]:
    """The stages finished for the video ("frames", "ocr", "audio", "speech", "subtitles")."""
    return done_stages(db, require_run(db, fingerprint))


def read_frame_stats(db: sqlite_utils.Database, fingerprint: str) -> list[FrameStat]:
    return read_frame_stats_run(db, require_run(db, fingerprint))


def read_transcript(db: sqlite_utils.Database, fingerprint: str, *, words: bool = True) -> list[TranscriptSegment]:
    out = []
    for r in _spans(db, fingerprint, "ev_transcript"):
        ws: tuple[Word, ...] = ()
        if words:
            ws = tuple(Word(w["start_s"], w["end_s"], w["word"], w["probability"]) for w in db.query(
                "SELECT * FROM ev_words WHERE segment_id = ? ORDER BY start_s", [r["id"]]))
        out.append(TranscriptSegment(r["start_s"], r["end_s"], r["text"], r["avg_logprob"],
                                     r["no_speech_prob"], ws))
    return out


def read_subtitles(db: sqlite_utils.Database, fingerprint: str) -> list[TextLine]:
    return [TextLine(r["start_s"], r["end_s"], r["text"], "subtitle")
            for r in _spans(db, fingerprint, "ev_subtitles")]


def read_ocr_lines(db: sqlite_utils.Database, fingerprint: str) -> list[TextLine]:
    return [TextLine(r["start_s"], r["end_s"], r["text"], "ocr", r["score"])
            for r in _spans(db, fingerprint, "ev_ocr")]


def read_silences_run(db: sqlite_utils.Database, run_id: int) -> list[Silence]:
    return [Silence(r["start_s"], r["end_s"], r["rms_db"]) for r in db.query(
        "SELECT * FROM ev_silences WHERE run_id = ? ORDER BY start_s", [run_id])]


def read_ocr_obs(db: sqlite_utils.Database, run_id: int) -> list[OcrObservation]:
    return [OcrObservation(r["t_s"], r["text"], r["score"], tuple(tuple(p) for p in json.loads(r["box_json"])))
            for r in db.query("SELECT * FROM ev_ocr_obs WHERE run_id = ? ORDER BY t_s", [run_id])]


def read_frame_stats_run(db: sqlite_utils.Database, run_id: int) -> list[FrameStat]:
    """The run's frame statistics in time order, ``cut`` set on the samples where a stored shot starts."""
    cuts = {round(t, 6) for t in read_cuts_run(db, run_id)}  # a cut's time is its first sample's time
    return [FrameStat(r["t_s"], r["luma_mean"], r["luma_p99"], r["sat_mean"], r["dominant_rgb"],
                      np.frombuffer(r["hue_hist"], np.float32), r["motion"], r["cut_score"],
                      round(float(r["t_s"]), 6) in cuts)
            for r in db.query("SELECT * FROM ev_frame_stats WHERE run_id = ? ORDER BY t_s", [run_id])]


def read_cuts_run(db: sqlite_utils.Database, run_id: int) -> list[float]:
    return [float(r["t_s"]) for r in db.query("SELECT t_s FROM ev_cuts WHERE run_id = ? ORDER BY t_s", [run_id])]


def count_rows(db: sqlite_utils.Database, run_id: int) -> tuple[tuple[str, int], ...]:
    tables = {"frames": "ev_frame_stats", "shots": "ev_shots", "black": "ev_black", "silences": "ev_silences",
              "levels": "ev_levels", "transcript": "ev_transcript", "subtitles": "ev_subtitles", "ocr": "ev_ocr"}
    counts = tuple((name, int(next(iter(db.query(f"SELECT count(*) AS n FROM {t} WHERE run_id = ?", [run_id])))["n"]))
                   for name, t in tables.items())
    vision = db.execute("SELECT count(*) FROM vision_frames WHERE video = (SELECT video FROM index_runs WHERE id = ?)",
                        [run_id]).fetchone()[0]
    objects = db.execute("SELECT count(*) FROM vision_objects WHERE video = "
                         "(SELECT video FROM index_runs WHERE id = ?)", [run_id]).fetchone()[0]
    return (*counts, ("vision", int(vision)), ("objects", int(objects)))


def evidence_state(db: sqlite_utils.Database, fingerprint: str) -> str | None:
    """State of the video's evidence run ('done', 'running', 'cancelled', ...), None when there is none."""
    rows = list(db.query("SELECT state FROM index_runs WHERE video = ? AND kind = 'evidence' AND settings_key = ?",
                         [fingerprint, RUN_KEY]))
    return str(rows[0]["state"]) if rows else None


def stages_complete(db: sqlite_utils.Database, fingerprint: str, keys: dict[str, str]) -> bool:
    """Whether every stage in ``keys`` (stage -> settings key) is done with that key for the video."""
    run = find_run(db, fingerprint)
    if run is None:
        return False
    return all(stage_status(db, run, stage, key)[0] == "done" for stage, key in keys.items())
