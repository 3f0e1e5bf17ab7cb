"""Build a ``ReportData`` from what the library database holds for one video.

Reads the ``videos`` row (file facts) and the newest ``queries`` rows the query and evidence layers stored
(kind "summary": ``Summary.to_json()``; "ads": ``{"moments": [...]}`` or a bare list; "ask"/"find": an
``Answer.to_json()`` or ``{"moments": [...]}``). Nothing is computed here except thumbnails: a video that was
never indexed still gets a report with its facts, and ``ReportData.missing`` says what to run for the rest.
Unreadable rows are skipped (with a note), never fatal.
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

from core.errors import LongwatchError
from core.media.types import VideoInfo, VideoStreamInfo
from core.report.data import ChapterEntry, ReportData, answer_from_json, video_info_from_json
from core.results import Answer, Chapter, Moment

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
            raise ValueError(f"ReportOptions.thumb_width must be 32..1920 pixels, got {self.thumb_width}")
        if self.max_questions < 0:
            raise ValueError(f"ReportOptions.max_questions must be >= 0, got {self.max_questions}")


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
    queries = _queries(db, fingerprint)

    summary = _newest(queries, "summary", _summary_from, missing)
    ads = _newest(queries, "ads", _moments_from, missing)
    questions = _questions(queries, options.max_questions, missing)
    chapters = tuple(ChapterEntry(c) for c in (summary[0] if summary else ()))
    if summary is None:
        missing.append("No summary or chapters yet: run `longwatch-cli summary VIDEO`.")
    if ads is None:
        missing.append("Ads were not looked for: run `longwatch-cli ads VIDEO`.")
    if not questions:
        missing.append("No questions asked yet: run `longwatch-cli ask VIDEO QUESTION`.")
    if not found:
        missing.append(f"The video file is not at {info.path}: thumbnails and the player are left out.")
    elif chapters and options.thumbnails and thumbnailer is not None:
        chapters = _add_thumbnails(info.path, chapters, options.thumb_width, thumbnailer, missing)
    return ReportData(
        video=info,
        overview=summary[1] if summary else None,
        chapters=chapters,
        summary_sources=summary[2] if summary else (),
        ads=None if ads is None else tuple(sorted(ads, key=lambda m: m.start)),
        questions=questions,
        missing=tuple(missing),
        generated_at=(now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        generator=generator_name(),
        video_found=found,
        show_location=options.show_location,
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


def _queries(db: sqlite_utils.Database, fingerprint: str) -> list[dict[str, Any]]:
    if "queries" not in db.table_names():
        return []
    return list(db.query("SELECT id, kind, question, result_json, created_at FROM queries WHERE video = ? "
                         "ORDER BY created_at, id", [fingerprint]))


def _newest(queries: list[dict[str, Any]], kind: str, read: Callable[[Any], Any], missing: list[str]) -> Any:
    """The newest readable result of ``kind`` (None when there is none)."""
    for row in reversed([q for q in queries if q["kind"] == kind]):
        try:
            return read(json.loads(row["result_json"]))
        except (ValueError, KeyError, TypeError) as e:
            missing.append(f"A stored {kind} result (#{row['id']}) could not be read ({type(e).__name__}); "
                           "it was skipped.")
    return None


def _summary_from(d: dict[str, Any]) -> tuple[tuple[Chapter, ...], str, tuple[str, ...]]:
    chapters = tuple(sorted((Chapter.from_json(c) for c in d.get("chapters", ())), key=lambda c: c.start))
    return chapters, str(d.get("overview", "")), tuple(str(s) for s in d.get("sources", ()))


def _moments_from(d: Any) -> list[Moment]:
    items = d["moments"] if isinstance(d, dict) else d
    return [Moment.from_json(m) for m in items]


def _questions(queries: list[dict[str, Any]], limit: int, missing: list[str]) -> tuple[Answer, ...]:
    out: list[Answer] = []
    for row in queries:
        if row["kind"] not in ("ask", "find"):
            continue
        try:
            d = json.loads(row["result_json"])
            d = d if isinstance(d, dict) else {"moments": d}
            answer = answer_from_json({"question": row["question"], **d})
        except (ValueError, KeyError, TypeError) as e:
            missing.append(f"A stored {row['kind']} result (#{row['id']}) could not be read "
                           f"({type(e).__name__}); it was skipped.")
            continue
        out.append(answer)
    return tuple(out[-limit:]) if limit else ()


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
