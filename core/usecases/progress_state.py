"""How far each video's indexing got, read from the database, and the same number live while indexing runs.

Indexing a video is up to three passes over the film: the video decode (shots, black frames, on-screen text),
the audio decode (levels, silences, speech) and, when a video-LLM is configured, the memory encode. Each pass
records what it committed (``evidence_stages.done_s``, ``index_runs.windows_done``), so an interrupted index can
say how much is done. The overall fraction is the mean of the passes' fractions:

>>> IndexProgress("fp", "cancelled", (("video", 1.0), ("audio", 0.3))).fraction
0.65

``OverallMeter`` adds that overall fraction, updated by each live ``Progress`` event, to the events as
``detail["overall"]``, so a progress bar does not drop back to 0 when the next pass starts or a run resumes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import sqlite_utils

from core.progress import Progress, ProgressCallback

if TYPE_CHECKING:
    from core.evidence import EvidenceOptions

RESUMABLE = ("running", "cancelled", "failed", "pending")  # a run in any of these states can go on
PASS_OF_STAGE = {"frames": "video", "ocr": "video", "audio": "audio", "speech": "audio", "encode": "memory"}


@dataclass(frozen=True)
class IndexProgress:
    """The stored index state of one video: ``state`` is the newest run's (the memory's when a video-LLM is
    configured, else the evidence pass's; None = never indexed); ``passes`` each pass's fraction done."""

    fingerprint: str
    state: str | None
    passes: tuple[tuple[str, float], ...]

    def __post_init__(self) -> None:
        for name, f in self.passes:
            if not 0.0 <= f <= 1.0:
                raise ValueError(f"pass {name} fraction {f} is outside 0..1")

    @property
    def fraction(self) -> float:
        """Overall fraction done, 0..1 (the mean of the passes)."""
        if self.state == "done":
            return 1.0
        return sum(f for _, f in self.passes) / len(self.passes) if self.passes else 0.0

    @property
    def resumable(self) -> bool:
        """Started but not finished: indexing again goes on where it stopped."""
        return self.state in RESUMABLE and self.fraction < 1.0


def read_progress(db: sqlite_utils.Database, fingerprint: str, evidence: EvidenceOptions,
                  has_model: bool) -> IndexProgress:
    """The stored progress of one video for these evidence options (a stage with other settings counts 0)."""
    from core.evidence.options import AUDIO_STAGES, FRAME_STAGES
    from core.evidence.store import find_run, stage_status

    row = next(iter(db.query("SELECT duration_s FROM videos WHERE fingerprint = ?", [fingerprint])), None)
    duration = float(row["duration_s"]) if row else 0.0
    run = find_run(db, fingerprint)
    enabled = evidence.enabled()
    passes: list[tuple[str, float]] = []
    for name, stages in (("video", FRAME_STAGES), ("audio", AUDIO_STAGES)):
        wanted = [s for s in stages if s in enabled]
        if not wanted:
            continue
        fractions = []
        for stage in wanted:
            state, done_s = stage_status(db, run, stage, evidence.stage_key(stage)) if run else (None, 0.0)
            fractions.append(1.0 if state == "done" else min(1.0, done_s / duration) if duration > 0 else 0.0)
        passes.append((name, min(fractions)))
    memory = _newest(db, fingerprint, "memory")
    if has_model:
        total = int(memory["windows_total"] or 0) if memory else 0
        done = 1.0 if memory and memory["state"] == "done" else (
            min(1.0, int(memory["windows_done"]) / total) if memory and total else 0.0)
        passes.append(("memory", done))
    newest = memory if has_model else _newest(db, fingerprint, "evidence")
    return IndexProgress(fingerprint, newest["state"] if newest else None, tuple(passes))


def _newest(db: sqlite_utils.Database, fingerprint: str, kind: str) -> dict[str, Any] | None:
    return next(iter(db.query(
        "SELECT state, windows_done, windows_total FROM index_runs WHERE video = ? AND kind = ? "
        "ORDER BY updated_at DESC, id DESC LIMIT 1", [fingerprint, kind])), None)


class OverallMeter:
    """Wraps a progress callback: every event leaves with ``("overall", fraction)`` added to its detail.

    Starts from the stored ``IndexProgress``; a pass's live fraction is taken from its events (the video and
    audio passes count absolute media seconds, the memory encode counts the frames left when it started).
    """

    def __init__(self, start: IndexProgress, report: ProgressCallback) -> None:
        self.passes = dict(start.passes)
        self._start = dict(start.passes)
        self._report = report

    @property
    def fraction(self) -> float:
        return sum(self.passes.values()) / len(self.passes) if self.passes else 0.0

    def __call__(self, p: Progress) -> None:
        name = PASS_OF_STAGE.get(p.stage)
        if name in self.passes and p.fraction is not None:
            if name == "memory":  # counted from where the resumed encode started
                s0 = self._start[name]
                live = s0 + (1.0 - s0) * p.fraction
            else:
                live = p.fraction
            self.passes[name] = max(self.passes[name], min(1.0, live))
        if p.stage == "done":
            self.passes = dict.fromkeys(self.passes, 1.0)
        self._report(replace(p, detail=(*p.detail, ("overall", self.fraction))))
