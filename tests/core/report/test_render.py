"""Markdown, PDF and JSON reports: same content, hostile text inert, files written beside the video."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from markdown_it import MarkdownIt
from PIL import Image

from core.report.collect import collect_report
from core.report.data import ReportData
from core.report.markdown import escape_md
from core.report.write import render_json, write_report
from tests.core.report.conftest import HOSTILE, HOSTILE_TEXT, store_results

NOW = datetime(2026, 11, 23, 9, 0, 0, tzinfo=UTC)


def _report(library: tuple[Any, str, Path], text: str = "") -> ReportData:
    db, fp, _ = library
    store_results(db, fp, text=text)
    return collect_report(db, fp, now=NOW)


def _render_md(md: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(md)


def test_escape_md_renders_literally() -> None:
    for text in [*HOSTILE, "1. not a list", "- not a bullet", "> not a quote", "a\\b", "![img](x.png)",
                 "<https://evil.example>", "Setext\n===", "~~strike~~"]:
        html = _render_md(escape_md(text))
        visible = re.sub(r"<[^>]+>", "", html).strip()
        assert _unescape(visible) == text, (text, html)
        assert "<script" not in html and "<img" not in html and "<a " not in html and "<ol" not in html


def _unescape(s: str) -> str:
    return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def test_markdown_report_is_inert_and_complete(library: tuple[Any, str, Path], tmp_path: Path) -> None:
    data = _report(library, HOSTILE_TEXT)
    out = tmp_path / "r.md"
    written = write_report(data, out)
    md = out.read_text("utf-8")
    html = _render_md(md)
    tags = re.findall(r"<([a-z0-9]+)([^>]*)>", html)
    assert {name for name, _ in tags} <= {"h1", "h2", "h3", "p", "em", "strong", "table", "thead", "tbody", "tr",
                                          "th", "td", "a", "img", "code", "hr", "blockquote", "ul", "li"}
    assert not [attrs for _, attrs in tags if re.search(r"\son\w+=", attrs)]  # no event handler attributes
    assert 'href="javascript:' not in html
    links = re.findall(r'href="([^"]+)"', html)
    assert links and all(href.startswith("../") or href.startswith("./") for href in links), links
    # every time links the video with a media fragment
    assert any(href.endswith("#t=12.000") for href in links)
    images = re.findall(r'<img src="([^"]+)"', html)
    assert len(images) == 3 and [p.name for p in written.extra_files] == [
        "chapter-01.jpg", "chapter-02.jpg", "chapter-03.jpg"]
    assert all((tmp_path / src).is_file() for src in images)
    text = _unescape(re.sub(r"<[^>]+>", "", html))
    assert HOSTILE_TEXT in " ".join(text.split())  # the hostile text is shown, literally
    for heading in ("File", "Summary", "Chapters", "Ads", "Questions"):
        assert f"<h2>{heading}</h2>" in html


def test_pdf_renders_a_non_blank_page_with_the_text(library: tuple[Any, str, Path], tmp_path: Path) -> None:
    data = _report(library, HOSTILE[0])
    out = tmp_path / "r.pdf"
    write_report(data, out)
    assert out.read_bytes().startswith(b"%PDF-")
    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(out), str(tmp_path / "page")],
                   check=True)
    page = np.asarray(Image.open(next(tmp_path.glob("page*.png"))).convert("L"), dtype=np.float32)
    assert page.shape[0] > page.shape[1]  # A4 portrait
    dark = (page < 200).mean()
    assert 0.02 < dark < 0.6, dark  # ink on the page, not blank, not a black page
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "Opening <script>window.__pwned = 1</script>" in text  # markup shown as text
    for word in ("Summary", "Chapters", "Ads", "Questions", "What happens?", "0:12", "clip.mp4"):
        assert word in text


def test_pdf_without_anything_stored(library: tuple[Any, str, Path], tmp_path: Path) -> None:
    db, fp, _ = library
    out = tmp_path / "empty.pdf"
    write_report(collect_report(db, fp, now=NOW), out)
    text = subprocess.run(["pdftotext", str(out), "-"], check=True, capture_output=True, text=True).stdout
    assert "No summary yet." in text and "Ads were not looked for." in text and "longwatch-cli summary" in text


def test_json_report_round_trips(library: tuple[Any, str, Path], tmp_path: Path) -> None:
    data = _report(library, HOSTILE_TEXT)
    out = tmp_path / "r.json"
    write_report(data, out)
    doc = json.loads(out.read_text("utf-8"))
    assert doc["schema_version"] == 2 and doc == json.loads(render_json(data))
    assert ReportData.from_json(doc) == data


def test_location_can_be_left_out(library: tuple[Any, str, Path], tmp_path: Path) -> None:
    from core.report.collect import ReportOptions
    from core.report.html import render_html

    db, fp, video = library
    store_results(db, fp)
    data = collect_report(db, fp, options=ReportOptions(show_location=False, thumbnails=False), now=NOW)
    folder = str(video.parent)
    out = tmp_path / "r.pdf"
    write_report(data, out)
    pdf_text = subprocess.run(["pdftotext", str(out), "-"], check=True, capture_output=True, text=True).stdout
    write_report(data, tmp_path / "r.md")
    for text in (render_html(data), (tmp_path / "r.md").read_text("utf-8"), render_json(data), pdf_text):
        assert folder not in text and "clip.mp4" in text
    doc = json.loads(render_json(data))
    assert doc["video"]["path"] == "clip.mp4" and doc["video"]["location_hidden"] is True
    from tests.core.report.test_collect import validate

    validate(data)
    back = ReportData.from_json(doc)
    assert not back.show_location and back.video.path == "clip.mp4"


def test_pdf_shows_cjk_text_in_an_embedded_font(library: tuple[Any, str, Path], tmp_path: Path) -> None:
    """Chinese and Japanese in a title, an answer and the overview come out as text in an embedded font (no
    empty boxes): pdftotext reads them back and pdffonts lists the fallback font as embedded."""
    from core.report import pdf

    if pdf._fonts().fallback is None:
        import pytest

        pytest.skip("no CJK TrueType font on this machine (Debian: fonts-droid-fallback, in `make sysdeps`)")
    data = _report(library, "東京の夜 字幕 한국어")
    out = tmp_path / "cjk.pdf"
    write_report(data, out)
    text = subprocess.run(["pdftotext", str(out), "-"], check=True, capture_output=True, text=True).stdout
    assert "東京の夜 字幕 한국어" in text and "Opening" in text
    fonts = subprocess.run(["pdffonts", str(out)], check=True, capture_output=True, text=True).stdout
    fallback = [ln for ln in fonts.splitlines() if "Fallback" in ln or "Nanum" in ln]
    assert fallback and all(" yes " in ln for ln in fallback), fonts  # embedded (subset)


def test_reports_get_a_normal_file_mode(library: tuple[Any, str, Path], tmp_path: Path) -> None:
    """Reports are readable by others like any new file (0666 less the umask), not mkstemp's private 0600."""
    import os

    from core.report.write import FILE_MODE

    data = _report(library)
    for fmt in ("md", "html", "pdf", "json"):
        out = tmp_path / f"mode.{fmt}"
        write_report(data, out)
        assert out.stat().st_mode & 0o777 == FILE_MODE, fmt
    mask = os.umask(0o022)
    os.umask(mask)
    assert 0o666 & ~mask == FILE_MODE  # e.g. 0644 under the usual umask 022, not 0600


def test_html_summary_times_are_seek_links(library: tuple[Any, str, Path]) -> None:
    from core.report.html import render_html

    db, fp, _ = library
    store_results(db, fp, text="see 0:12 and [0:25]")
    html = render_html(collect_report(db, fp, now=NOW), video_src="./clip.mp4")
    overview = html[html.index('class="overview"'):html.index("</div>", html.index('class="overview"'))]
    assert '<a href="./clip.mp4#t=12.000" data-t="12.000">0:12</a>' in overview
    assert 'data-t="25.000"' in overview
