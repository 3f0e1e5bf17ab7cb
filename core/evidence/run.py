"""``run_evidence``: the resumable, incremental evidence pass over one video.

Stages (``options.STAGES``): frames (statistics, shots, black frames), ocr, vision (image-text embeddings of
frames, core.vision), objects (COCO object detections on the same frames, core.vision), audio (loudness,
silences), speech, subtitles. A stage whose settings key matches a finished stage is skipped; a stage left running resumes at its
``done_s``; a stage whose options changed starts again alone. A second call with the same options therefore
returns at once, and turning OCR on later decodes frames again for OCR only.
"""

from __future__ import annotations

import time
from pathlib import Path

import sqlite_utils

from core.errors import Cancelled
from core.evidence import store
from core.evidence.options import AUDIO_STAGES, FRAME_STAGES, EvidenceOptions
from core.evidence.passes import audio_pass, frame_pass
from core.evidence.types import EvidenceSummary, TextLine
from core.media.types import VideoInfo
from core.progress import CancelToken, Progress, ProgressCallback, no_progress


def run_evidence(db: sqlite_utils.Database, path: str | Path, options: EvidenceOptions | None = None, *,
                 progress: ProgressCallback | None = None, cancel: CancelToken | None = None,
                 info: VideoInfo | None = None) -> EvidenceSummary:
    """Compute (or resume) the evidence of ``path`` into ``db``; returns what was run and what is stored."""
    from core.media import probe
    from core.store import upsert_video

    began = time.monotonic()
    options = options or EvidenceOptions()
    report = progress or no_progress
    path = Path(path)
    info = info or probe(path)
    upsert_video(db, info)
    with db.atomic():
        run_id = store.ensure_run(db, info.fingerprint, options.to_json())
    todo = _plan(db, run_id, options)
    if todo:
        _run_stages(db, run_id, path, info, options, todo, report, cancel)
    with db.atomic():
        all_done = set(options.enabled()) <= set(store.done_stages(db, run_id))
        store.set_run_state(db, run_id, "done" if all_done else "pending")
    return EvidenceSummary(info.fingerprint, info.duration_s, tuple(todo), store.done_stages(db, run_id),
                           store.count_rows(db, run_id), time.monotonic() - began)


def _plan(db: sqlite_utils.Database, run_id: int, options: EvidenceOptions) -> dict[str, float]:
    """Stage -> done_s for every enabled stage with work left; stages with other settings are reset."""
    todo: dict[str, float] = {}
    with db.atomic():
        for stage in options.enabled():
            key = options.stage_key(stage)
            state, done_s = store.stage_status(db, run_id, stage, key)
            if state == "done":
                continue
            if state is None:
                store.start_stage(db, run_id, stage, key)
            todo[stage] = done_s
    return todo


def _run_stages(db: sqlite_utils.Database, run_id: int, path: Path, info: VideoInfo, options: EvidenceOptions,
                todo: dict[str, float], report: ProgressCallback, cancel: CancelToken | None) -> None:
    with db.atomic():
        store.set_run_state(db, run_id, "running")
    try:
        if "subtitles" in todo:
            _subtitles_stage(db, run_id, path, info)
            report(Progress("subtitles", 1, 1, "files"))
        # Audio first: the frame pass then checks every frame around near-digital silences for black.
        audio = {s: todo[s] for s in AUDIO_STAGES if s in todo}
        if audio:
            audio_pass(db, run_id, path, info, options, audio, report, cancel)
        frames = {s: todo[s] for s in FRAME_STAGES if s in todo}
        if frames:
            frame_pass(db, run_id, path, info, options, frames, report, cancel)
    except (Cancelled, KeyboardInterrupt):
        with db.atomic():
            store.set_run_state(db, run_id, "cancelled")
        raise
    except Exception as e:
        with db.atomic():
            store.set_run_state(db, run_id, "failed", " ".join(str(e).split())[:500])
        raise


def _subtitles_stage(db: sqlite_utils.Database, run_id: int, path: Path, info: VideoInfo) -> None:
    from core.media import read_subtitles

    lines = [TextLine(s.start_s, s.end_s, s.text, s.source) for s in read_subtitles(path, info) if s.text.strip()]
    with db.atomic():
        db.execute("DELETE FROM ev_subtitles WHERE run_id = ?", [run_id])
        store.write_text_lines(db, run_id, lines)
        store.mark_stage(db, run_id, "subtitles", info.duration_s, "done")
