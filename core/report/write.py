"""Render a ``ReportData`` and write it to a file: ``.md``, ``.html``, ``.pdf`` or ``.json`` (by extension).

The HTML report's player and the Markdown report's time links point at the video relative to the report's
folder, so the pair keeps working when moved together. Markdown thumbnails go to a ``<name>_files/`` folder
beside the report. Files are written to a temporary name and renamed, so a failed write leaves no half file;
they get the mode a newly created file gets (0666 less the umask), not the temporary file's private 0600.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from core.report.collect import ReportError
from core.report.data import ReportData, safe_filename

REPORT_FORMATS: tuple[str, ...] = ("md", "html", "pdf", "json")


@dataclass(frozen=True)
class WrittenReport:
    path: Path
    format: str
    size_bytes: int
    extra_files: tuple[Path, ...] = ()  # thumbnails of a Markdown report


def render_json(data: ReportData) -> str:
    """The report as JSON following ``resources/report/report.schema.json``."""
    return json.dumps(data.to_json(), ensure_ascii=False, indent=2) + "\n"


def report_format(path: Path, fmt: str | None = None) -> str:
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    fmt = {"markdown": "md", "htm": "html"}.get(fmt, fmt)
    if fmt not in REPORT_FORMATS:
        raise ReportError(f"Cannot tell the report format from {path.name!r}; end the file name with "
                          f"{', '.join('.' + f for f in REPORT_FORMATS)}.")
    return fmt


def default_report_name(data: ReportData, fmt: str) -> str:
    """A safe file name for the report of this video, e.g. ``My_Film - report.html``."""
    stem = Path(data.video.name).stem or "video"
    return safe_filename(f"{stem} - report.{fmt}")


def _umask() -> int:
    """The process's umask (read once: setting it to read it is not thread-safe, so do it at import)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_umask()  # what open() would give a new file; mkstemp's private 0600 is not for reports


def _atomic_write(path: Path, payload: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=str(path.parent))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    """Write a UTF-8 text file atomically; ReportError with what to do when it cannot."""
    try:
        _atomic_write(path, text.encode("utf-8"))
    except OSError as e:
        raise ReportError(f"Cannot write {path}: {e.strerror or e}; choose another folder.") from e


def write_report(data: ReportData, out: str | Path, *, fmt: str | None = None) -> WrittenReport:
    """Write the report to ``out`` (the format from ``fmt`` or the extension)."""
    out = Path(out)
    fmt = report_format(out, fmt)
    video_src = None
    if data.video_found:
        from core.report.html import video_href

        video_src = video_href(data.video.path, out.parent)
    extra: list[Path] = []
    if fmt == "html":
        from core.report.html import render_html

        payload = render_html(data, video_src=video_src).encode("utf-8")
    elif fmt == "md":
        from core.report.markdown import render_markdown

        thumbs = _write_thumbnails(data, out)
        extra = [p for p in thumbs if p is not None]
        rel = [None if p is None else p.relative_to(out.parent).as_posix() for p in thumbs]
        payload = render_markdown(data, video_src=video_src, thumb_paths=rel).encode("utf-8")
    elif fmt == "pdf":
        from core.report.pdf import render_pdf

        payload = render_pdf(data)
    else:
        payload = render_json(data).encode("utf-8")
    try:
        _atomic_write(out, payload)
    except OSError as e:
        raise ReportError(f"Cannot write {out}: {e.strerror or e}; choose another folder.") from e
    return WrittenReport(out, fmt, len(payload), tuple(extra))


def _write_thumbnails(data: ReportData, out: Path) -> list[Path | None]:
    if not any(e.thumbnail for e in data.chapters):
        return [None] * len(data.chapters)
    folder = out.parent / safe_filename(f"{out.stem}_files")
    paths: list[Path | None] = []
    for i, e in enumerate(data.chapters, 1):
        if not e.thumbnail:
            paths.append(None)
            continue
        path = folder / f"chapter-{i:02d}.jpg"
        try:
            _atomic_write(path, e.thumbnail)
        except OSError as err:
            raise ReportError(f"Cannot write {path}: {err.strerror or err}; choose another folder.") from err
        paths.append(path)
    return paths
