"""What a report holds: file facts, summary and chapters with thumbnails, ads, the user's questions.

``ReportData`` is built once (``core.report.collect.collect_report``) and rendered to Markdown, HTML, PDF or
JSON; every renderer shows the same content. ``to_json`` / ``from_json`` follow the versioned JSON Schema in
``resources/report/report.schema.json`` (``REPORT_SCHEMA_VERSION``).
"""

from __future__ import annotations

import base64
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.media.types import AudioStreamInfo, SubtitleStreamInfo, VideoInfo, VideoStreamInfo
from core.results import Answer, Chapter, Moment
from core.timefmt import clock

REPORT_SCHEMA_VERSION = 2  # 2: transcript and subtitles
REPORT_SCHEMA_ID = "https://longwatch.invalid/schemas/report-v2.json"


@dataclass(frozen=True)
class ChapterEntry:
    """A chapter with its thumbnail (JPEG bytes taken at ``thumb_s``; None when the file could not be read)."""

    chapter: Chapter
    thumbnail: bytes | None = None
    thumb_s: float | None = None  # seconds

    def thumbnail_data_uri(self) -> str | None:
        if self.thumbnail is None:
            return None
        return "data:image/jpeg;base64," + base64.b64encode(self.thumbnail).decode("ascii")


@dataclass(frozen=True)
class ReportLine:
    """One line of the transcript or of the subtitles."""

    start_s: float
    end_s: float
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"start": round(self.start_s, 3), "end": round(self.end_s, 3), "text": self.text}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ReportLine:
        return cls(float(d["start"]), float(d["end"]), str(d["text"]))


@dataclass(frozen=True)
class ReportData:
    """Everything a report shows. ``None`` for a part means it was never computed (``missing`` says so);
    an empty tuple means it was computed and found nothing (e.g. no ads)."""

    video: VideoInfo
    overview: str | None  # overall summary
    chapters: tuple[ChapterEntry, ...]
    summary_sources: tuple[str, ...]  # what produced the summary, e.g. ("video-llm",)
    ads: tuple[Moment, ...] | None
    questions: tuple[Answer, ...]  # ask and find results, oldest first
    missing: tuple[str, ...]  # one sentence per part that is absent, saying how to get it
    generated_at: str  # ISO 8601 UTC, e.g. "2026-11-23T09:00:00Z"
    generator: str  # e.g. "Longwatch 0.1.0"
    video_found: bool = True  # the file exists at video.path (thumbnails, the HTML player)
    show_location: bool = True  # False: the report names the file but not its folder (for sharing)
    transcript: tuple[ReportLine, ...] = ()  # what is said, from the evidence pass (empty without one)
    subtitles: tuple[ReportLine, ...] = ()

    @property
    def title(self) -> str:
        return self.video.name

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": REPORT_SCHEMA_ID,
            "schema_version": REPORT_SCHEMA_VERSION,
            "generator": self.generator,
            "generated_at": self.generated_at,
            "video": {**self.video.to_json(), "found": self.video_found,
                      **({} if self.show_location else {"path": self.video.name, "location_hidden": True})},
            "summary": None if self.overview is None and not self.chapters else {
                "overview": self.overview or "",
                "sources": list(self.summary_sources),
                "chapters": [_chapter_json(c) for c in self.chapters],
            },
            "ads": None if self.ads is None else [m.to_json() for m in self.ads],
            "questions": [_answer_json(a) for a in self.questions],
            "missing": list(self.missing),
            "transcript": [line.to_json() for line in self.transcript],
            "subtitles": [line.to_json() for line in self.subtitles],
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ReportData:
        summary = d.get("summary")
        return cls(
            video=video_info_from_json(d["video"]),
            overview=(summary or {}).get("overview") if summary else None,
            chapters=tuple(_chapter_from_json(c) for c in (summary or {}).get("chapters", ())),
            summary_sources=tuple((summary or {}).get("sources", ())),
            ads=None if d.get("ads") is None else tuple(Moment.from_json(m) for m in d["ads"]),
            questions=tuple(answer_from_json(a) for a in d.get("questions", ())),
            missing=tuple(d.get("missing", ())),
            generated_at=str(d["generated_at"]),
            generator=str(d["generator"]),
            video_found=bool(d["video"].get("found", True)),
            show_location=not d["video"].get("location_hidden", False),
            transcript=tuple(ReportLine.from_json(x) for x in d.get("transcript", ())),
            subtitles=tuple(ReportLine.from_json(x) for x in d.get("subtitles", ())),
        )


def _chapter_json(entry: ChapterEntry) -> dict[str, Any]:
    d = entry.chapter.to_json()
    d["thumbnail"] = None if entry.thumbnail is None else {
        "mime": "image/jpeg",
        "time": None if entry.thumb_s is None else round(entry.thumb_s, 3),
        "base64": base64.b64encode(entry.thumbnail).decode("ascii"),
    }
    return d


def _chapter_from_json(d: dict[str, Any]) -> ChapterEntry:
    thumb = d.get("thumbnail")
    return ChapterEntry(
        Chapter.from_json(d),
        base64.b64decode(thumb["base64"]) if thumb else None,
        None if not thumb or thumb.get("time") is None else float(thumb["time"]),
    )


def _answer_json(answer: Answer) -> dict[str, Any]:
    """What a report keeps of an answer: the question, the text, the moments and where they came from."""
    d = answer.to_json()
    return {k: d[k] for k in ("kind", "question", "text", "moments", "sources", "notes") if k in d}


def answer_from_json(d: dict[str, Any]) -> Answer:
    """An Answer from its JSON in a report (``Answer.to_json``)."""
    return Answer.from_json(d)


def video_info_from_json(d: dict[str, Any]) -> VideoInfo:
    """The inverse of ``VideoInfo.to_json`` (extra keys such as "name" and "found" are ignored)."""
    v = d["video"]
    known = {k: d[k] for k in VideoInfo.__dataclass_fields__ if k in d}  # fields added later come along
    known.update(
        path=str(d["path"]),
        fingerprint=str(d["fingerprint"]),
        size_bytes=int(d["size_bytes"]),
        container=str(d["container"]),
        duration_s=float(d["duration_s"]),
        video=VideoStreamInfo(**{k: v[k] for k in VideoStreamInfo.__dataclass_fields__}),
        audio=tuple(AudioStreamInfo(**{k: a[k] for k in AudioStreamInfo.__dataclass_fields__ if k in a})
                    for a in d.get("audio", ())),
        subtitles=tuple(SubtitleStreamInfo(**{k: s[k] for k in SubtitleStreamInfo.__dataclass_fields__ if k in s})
                        for s in d.get("subtitles", ())),
        sidecar_subtitles=tuple(d.get("sidecar_subtitles", ())),
    )
    return VideoInfo(**known)


def fmt_size(size_bytes: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size_bytes >= scale:
            return f"{size_bytes / scale:.1f} {unit}"
    return f"{size_bytes} B"


_UNSAFE_NAME = re.compile(r"[^\w.\- ]+")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}


def safe_filename(name: str, *, default: str = "report", max_len: int = 120) -> str:
    """A file name safe on Linux, macOS and Windows: no path separators, control or shell-special characters,
    no leading dots or dashes, no reserved Windows names, at most ``max_len`` characters (extension kept).

    >>> safe_filename("../../etc/passwd; rm -rf ~.mp4")
    'etc_passwd_ rm -rf.mp4'
    """
    text = unicodedata.normalize("NFKC", name)
    text = "".join(ch if ch.isprintable() else "_" for ch in text)
    text = _UNSAFE_NAME.sub("_", text.replace("/", "_").replace("\\", "_"))
    text = re.sub(r"_+", "_", text).strip(" ._-")
    stem, dot, ext = text.rpartition(".")
    if not dot:
        stem, ext = text, ""
    stem = stem.strip(" ._-")
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        stem = "_" + stem
    ext = ext[:16]
    stem = stem[: max(1, max_len - len(ext) - 1)].rstrip(" .") if ext else stem[:max_len].rstrip(" .")
    if not stem:
        return default + (f".{ext}" if ext else "")
    return f"{stem}.{ext}" if ext else stem


def facts_rows(video: VideoInfo, *, show_location: bool = True) -> list[tuple[str, str]]:
    """The file facts every report shows, as (label, value) rows (the folder only with ``show_location``)."""
    v = video.video
    rows = [
        ("Name", video.name),
        ("Duration", f"{clock(video.duration_s)} ({video.duration_s:.1f} s)"),
        ("Video", f"{v.codec or '?'} {v.width}×{v.height}, {v.fps:.3g} fps" + (" (variable)" if v.variable_fps else "")
         + (f", rotated {v.rotation}°" if v.rotation else "")),
    ]
    for a in video.audio:
        rows.append(("Audio", f"{a.codec} {a.sample_rate / 1000:g} kHz, {a.channels} ch"
                     + (f" [{a.language}]" if a.language else "")))
    if not video.audio:
        rows.append(("Audio", "none"))
    subs = [f"{s.codec}" + (f" [{s.language}]" if s.language else "") for s in video.subtitles]
    subs += [f"sidecar {Path(p).name}" for p in video.sidecar_subtitles]
    rows += [
        ("Subtitles", ", ".join(subs) or "none"),
        ("Container", container_label(video)),
        ("Size", fmt_size(video.size_bytes)),
        *([("Location", video.path)] if show_location else []),
        ("Fingerprint", video.fingerprint),
    ]
    return rows


def container_label(video: VideoInfo) -> str:
    """FFmpeg names a family ("mov,mp4,m4a,3gp,3g2,mj2"): show the member the file's extension picks."""
    names = [n for n in video.container.split(",") if n]
    ext = Path(video.path).suffix.lower().lstrip(".")
    if ext in names:
        return ext.upper()
    return (names[0] if names else video.container).upper()

