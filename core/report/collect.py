"""Build a ``ReportData`` from what the library database holds for one video.

Reads the ``videos`` row (file facts) and the stored answers (``core.store.answers``: the newest summary and ads,
every ask and find). Nothing is computed here except thumbnails (the service, ``core.usecases``, computes what is
missing before it collects): a video that was never indexed still gets a report with its facts, and
``ReportData.missing`` says what to run for the rest. Unreadable records are skipped (with a log line).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import sqlite_utils

from core.errors import LongwatchError, UsageError
from core.media.types import VideoInfo, VideoStreamInfo
from core.report.data import ChapterEntry, ReportData, ReportLine, video_info_from_json
from core.store.answers import list_answers

log = logging.getLogger(__name__)

# (path, times in seconds, width in pixels) -> JPEG bytes, one per time
Thumbnailer = Callable[[str, Sequence[float], int], list[bytes]]


class ReportError(LongwatchError):
    """A report cannot be built or written."""


@dataclass(frozen=True)
class ReportOptions:
    """What goes into a report."""

    thumbnails: bool = True
    thumb_width: int = 320  # pixels
    max_questions: int = 50  # newest ask/find results kept
    show_location: bool = True  # False: name the file but not the folder it is in (reports meant for sharing)

    def __post_init__(self) -> None:
        if not 32 <= self.thumb_width <= 1920:
            raise UsageError(f"Thumbnail width {self.thumb_width} px is out of range; use 32 to 1920.")
        if self.max_questions < 0:
            raise UsageError(f"The number of questions kept must be 0 or more, got {self.max_questions}.")


def generator_name() -> str:
    try:
        return f"Longwatch {metadata.version('longwatch')}"
    except metadata.PackageNotFoundError:
        return "Longwatch"


def media_thumbnails(path: str, times_s: Sequence[float], width: int) -> list[bytes]:
    """The default thumbnailer: ``core.media.thumbnails`` as JPEG."""
    from core.media import thumbnails

    return list(thumbnails(path, times_s, width=width, fmt="jpeg"))


def collect_report(
    db: sqlite_utils.Database,
    fingerprint: str,
    *,
    path: str | Path | None = None,
    options: ReportOptions | None = None,
    thumbnailer: Thumbnailer | None = media_thumbnails,
    now: datetime | None = None,
) -> ReportData:
    """The report of the video ``fingerprint`` from the database; ``path`` = where the file is now (default:
    its last known path). ``thumbnailer=None`` leaves thumbnails out. Raises ReportError for an unknown video."""
    options = options or ReportOptions()
    rows = list(db.query("SELECT * FROM videos WHERE fingerprint = ?", [fingerprint]))
    if not rows:
        raise ReportError(f"Video {fingerprint[:12]} is not in the library; run `longwatch-cli probe VIDEO` first.")
    info = _video_info(rows[0])
    if path is not None:
        info = _with_path(info, str(path))
    found = Path(info.path).is_file()
    missing: list[str] = []
    records = list(reversed(list_answers(db, fingerprint, limit=10_000)))  # oldest first
    summary = next((r.answer.summary for r in reversed(records) if r.answer.summary is not None), None)
    ads = next((r.answer for r in reversed(records) if r.kind == "ads"), None)
    questions = tuple(r.answer for r in records if r.kind in ("ask", "find"))
    questions = questions[-options.max_questions:] if options.max_questions else ()
    chapters = tuple(ChapterEntry(c) for c in (summary.chapters if summary else ()))
    if summary is None:
        missing.append("No summary or chapters yet: run `longwatch-cli summary VIDEO`.")
    if ads is None:
        missing.append("Ads were not looked for: run `longwatch-cli ads VIDEO`.")
    if not questions:
        missing.append("No questions asked yet: run `longwatch-cli ask VIDEO QUESTION`.")
    transcript, subtitles = _spoken_and_subtitled(db, fingerprint)
    if not found:
        missing.append(f"The video file is not at {info.path}: thumbnails and the player are left out.")
    elif chapters and options.thumbnails and thumbnailer is not None:
        chapters = _add_thumbnails(info.path, chapters, options.thumb_width, thumbnailer, missing)
    return ReportData(
        video=info,
        overview=summary.overview if summary else None,
        chapters=chapters,
        summary_sources=summary.sources if summary else (),
        ads=None if ads is None else tuple(sorted(ads.moments, key=lambda m: m.start)),
        questions=questions,
        missing=tuple(missing),
        generated_at=(now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        generator=generator_name(),
        video_found=found,
        show_location=options.show_location,
        transcript=transcript,
        subtitles=subtitles,
    )


def _video_info(row: dict[str, Any]) -> VideoInfo:
    try:
        return video_info_from_json(json.loads(row["probe_json"]))
    except (ValueError, KeyError, TypeError) as e:  # an older or partial probe: the row's columns suffice
        log.debug("probe_json unreadable (%s); using the videos columns", e)
        stream = VideoStreamInfo(0, "", int(row["width"]), int(row["height"]), float(row["fps"]), False, 0, None)
        return VideoInfo(str(row["path"]), str(row["fingerprint"]), int(row["size_bytes"]), str(row["container"]),
                         float(row["duration_s"]), stream)


def _with_path(info: VideoInfo, path: str) -> VideoInfo:
    from dataclasses import replace

    return replace(info, path=path)


def _spoken_and_subtitled(db: sqlite_utils.Database,
                          fingerprint: str) -> tuple[tuple[ReportLine, ...], tuple[ReportLine, ...]]:
    """The transcript and the subtitle lines the evidence pass stored (none before it ran)."""
    from core.evidence import EvidenceMissing, read_subtitles, read_transcript

    try:
        said = read_transcript(db, fingerprint, words=False)
        subs = read_subtitles(db, fingerprint)
    except EvidenceMissing:
        return (), ()
    return (tuple(ReportLine(s.start_s, s.end_s, " ".join(s.text.split())) for s in said if s.text.strip()),
            tuple(ReportLine(s.start_s, s.end_s, " ".join(s.text.split())) for s in subs if s.text.strip()))


def _add_thumbnails(path: str, chapters: tuple[ChapterEntry, ...], width: int, thumbnailer: Thumbnailer,
                    missing: list[str]) -> tuple[ChapterEntry, ...]:
    # The middle of a chapter shows it better than its first frame (often a cut or a fade).
    times = [round((e.chapter.start + max(e.chapter.start, e.chapter.end)) / 2, 3) for e in chapters]
    try:
        images = thumbnailer(path, times, width)
    except (LongwatchError, OSError) as e:
        missing.append(f"Thumbnails could not be made ({e}).")
        return chapters
    if len(images) != len(times):
        missing.append(f"Thumbnails: asked for {len(times)}, got {len(images)}; left out.")
        return chapters
    return tuple(ChapterEntry(e.chapter, img or None, t) for e, img, t in zip(chapters, images, times, strict=True))
