"""The whole library as use cases of ``Longwatch`` (mixed into the service): the job queue and questions across
every video. This is the API the app's Library panel uses.

Queue (rows of ``core.store.jobs``; every call is one transaction, safe from any thread or process):

- ``enqueue(paths, kinds=None, *, priority=0, source="app", requeue=False) -> list[Enqueued]``: files or folders
  (searched recursively for videos, partial downloads skipped); ``kinds`` from ``JOB_KINDS`` (default: evidence
  and ads, plus index when a video-LLM is configured). A file that cannot be read gets ``Enqueued.error``.
- ``jobs(states=None, video=None, limit=None) -> list[Job]`` in the order shown and run; ``job(id)``,
  ``job_history(id) -> list[JobEvent]``, ``queue_counts() -> {state: n}``.
- ``pause_job(id)``, ``resume_job(id)``, ``cancel_job(id)``, ``retry_job(id)``, ``move_job(id, index)``
  (index 0 = runs next), each returning the updated ``Job``; ``pause_queue()`` / ``resume_queue()`` /
  ``queue_paused()`` for the whole queue.

Running the queue and watching folders are objects of their own, exported by ``core.usecases``:
``Worker(service, concurrency=None, on_update=None)`` (``start()`` / ``stop()`` on a background thread, or
``run(until_empty=True)``) and ``WatchService.from_settings(service)`` (``start()`` / ``stop()``).

Across the library: ``search_library(text)`` (word hits, plus moments by meaning when the words are rare: the
app's search box), ``search_all(text, limit=20) -> list[LibraryHit]`` (full text over every video's transcript,
subtitles and on-screen text) and ``find_all(description, limit=10) -> list[LibraryMoment]`` (search by meaning);
each result names its video (fingerprint, name, path) and the moment, so the app opens the file there.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlite_utils

from core.errors import LongwatchError, UsageError
from core.results import Moment
from core.store import get_video_row
from core.store import jobs as job_store
from core.usecases.files import video_files
from core.usecases.jobs import check_kind_settings, check_kinds, job_settings_key, settings_json
from core.usecases.settings import Settings

BY_MEANING_BELOW = 3  # a library search adds moments found by meaning when the words give fewer hits
SOURCE_TAG = "LONGWATCH_SOURCE"  # container tag of a file Longwatch wrote chapters into: the source fingerprint

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from core.evidence import TextHit
    from core.semantic.library import LibraryVectors
    from core.usecases.videos import VideoRef


@dataclass(frozen=True)
class Enqueued:
    """What ``enqueue`` did with one file: its jobs (new or existing) or the one-line reason it could not."""

    path: str
    jobs: tuple[job_store.Job, ...] = ()
    queued: tuple[int, ...] = ()  # ids of the jobs queued (or queued again) by this call
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "jobs": [j.to_json() for j in self.jobs], "queued": list(self.queued),
                "error": self.error}


@dataclass(frozen=True)
class LibraryHit:
    """A full-text hit in one video of the library."""

    video: str  # fingerprint
    name: str
    path: str
    hit: TextHit

    def to_json(self) -> dict[str, Any]:
        return {"video": self.video, "name": self.name, "path": self.path, **self.hit.to_json()}


@dataclass(frozen=True)
class LibraryMoment:
    """A moment found by meaning in one video of the library."""

    video: str  # fingerprint
    name: str
    path: str
    moment: Moment

    def to_json(self) -> dict[str, Any]:
        return {"video": self.video, "name": self.name, "path": self.path, **self.moment.to_json()}


class LibraryUseCases:
    """Queue and library-wide questions; mixed into ``Longwatch`` (which provides ``db``, ``settings``, ``video``)."""

    settings: Settings
    db_path: str | Path | None
    _vectors: LibraryVectors | None = None
    _vectors_lock = threading.Lock()

    @property
    def db(self) -> sqlite_utils.Database:  # provided by Longwatch
        raise NotImplementedError

    def video(self, video: str | Path) -> VideoRef:  # provided by Longwatch
        raise NotImplementedError

    # ---- the queue -------------------------------------------------------------------------------------------
    def default_kinds(self) -> tuple[str, ...]:
        return ("evidence", "index", "ads") if self.settings.has_model else ("evidence", "ads")

    def enqueue(self, paths: Iterable[str | Path], kinds: Sequence[str] | str | None = None, *, priority: int = 0,
                source: str = "app", requeue: bool = False) -> list[Enqueued]:
        """Queue ``kinds`` for every video file in ``paths`` (files, or folders searched recursively)."""
        wanted = check_kinds(kinds) if kinds is not None else self.default_kinds()
        for kind in wanted:
            check_kind_settings(kind, self.settings)
        out = []
        for target in _expand(paths):
            try:
                out.append(self.enqueue_file(target, wanted, priority=priority, source=source, requeue=requeue))
            except LongwatchError as e:
                out.append(Enqueued(str(target), error=str(e)))
        return out

    def enqueue_file(self, path: str | Path, kinds: Sequence[str], *, priority: int = 0, source: str = "app",
                     requeue: bool = False) -> Enqueued:
        """Queue ``kinds`` for one file (probed and added to the library first); raises a one-line error."""
        ref = self.muxed_source(path) or self.video(path)
        jobs, queued = [], []
        for kind in kinds:
            job, new = job_store.enqueue(
                self.db, video=ref.fingerprint, path=ref.path, kind=kind, settings=settings_json(self.settings),
                settings_key=job_settings_key(kind, self.settings), priority=priority, source=source,
                max_attempts=self.settings.job_attempts, requeue=requeue)
            jobs.append(job)
            if new:
                queued.append(job.id)
        return Enqueued(ref.path, tuple(jobs), tuple(queued))

    def muxed_source(self, path: str | Path) -> VideoRef | None:
        """For a file Longwatch wrote chapters into (tag ``LONGWATCH_SOURCE``): the library video it was made
        from, now found at ``path`` (its analysis holds: the streams are the same). None for any other file."""
        from core.report.chapters_mux import CHAPTER_CONTAINERS, container_tag

        p = Path(path).expanduser()
        if p.suffix.lower() not in CHAPTER_CONTAINERS or not p.is_file():
            return None
        fp = container_tag(p, SOURCE_TAG)
        if not fp or get_video_row(self.db, fp) is None:
            return None
        where = str(p.resolve())
        with self.db.atomic():
            self.db.execute("UPDATE videos SET path = ?, name = ? WHERE fingerprint = ?", [where, p.name, fp])
        return self.video(fp)

    def jobs(self, states: Sequence[str] | None = None, video: str | Path | None = None,
             limit: int | None = None) -> list[job_store.Job]:
        fp = self.video(video).fingerprint if video is not None else None
        return job_store.list_jobs(self.db, states=states, video=fp, limit=limit)

    def job(self, job_id: int) -> job_store.Job:
        return job_store.get_job(self.db, job_id)

    def job_history(self, job_id: int) -> list[job_store.JobEvent]:
        job_store.get_job(self.db, job_id)
        return job_store.job_events(self.db, job_id)

    def queue_counts(self) -> dict[str, int]:
        return job_store.count_states(self.db)

    def pause_job(self, job_id: int) -> job_store.Job:
        return job_store.pause(self.db, job_id)

    def resume_job(self, job_id: int) -> job_store.Job:
        return job_store.resume(self.db, job_id)

    def cancel_job(self, job_id: int) -> job_store.Job:
        return job_store.cancel(self.db, job_id)

    def retry_job(self, job_id: int) -> job_store.Job:
        return job_store.retry(self.db, job_id)

    def move_job(self, job_id: int, index: int) -> job_store.Job:
        return job_store.move(self.db, job_id, index)

    def pause_queue(self) -> None:
        job_store.set_queue_paused(self.db, True)

    def resume_queue(self) -> None:
        job_store.set_queue_paused(self.db, False)

    def queue_paused(self) -> bool:
        return job_store.queue_paused(self.db)

    # ---- questions across the library ------------------------------------------------------------------------
    def search_all(self, text: str, *, limit: int = 20) -> list[LibraryHit]:
        """Full-text hits across every video with evidence, best first."""
        from core.semantic.search import search_library

        if not text.strip():
            raise UsageError("Nothing to search for; give one or more words.")
        return [LibraryHit(fp, *self._where(fp), hit) for fp, hit in search_library(self.db, text, limit=limit)]

    def search_library(self, text: str, *, limit: int = 30) -> tuple[list[LibraryHit], list[LibraryMoment]]:
        """What a library search box shows: the word hits (``search_all``) and, when they are fewer than
        ``BY_MEANING_BELOW``, the moments found by meaning that are not already among them ("a forecast of
        sunshine" finds "the weather is sunny today"); without embedded evidence or its text model, words only."""
        hits = self.search_all(text, limit=limit)
        if len(hits) >= BY_MEANING_BELOW:
            return hits, []
        try:
            moments = self.find_all(text, limit=10)
        except LongwatchError as e:
            log.info("search by meaning skipped: %s", e)
            return hits, []
        seen = {(h.video, round(h.hit.start_s)) for h in hits}
        return hits, [m for m in moments if (m.video, round(m.moment.start)) not in seen]

    def find_all(self, description: str, *, limit: int = 10) -> list[LibraryMoment]:
        """Moments matching ``description`` by meaning across every video with embedded evidence, best first."""
        from core.semantic.library import LibraryVectors, library_find

        if not description.strip():
            raise UsageError("The description is empty; describe the moment to find.")
        if limit < 1:
            raise UsageError(f"The limit {limit} must be at least 1.")
        with self._vectors_lock:
            if self._vectors is None:
                self._vectors = LibraryVectors()
        found = library_find(self.db, description, vectors=self._vectors, limit=limit)
        return [LibraryMoment(fp, *self._where(fp), m) for fp, m in found]

    def _where(self, fingerprint: str) -> tuple[str, str]:
        row = get_video_row(self.db, fingerprint)
        return (row["name"], row["path"]) if row is not None else (fingerprint, "")


def _expand(paths: Iterable[str | Path]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        p = Path(raw).expanduser()
        out.extend(video_files(p) if p.is_dir() else [p])
    return out
