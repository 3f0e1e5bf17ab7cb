"""DVR post-processing (``longwatch-cli postprocess FILE``): a drop-in for a Comskip post-processing script.

Plex, Jellyfin, Channels DVR, MythTV or cTiVo call it with the finished recording. It queues the file's jobs
(evidence pass and ads, at the top of the queue), runs them here — or waits for them when a background worker
already runs them — and writes, next to the file:

- ``NAME.edl`` (the recording's extension replaced, as Comskip names it): one ``start end 3`` line per advert
  break (Kodi, MPlayer, mpv skip or mark them; an empty file when there is none, so "processed" is visible);
- with ``chapters="ffmetadata"``, ``NAME.ffmetadata``: Show / Commercial chapters for ``ffmpeg -i NAME.ts -i
  NAME.ffmetadata -map_metadata 1 -codec copy ...``;
- with ``chapters="mkv"``, ``NAME.chapters.mkv``: a copy with those chapters, no re-encoding;
- with ``into_original``: the chapters muxed into the recording itself (MKV/MP4 only; replaced atomically, and
  tagged ``LONGWATCH_SOURCE`` so a later run knows it and changes nothing).

The marks come from the library's ad segments (``Longwatch.export_segments``), so a break corrected by hand in
the app is written as corrected. Safe to run twice: finished jobs are not redone and an output whose content is
unchanged is not rewritten. The original is never touched unless ``into_original`` is asked for.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import LongwatchError, UsageError
from core.results import Moment
from core.usecases.jobs import check_kinds
from core.usecases.library import SOURCE_TAG
from core.usecases.worker import UpdateCallback, Worker

if TYPE_CHECKING:
    from core.usecases.service import Longwatch

CHAPTER_OUTPUTS = ("none", "ffmetadata", "mkv")
POSTPROCESS_PRIORITY = 100  # above what watch folders and `queue add` queue


@dataclass(frozen=True)
class PostprocessOptions:
    kinds: tuple[str, ...] = ("evidence", "ads")
    edl: bool = True
    chapters: str = "none"  # none, ffmetadata (NAME.ffmetadata) or mkv (NAME.chapters.mkv)
    into_original: bool = False  # mux the chapters into the recording itself
    wait_s: float = 12 * 3600.0  # longest wait for a job another worker is running

    def __post_init__(self) -> None:
        object.__setattr__(self, "kinds", check_kinds(self.kinds))
        if "ads" not in self.kinds:
            raise UsageError("Post-processing writes the ad breaks, so its jobs must include ads.")
        if self.chapters not in CHAPTER_OUTPUTS:
            raise UsageError(f"Chapters output {self.chapters!r} is unknown; use one of {', '.join(CHAPTER_OUTPUTS)}.")
        if self.wait_s <= 0:
            raise UsageError(f"The wait {self.wait_s:g} s must be positive.")


@dataclass(frozen=True)
class PostprocessOutcome:
    path: str
    video: str  # fingerprint
    breaks: tuple[Moment, ...]
    written: tuple[str, ...]  # files written (unchanged ones are not listed)
    unchanged: tuple[str, ...]
    ran_here: tuple[str, ...]  # job kinds this call ran (the rest were done already or done elsewhere)

    @property
    def ads_s(self) -> float:
        return sum(m.duration for m in self.breaks)

    def line(self) -> str:
        """The one line a DVR log shows."""
        name = Path(self.path).name
        outputs = [Path(p).name for p in (*self.written, *self.unchanged)]
        done = f"ran {', '.join(self.ran_here)}" if self.ran_here else "nothing to redo"
        return (f"{name}: {len(self.breaks)} ad break(s), {self.ads_s:.0f} s of adverts; {done}; "
                f"{', '.join(outputs) or 'no file written'}")

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "video": self.video, "breaks": [m.to_json() for m in self.breaks],
                "written": list(self.written), "unchanged": list(self.unchanged), "ran_here": list(self.ran_here)}


def postprocess(service: Longwatch, path: str | Path, options: PostprocessOptions | None = None, *,
                on_update: UpdateCallback | None = None) -> PostprocessOutcome:
    """Analyse one finished recording as needed and write its marks next to it (see the module docstring)."""
    options = options or PostprocessOptions()
    p = Path(path).expanduser()
    if not p.is_file():
        raise LongwatchError(f"{p} is not a file; give the finished recording's path.")
    p = p.resolve()
    source = _processed_in_place(service, p)
    ran: tuple[str, ...] = ()
    if source is not None:
        fp = source
    else:
        queued = service.enqueue_file(p, options.kinds, priority=POSTPROCESS_PRIORITY, source="postprocess",
                                      requeue=True)
        fp = queued.jobs[0].video
        worker = Worker(service, concurrency=1, on_update=on_update)
        ended = worker.run_jobs([j.id for j in queued.jobs], wait_s=options.wait_s)
        for job in ended:
            if job.state != "done":
                why = job.error or ("cancelled" if job.state == "cancelled" else job.state)
                raise LongwatchError(f"{job.kind} of {p.name} {job.state}: {why}")
        ran = tuple(j.kind for j in ended if j.id in worker.stats.jobs)
    return write_marks(service, p, fp, options, ran)


def _processed_in_place(service: Longwatch, path: Path) -> str | None:
    ref = service.muxed_source(path)
    return ref.fingerprint if ref is not None else None


def write_marks(service: Longwatch, path: str | Path, fp: str, options: PostprocessOptions,
                ran: tuple[str, ...] = ()) -> PostprocessOutcome:
    """Write the files ``options`` ask for next to ``path`` from the stored ad segments of video ``fp``."""
    from core.report.segments import format_segments

    path = Path(path)
    ref = service.video(fp)
    breaks = tuple(sorted((s.to_moment() for s in service.segments(fp, kind="ad")), key=lambda m: m.start))
    written: list[str] = []
    unchanged: list[str] = []
    outputs: list[tuple[Path, str]] = []
    if options.edl:
        outputs.append((path.with_suffix(".edl"), format_segments(list(breaks), "edl")))
    if options.chapters == "ffmetadata":
        text = format_segments(list(breaks), "ffmetadata", duration_s=ref.duration_s, title=ref.name)
        outputs.append((path.with_suffix(".ffmetadata"), text))
    for target, text in outputs:
        (written if _write_if_changed(target, text) else unchanged).append(str(target))
    chapters = _chapters(breaks, ref.duration_s)
    if options.chapters == "mkv":
        target = path.with_name(path.stem + ".chapters.mkv")
        _mux_copy(path, target, chapters, fp)
        written.append(str(target))
    if options.into_original and _processed_in_place(service, path) is None:
        _mux_into(path, chapters, fp)
        written.append(str(path))
    return PostprocessOutcome(str(path), fp, breaks, tuple(written), tuple(unchanged), ran)


def _chapters(breaks: tuple[Moment, ...], duration_s: float) -> list[Moment]:
    from core.report.spans import as_chapters

    if not breaks:
        return [Moment(0.0, duration_s, 1.0, "Show")]
    return [Moment(s.start, s.end, 1.0, s.title) for s in as_chapters(list(breaks), duration_s)]


def _write_if_changed(target: Path, text: str) -> bool:
    """Write ``text`` to ``target`` atomically unless it holds exactly that already; True when written."""
    try:
        if target.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=str(target.parent))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, target)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise LongwatchError(f"Cannot write {target}: {e.strerror or e}; check the folder's permissions.") from e
    return True


def _mux_copy(src: Path, dst: Path, chapters: list[Moment], fp: str) -> None:
    from core.report.chapters_mux import write_chapters

    write_chapters(src, dst, chapters, tags={SOURCE_TAG: fp})


def _mux_into(path: Path, chapters: list[Moment], fp: str) -> None:
    """Chapters into the recording itself: a hidden copy beside it, then an atomic rename over it."""
    from core.report.chapters_mux import CHAPTER_CONTAINERS, write_chapters

    if path.suffix.lower() not in CHAPTER_CONTAINERS:
        raise UsageError(f"{path.name} cannot hold chapters ({path.suffix} files); use --chapters mkv for a copy "
                         "with chapters, or --chapters ffmetadata.")
    tmp = path.with_name(f".{path.stem}.longwatch{path.suffix}")
    try:
        write_chapters(path, tmp, chapters, tags={SOURCE_TAG: fp})
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
