"""``Longwatch``: the one use-case layer the command line and the app both call.

probe / index / evidence / ask / find / ads / summary / search / report / export / history, over one library
database. For every answer it picks the best source the video has (``core.usecases.sources``: the newest memory
with the model recorded by its run, else the evidence, running the evidence pass first when it is missing), keeps
the model and recent memories warm (``core.usecases.warm``), stores every answer (``core.store.answers``) and
every found segment for the timeline (``core.store.segments``), and returns frozen dataclasses.

Threads: the service may be used from several threads; each gets its own SQLite connection (``db``), opened on
first use and closed by ``close_thread`` on that thread. Long work runs on whichever thread calls it and reports
``Progress`` through the callback it is given; a ``CancelToken`` stops it between chunks.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlite_utils

from core.errors import LongwatchError, UsageError
from core.media.types import VideoInfo
from core.models_catalog import ModelEntry
from core.progress import CancelToken, Progress, ProgressCallback, no_progress
from core.results import Answer, Moment
from core.store import LibraryEntry, list_library, open_db
from core.store import answers as answer_store
from core.store import segments as segment_store
from core.usecases.grounds import NO_MODEL, Grounds, NoEvidence
from core.usecases.library import LibraryUseCases
from core.usecases.progress_state import IndexProgress, OverallMeter, read_progress
from core.usecases.settings import Settings
from core.usecases.sources import MemoryChoice, choose_memory
from core.usecases.videos import VideoRef, find_video, open_video
from core.usecases.warm import MemoryCache, ModelCache

if TYPE_CHECKING:
    from core.evidence import EvidenceOptions, EvidenceSummary, TextHit
    from core.index import IndexResult
    from core.model.download import DownloadPlan
    from core.query import AskOptions, FindOptions, SummaryOptions
    from core.report.collect import ReportOptions
    from core.report.data import ReportData
    from core.report.write import WrittenReport

TextCallback = Callable[[str], None]
SEGMENT_OF = {"ads": ("ad", "ads"), "find": ("event", "find"), "summary": ("chapter", "summary")}


@dataclass(frozen=True)
class IndexOutcome:
    """What ``index`` did: the evidence pass, and the video-LLM index when a model was configured."""

    video: VideoRef
    evidence: EvidenceSummary | None
    memory: IndexResult | None
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = self.memory.to_json() if self.memory is not None else {"video": self.video.fingerprint}
        out["evidence"] = self.evidence.to_json() if self.evidence is not None else None
        out["notes"] = list(self.notes)
        return out


@dataclass(frozen=True)
class ReportOutcome:
    """A written report, what it holds, and what was computed for it first ("summary", "ads")."""

    written: WrittenReport
    data: ReportData
    computed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Overlays:
    """What the timeline draws for one video besides the player position (times in seconds)."""

    cuts: tuple[float, ...] = ()
    speech: tuple[tuple[float, float], ...] = ()
    subtitles: tuple[tuple[float, float], ...] = ()
    segments: tuple[segment_store.Segment, ...] = ()


class Longwatch(LibraryUseCases):
    """The engine's use cases over the library database at ``db_path`` (None: the default one); the job queue
    and library-wide search come from ``LibraryUseCases`` (``core.usecases.library``)."""

    def __init__(self, settings: Settings | None = None, *, db_path: str | Path | None = None) -> None:
        self.settings = settings or Settings()
        self.db_path = db_path if db_path is not None else (self.settings.db_path or None)
        self.models = ModelCache()
        self.memories = MemoryCache(self.settings.memory_budget_bytes())
        self._local = threading.local()

    # ---- plumbing -------------------------------------------------------------------------------------------
    @property
    def db(self) -> sqlite_utils.Database:
        """This thread's connection to the library database (opened on first use)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = open_db(self.db_path)
        return db

    def close_thread(self) -> None:
        """Close this thread's connection (call it on each thread that used the service)."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.conn.close()
            self._local.db = None

    def for_job(self, settings: Settings) -> Longwatch:
        """A service over the same library with other settings (a queued job's), sharing the warm model and
        memories; close it on its thread with ``close_thread``."""
        other = Longwatch(settings, db_path=self.db_path)
        other.models, other.memories = self.models, self.memories
        return other

    def configure(self, settings: Settings) -> None:
        """New settings for the next call; a new database path takes effect as each thread reopens it."""
        if (settings.db_path or None) != (self.settings.db_path or None):
            self.db_path = settings.db_path or None
            self.close_thread()
        self.settings = settings
        self.memories.resize(settings.memory_budget_bytes())

    # ---- the library ----------------------------------------------------------------------------------------
    def open(self, path: str | Path) -> VideoInfo:
        """Probe a file and add it to the library (a bad file raises a one-line MediaError)."""
        return open_video(self.db, path)

    def video(self, video: str | Path) -> VideoRef:
        """The library's video for a file path or a fingerprint."""
        return find_video(self.db, video)

    def library(self) -> list[LibraryEntry]:
        return list_library(self.db)

    def info(self, video: str | Path) -> VideoInfo | None:
        """The probed facts of a library video whose file is where the library last saw it, else None."""
        ref = self.video(video)
        return open_video(self.db, ref.path) if ref.found else None

    def warm_up(self) -> None:
        """Import the model stack now (torch, transformers, the model and query code: seconds of imports that
        hold the GIL), so the first index or question does not pay for it."""
        import transformers.models.clip.modeling_clip
        import transformers.models.qwen2.modeling_qwen2  # noqa: F401  (transformers imports these lazily)

        _answering()

    # ---- models ---------------------------------------------------------------------------------------------
    def models_installed(self) -> list[ModelEntry]:
        """Every model slot (video-LLM, speech, OCR, embeddings, small text LLM): installed or not, size, what
        it adds, how to get a larger one."""
        from core.models_catalog import list_models

        return list_models(self.settings.model_dir or None)

    def memory_estimate(self, settings: Settings | None = None) -> str:
        """One line: memory the configured video-LLM needs and whether it fits (nothing is loaded)."""
        from core.model import estimate_memory

        chosen = settings or self.settings
        if not chosen.has_model:
            return "No video-LLM configured: indexing runs the evidence pass only."
        return estimate_memory(chosen.model_options()).message

    def download_model(self, repo_id: str, *, progress: ProgressCallback | None = None,
                       cancel: CancelToken | None = None) -> Path:
        """Download hub model ``repo_id`` (only the files the loader reads); returns the folder to use."""
        from core.model import download_model

        return download_model(repo_id, progress=progress, cancel=cancel)

    def download_plan(self, repo_id: str) -> DownloadPlan:
        """The files and bytes ``download_model(repo_id)`` would fetch (asks the hub; nothing is downloaded)."""
        from core.model.download import download_plan

        return download_plan(repo_id)

    def database_location(self) -> tuple[Path, str]:
        """Where the library database is and why: (path, "settings" | "$LONGWATCH_DB" | "default")."""
        if self.db_path is not None and str(self.db_path) != ":memory:":
            return Path(self.db_path).expanduser(), "settings"
        return default_database()

    # ---- long work ------------------------------------------------------------------------------------------
    def evidence(self, video: str | Path, *, options: EvidenceOptions | None = None,
                 progress: ProgressCallback | None = None, cancel: CancelToken | None = None) -> EvidenceSummary:
        """Run or resume the evidence pass (shots, black frames, audio, speech, OCR, subtitles) and embed its
        lines for search by meaning; returns at once when everything is there."""
        from core.evidence import run_evidence
        from core.semantic import embed_evidence

        ref = self.video(video)
        if not ref.found:
            raise UsageError(f"The file of {ref.name} is not at {ref.path}; give its current path.")
        report = progress or no_progress
        summary = run_evidence(self.db, ref.path, options or self.settings.evidence_options(), progress=report,
                               cancel=cancel)
        embed_evidence(self.db, ref.fingerprint, None, report, cancel)
        return summary

    def index(self, video: str | Path, *, model: str | None = None, frames: int | None = None,
              fps: float | None = None, evidence: bool = True, fresh: bool = False,
              progress: ProgressCallback | None = None, cancel: CancelToken | None = None) -> IndexOutcome:
        """The evidence pass, then the video-LLM index when a model is configured (``model`` overrides the
        settings); each resumes where it stopped and returns at once when done. ``fresh``: compute both again
        from scratch (the evidence and the memory of these settings are replaced). Every progress event carries
        the overall fraction done as ``detail["overall"]`` (``core.usecases.progress_state``)."""
        from core.index import index_video

        ref = self.video(video)
        chosen = model or self.settings.model_dir
        if fresh and evidence:
            from core.evidence.store import restart_stages

            opts = self.settings.evidence_options()
            restart_stages(self.db, ref.fingerprint, {s: opts.stage_key(s) for s in opts.enabled()})
        report = OverallMeter(self._progress_of(ref.fingerprint, bool(chosen.strip())), progress or no_progress)
        ev = self.evidence(ref.fingerprint, progress=report, cancel=cancel) if evidence else None
        if not chosen.strip():
            return IndexOutcome(ref, ev, None, (NO_MODEL,))
        options = self.settings.model_options(chosen)
        result = index_video(self.db, ref.path, self.settings.index_options(frames=frames, fps=fps), model=options,
                             progress=report, cancel=cancel, loader=self.models.get, fresh=fresh)
        report(Progress("done", 1, 1, message="Indexed"))
        return IndexOutcome(ref, ev, result)

    def index_progress(self, videos: Sequence[str] | None = None) -> list[IndexProgress]:
        """How far indexing got for each library video (or those fingerprints), with the current settings:
        the newest run's state, each pass's fraction done, and whether indexing can resume."""
        fps = list(videos) if videos is not None else [e.fingerprint for e in self.library()]
        return [self._progress_of(fp, self.settings.has_model) for fp in fps]

    def _progress_of(self, fingerprint: str, has_model: bool) -> IndexProgress:
        return read_progress(self.db, fingerprint, self.settings.evidence_options(), has_model)

    # ---- answers --------------------------------------------------------------------------------------------
    def ask(self, video: str | Path, question: str, *, model: str | None = None,
            options: AskOptions | None = None, on_text: TextCallback | None = None,
            progress: ProgressCallback | None = None, cancel: CancelToken | None = None) -> Answer:
        from core.query import AskOptions

        if not question.strip():
            raise UsageError("The question is empty; ask something about the video.")
        g = self.grounds(video, model=model, progress=progress, cancel=cancel)
        opts = options or AskOptions(max_new_tokens=self.settings.answer_tokens)
        return self._keep(g, _answering().ask(self.db, g, question, options=opts, on_text=on_text, cancel=cancel))

    def find(self, video: str | Path, description: str, *, model: str | None = None,
             options: FindOptions | None = None, progress: ProgressCallback | None = None,
             cancel: CancelToken | None = None) -> Answer:
        from core.query import FindOptions

        if not description.strip():
            raise UsageError("The description is empty; describe the event to find.")
        g = self.grounds(video, model=model, progress=progress, cancel=cancel)
        answer = _answering().find(self.db, g, description, options=options or FindOptions(),
                                   vision=self.settings.vision_options(), progress=progress, cancel=cancel)
        return self._keep(g, answer)

    def ads(self, video: str | Path, *, model: str | None = None, min_score: float = 0.5,
            progress: ProgressCallback | None = None, cancel: CancelToken | None = None) -> Answer:
        if not 0.0 <= min_score <= 1.0:
            raise UsageError(f"The lowest confidence {min_score} is outside 0..1; use e.g. 0.5.")
        g = self.grounds(video, model=model, need_evidence=True, progress=progress, cancel=cancel)
        return self._keep(g, _answering().ads(self.db, g, min_score=min_score))

    def summary(self, video: str | Path, *, model: str | None = None, options: SummaryOptions | None = None,
                progress: ProgressCallback | None = None, cancel: CancelToken | None = None) -> Answer:
        from core.query import SummaryOptions

        g = self.grounds(video, model=model, progress=progress, cancel=cancel)
        answer = _answering().summary(self.db, g, options=options or SummaryOptions(), progress=progress,
                                   cancel=cancel)
        return self._keep(g, answer)

    def search(self, video: str | Path, text: str, *, limit: int = 20, progress: ProgressCallback | None = None,
               cancel: CancelToken | None = None) -> list[TextHit]:
        """Full-text hits in the transcript, subtitles and on-screen text (the evidence pass runs first)."""
        from core.semantic import search_text

        if limit < 1:
            raise UsageError(f"The limit {limit} must be at least 1.")
        if not text.strip():
            raise UsageError("Nothing to search for; give one or more words.")
        g = self.grounds(video, need_evidence=True, use_memory=False, progress=progress, cancel=cancel)
        return search_text(self.db, g.video.fingerprint, text, limit=limit)

    def grounds(self, video: str | Path, *, model: str | None = None, need_evidence: bool = False,
                use_memory: bool = True, progress: ProgressCallback | None = None,
                cancel: CancelToken | None = None) -> Grounds:
        """What an answer about ``video`` can use: the chosen memory (model and memory loaded, warm when they
        were used before) and the evidence, running the evidence pass first when the video has no memory (or
        ``need_evidence``) and the evidence is missing."""
        from core.evidence import evidence_state

        ref = self.video(video)
        report = progress or no_progress
        choice = self._choose(ref, model) if use_memory else None
        notes: list[str] = []
        if model and choice is None:
            notes.append(f"{ref.name} is not indexed with the model {model}; index it with that model "
                         "(longwatch-cli index VIDEO --model DIR) for answers from what is seen.")
        evidence = evidence_state(self.db, ref.fingerprint) == "done"
        if not evidence and ref.found and (choice is None or need_evidence):
            self.evidence(ref.fingerprint, progress=report, cancel=cancel)
            evidence = True
        elif evidence:
            from core.semantic import embed_evidence

            embed_evidence(self.db, ref.fingerprint, None, report, cancel)  # at once unless lines are new
        if choice is None:
            return Grounds(ref, evidence, notes=tuple(notes))
        loaded_model = self.models.get(choice.options, report)
        if loaded_model.identity != choice.run.settings.get("model"):
            raise LongwatchError(f"The model in {choice.options.model} is not the one that indexed {ref.name} "
                                 "(its files changed); index the video again with it, or point --model to the "
                                 "folder the video was indexed with.")
        from core.query import memory_of

        memory = memory_of(self.db, choice.run, loaded_model, self.memories.windows(self.db, choice.run))
        return Grounds(ref, evidence, loaded_model, memory, tuple(notes))

    def _choose(self, ref: VideoRef, model: str | None) -> MemoryChoice | None:
        requested = self.settings.model_options(model) if model else None
        configured = self.settings.model_options() if self.settings.has_model else None
        return choose_memory(self.db, ref.fingerprint, requested=requested, configured=configured,
                             device=self.settings.device)

    def _keep(self, g: Grounds, answer: Answer) -> Answer:
        """Store the answer in the history and its moments as the timeline's detected segments."""
        fp = g.video.fingerprint
        if answer.kind in SEGMENT_OF:
            kind, source = SEGMENT_OF[answer.kind]
            moments = answer.moments
            if answer.kind == "find":  # on the timeline a found moment is labelled with what was looked for
                moments = tuple(Moment(m.start, m.end, m.score, answer.question[:40], m.why) for m in moments)
            segment_store.replace_detected(self.db, fp, kind, moments, source)
        answer_store.record_answer(self.db, fp, answer)
        return answer

    # ---- history, timeline, exports -------------------------------------------------------------------------
    def history(self, video: str | Path, *, kind: str | None = None, limit: int = 100) -> list[
            answer_store.AnswerRecord]:
        """Stored answers, newest first (records that cannot be read are skipped with a log line)."""
        return answer_store.list_answers(self.db, self.video(video).fingerprint, kind=kind, limit=limit)

    def overlays(self, video: str | Path) -> Overlays:
        """Shot cuts, speech and subtitle spans, and the stored segments of a video (empty before evidence)."""
        from core.evidence import read_cuts, read_subtitles, read_transcript

        fp = self.video(video).fingerprint
        try:
            cuts = tuple(read_cuts(self.db, fp))
            speech = tuple((s.start_s, s.end_s) for s in read_transcript(self.db, fp, words=False))
            subs = tuple((s.start_s, s.end_s) for s in read_subtitles(self.db, fp))
        except LongwatchError:  # no evidence pass yet
            cuts, speech, subs = (), (), ()
        return Overlays(cuts, speech, subs, tuple(segment_store.list_segments(self.db, fp)))

    def segments(self, video: str | Path, *, kind: str | None = None) -> list[segment_store.Segment]:
        return segment_store.list_segments(self.db, self.video(video).fingerprint, kind=kind)

    def add_segment(self, video: str | Path, kind: str, label: str, start_s: float, end_s: float, *,
                    segment_id: int | None = None, score: float = 1.0,
                    source: str = "user") -> segment_store.Segment:
        return segment_store.add_segment(self.db, self.video(video).fingerprint, kind, label, start_s, end_s,
                                         segment_id=segment_id, score=score, source=source)

    def update_segment(self, segment_id: int, **changes: Any) -> segment_store.Segment:
        return segment_store.update_segment(self.db, segment_id, **changes)

    def delete_segment(self, segment_id: int) -> segment_store.Segment:
        return segment_store.delete_segment(self.db, segment_id)

    def export_segments(self, video: str | Path, fmt: str, *, kind: str | None = None) -> str:
        """The video's segments (all, or of ``kind``) in a segment format: edl, ffmetadata, csv, srt, json."""
        from core.report.segments import format_segments

        ref = self.video(video)
        moments = [s.to_moment() for s in self.segments(ref.fingerprint, kind=kind)]
        return format_segments(moments, fmt, duration_s=ref.duration_s, title=ref.name)

    def report(self, video: str | Path, out: str | Path, *, fmt: str | None = None, existing_only: bool = False,
               options: ReportOptions | None = None, progress: ProgressCallback | None = None,
               cancel: CancelToken | None = None) -> ReportOutcome:
        """Write the video's report. Unless ``existing_only``, what is missing first is computed: the summary
        and chapters and the ads (from the memory when the video has one, else from the evidence)."""
        from core.report.collect import collect_report
        from core.report.write import default_report_name, report_format, write_report

        ref = self.video(video)
        target = Path(out).expanduser()
        if not target.is_dir():
            report_format(target, fmt)  # a bad name fails now, before minutes of work
        made: list[str] = []
        if not existing_only:
            made = self._complete_for_report(ref, progress, cancel)
        data = collect_report(self.db, ref.fingerprint, path=ref.path if ref.found else None, options=options)
        if target.is_dir():
            target = target / default_report_name(data, fmt or "html")
        return ReportOutcome(write_report(data, target, fmt=fmt), data, tuple(made))

    def _complete_for_report(self, ref: VideoRef, progress: ProgressCallback | None,
                             cancel: CancelToken | None) -> list[str]:
        """Compute the summary and the ads when none is stored; returns what was made."""
        made = []
        for kind, make in (("summary", self.summary), ("ads", self.ads)):
            if answer_store.newest_answer(self.db, ref.fingerprint, kind) is not None:
                continue
            try:
                make(ref.fingerprint, progress=progress, cancel=cancel)
                made.append(kind)
            except NoEvidence:
                break  # nothing to make them from: the report says what is missing
        return made

    def thumbnails(self, path: str, times_s: Sequence[float], width: int = 160) -> list[bytes]:
        """One JPEG per time (a frame of the file at ``path``)."""
        from core.media import thumbnails

        return list(thumbnails(path, list(times_s), width=width, fmt="jpeg"))



def default_database() -> tuple[Path, str]:
    """The database used when no path is set, and why: (path, "$LONGWATCH_DB" | "default")."""
    from core.store.db import ENV_DB, default_db_path

    return default_db_path(), f"${ENV_DB}" if os.environ.get(ENV_DB) else "default"


def _answering() -> Any:
    """``core.usecases.answering``, imported on first use (it brings torch and the model code)."""
    from core.usecases import answering

    return answering
