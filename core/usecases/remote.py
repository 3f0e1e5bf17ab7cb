"""What a Ray worker runs: functions of (file, settings) that yield the rows the local path writes, and never open
the library database (``core.usecases.cluster`` is the driver that writes them).

- ``index_rows``: a ``MemoryHeader`` (the probed file and the run's plan), then one ``EncodedWindow`` per window,
  the very blob and header ``core.index`` commits locally (``encode_windows``).
- ``evidence_rows``: the evidence pass and its embeddings run into a private temporary SQLite file with the same
  code as locally; its rows come back as one ``EvidenceBundle`` (``core.evidence.transfer``), after exactly
  ``EVIDENCE_STEPS - 1`` progress fractions.

Both are generators whose sequence of items is the same on every attempt (no timing in it): Ray replays a
retried generator task and hands the caller only the items it has not seen yet, by position.
"""

from __future__ import annotations

import os
import socket
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from core.evidence.transfer import EvidenceRows
from core.index.codec import EncodedWindow
from core.index.pipeline import RunPlan
from core.media.types import VideoInfo
from core.progress import Progress
from core.semantic.store import LineRow
from core.usecases.settings import Settings
from core.usecases.warm import ModelCache

EVIDENCE_STEPS = 10  # an evidence task yields the fractions 0.1 .. 0.9, then its bundle
_MODELS = ModelCache()  # a Ray worker process runs many tasks: the model stays loaded between them


@dataclass(frozen=True)
class MemoryHeader:
    """The first item of an index task."""

    info: VideoInfo
    plan: RunPlan
    node: str = field(default_factory=socket.gethostname)
    pid: int = field(default_factory=os.getpid)


@dataclass(frozen=True)
class EvidenceBundle:
    """The last item of an evidence task: everything the pass stored, as rows."""

    info: VideoInfo
    evidence: EvidenceRows
    lines: tuple[LineRow, ...]
    stages_run: tuple[str, ...]
    node: str = field(default_factory=socket.gethostname)
    pid: int = field(default_factory=os.getpid)


def _settings(fields: dict[str, Any]) -> Settings:
    import dataclasses

    known = {f.name for f in dataclasses.fields(Settings)}
    return Settings(**{k: v for k, v in fields.items() if k in known})


def _threads(n: int) -> None:
    import torch

    torch.set_num_threads(max(1, n))


def index_rows(path: str, settings: dict[str, Any], previous: list[tuple[str, bytes]],
               threads: int) -> Iterator[MemoryHeader | EncodedWindow]:
    """The header, then the windows after ``previous`` (the stored ``(meta_json, blob)`` of the run so far)."""
    from core.index.codec import decode_window
    from core.index.pipeline import encode_windows, plan_run
    from core.media import probe

    _threads(threads)
    chosen = _settings(settings)
    info = probe(path)
    model = _MODELS.get(chosen.model_options())
    options = chosen.index_options()
    yield MemoryHeader(info, plan_run(info, options, model))
    stored = [decode_window(blob, meta) for meta, blob in previous]
    for _window, enc in encode_windows(info, options, model, stored):
        yield enc


def evidence_rows(path: str, settings: dict[str, Any], threads: int) -> Iterator[float | EvidenceBundle]:
    """Progress fractions 0.1 .. 0.9 (always all of them), then the ``EvidenceBundle``."""
    _threads(threads)
    state = _EvidenceRun(path, _settings(settings))
    state.thread.start()
    for step in range(1, EVIDENCE_STEPS):
        state.wait_for(step / EVIDENCE_STEPS)
        yield step / EVIDENCE_STEPS
    state.thread.join()
    if state.error is not None:
        raise state.error
    assert state.bundle is not None
    yield state.bundle


class _EvidenceRun:
    """The evidence pass on a thread of the task, reporting how far it is (audio pass, then frame pass)."""

    WEIGHTS: ClassVar[dict[str, tuple[float, float]]] = {"audio": (0.0, 0.45), "speech": (0.0, 0.45), "frames": (0.45, 0.5), "ocr": (0.45, 0.5),
               "embed": (0.95, 0.05)}

    def __init__(self, path: str, settings: Settings) -> None:
        self.path, self.settings = path, settings
        self.fraction = 0.0
        self.error: BaseException | None = None
        self.bundle: EvidenceBundle | None = None
        self._cond = threading.Condition()
        self.thread = threading.Thread(target=self._run, name="longwatch-evidence", daemon=True)

    def wait_for(self, fraction: float) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self.fraction >= fraction or not self.thread.is_alive(), timeout=None)

    def _progress(self, p: Progress) -> None:
        base, span = self.WEIGHTS.get(p.stage, (None, 0.0))
        if base is None or p.fraction is None:
            return
        with self._cond:
            self.fraction = max(self.fraction, base + span * p.fraction)
            self._cond.notify_all()

    def _run(self) -> None:
        from core.evidence import run_evidence
        from core.evidence.transfer import export_evidence
        from core.semantic import embed_evidence
        from core.semantic.store import export_lines
        from core.store import open_db

        try:
            with tempfile.TemporaryDirectory(prefix="longwatch-evidence-") as tmp:
                db = open_db(Path(tmp) / "evidence.db")
                try:
                    summary = run_evidence(db, self.path, self.settings.evidence_options(), progress=self._progress)
                    embed_evidence(db, summary.fingerprint, None, self._progress)
                    from core.media import probe

                    self.bundle = EvidenceBundle(probe(self.path), export_evidence(db, summary.fingerprint),
                                                 export_lines(db, summary.fingerprint), summary.stages_run)
                finally:
                    db.conn.close()
        except BaseException as e:  # handed to the generator, which raises it in the task
            self.error = e
        finally:
            with self._cond:
                self.fraction = 1.0
                self._cond.notify_all()
