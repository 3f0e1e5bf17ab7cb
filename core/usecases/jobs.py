"""What a queued job is and does: the settings it runs with, its key, and running it through the service.

A job is one kind of work on one file: ``evidence`` (the evidence pass and its embeddings), ``index`` (the
video-LLM memory), ``ads`` and ``summary`` (answers stored in the history and on the timeline). The job stores the
whole ``Settings`` it was queued with, so it runs the same way whoever picks it up, and a key over the fields its
kind depends on: queueing the same file with the same key again finds the existing job (a finished one is never
redone), queueing it with other settings (say, OCR turned on) makes a new job.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from core.errors import UsageError
from core.store.jobs import JOB_KINDS, Job
from core.usecases.settings import Settings

_EVIDENCE_FIELDS = ("speech", "speech_model", "ocr", "evidence_fps")
_MODEL_FIELDS = ("model_dir", "quant", "dtype", "fps", "max_frames", "ratio", "storage")
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "evidence": _EVIDENCE_FIELDS,
    "index": _MODEL_FIELDS,
    "ads": (*_EVIDENCE_FIELDS, "model_dir"),
    "summary": (*_EVIDENCE_FIELDS, "model_dir", "answer_tokens"),
}


def check_kinds(kinds: str | Sequence[str]) -> tuple[str, ...]:
    """Job kinds from a tuple or a comma-separated string, in run order, each once; a UsageError naming a bad one."""
    items = kinds.replace(" ", ",").split(",") if isinstance(kinds, str) else list(kinds)
    wanted = {k.strip() for k in items if k.strip()}
    bad = sorted(wanted - set(JOB_KINDS))
    if bad:
        raise UsageError(f"Job kind {bad[0]!r} is unknown; use {', '.join(JOB_KINDS)}.")
    if not wanted:
        raise UsageError(f"Give at least one job kind: {', '.join(JOB_KINDS)}.")
    return tuple(k for k in JOB_KINDS if k in wanted)


def job_settings_key(kind: str, settings: Settings) -> str:
    """A stable hash of the settings ``kind`` depends on."""
    values = {f: getattr(settings, f) for f in KEY_FIELDS[kind]}
    text = json.dumps({"kind": kind, **values}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def settings_json(settings: Settings) -> dict[str, Any]:
    return dataclasses.asdict(settings)


def settings_of(job: Job) -> Settings:
    """The Settings a job runs with (fields added to Settings later take their defaults); a one-line
    LongwatchError when they no longer validate (e.g. the model folder was deleted)."""
    known = {f.name for f in dataclasses.fields(Settings)}
    return Settings(**{k: v for k, v in job.settings.items() if k in known})


def check_kind_settings(kind: str, settings: Settings) -> None:
    if kind == "index" and not settings.has_model:
        raise UsageError("An index job needs a video-LLM; set a model folder (Settings, --model DIR or "
                         "$LONGWATCH_MODEL), or queue evidence, ads and summary jobs without one.")
