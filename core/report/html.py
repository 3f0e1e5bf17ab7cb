"""Self-contained HTML report: inline CSS and script, thumbnails as data: URIs, an embedded ``<video>`` of the
local file, and every time a link that seeks it.

Rendered with Jinja2 (``resources/report/report.html.j2``) with autoescaping on: every text that came from a
model, a subtitle, OCR or a file name goes through ``{{ }}`` and is escaped. Times are links
``<a href="VIDEO#t=S" data-t="S">`` (a media-fragment link without JavaScript; the inline script seeks the
embedded player). A Content-Security-Policy admits only the report's own script and style (by hash), so even
markup that escaped escaping could not run.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from functools import cache
from pathlib import Path
from urllib.parse import quote

import jinja2
from markupsafe import Markup, escape

from core.report.data import ReportData, facts_rows, fmt_size
from core.timefmt import TIME_IN_TEXT, clock, length, parse_clock

RESOURCES = Path(__file__).resolve().parents[2] / "resources" / "report"


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(RESOURCES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["paragraphs"] = paragraphs
    return env


def paragraphs(text: str) -> list[str]:
    """Paragraphs separated by blank lines (single newlines stay; CSS shows them)."""
    return [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def video_href(video_path: str | Path, report_dir: str | Path | None) -> str:
    """The ``src`` of the embedded player: the video's path relative to the report's folder when it can be
    (the report keeps working when both move together), else a file: URL. Always percent-encoded, so a file
    name can never become a scheme (``javascript:``) or break out of the attribute."""
    video = Path(video_path).resolve()
    if report_dir is not None:
        try:
            rel = Path(os.path.relpath(video, Path(report_dir).resolve())).as_posix()
        except ValueError:  # another drive (Windows)
            return video.as_uri()
        return ("" if rel.startswith("../") else "./") + quote(rel, safe="/")
    return video.as_uri()


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def render_html(data: ReportData, *, video_src: str | None = None) -> str:
    """The report as one HTML page. ``video_src`` = the player's source (see :func:`video_href`); None leaves
    the player out (time links then only carry ``#t=``)."""
    css = (RESOURCES / "report.css").read_text(encoding="utf-8")
    script = (RESOURCES / "report.js").read_text(encoding="utf-8")
    csp = (
        "default-src 'none'; img-src data:; media-src * file: data: blob:; "
        f"style-src {_csp_hash(css)}; script-src {_csp_hash(script)}; base-uri 'none'; form-action 'none'"
    )
    base = video_src or ""

    def seek(t: float) -> str:
        return f"{base}#t={t:.3f}"

    def time_link(t: float) -> Markup:
        return Markup('<a href="{}" data-t="{:.3f}">{}</a>').format(seek(t), t, clock(t))

    def with_links(text: str) -> Markup:
        """``text`` escaped, every time in it ("[1:23]", "0:07:30") a link that seeks the player."""
        out, pos = [], 0
        for m in TIME_IN_TEXT.finditer(text):
            out.append(escape(text[pos:m.start()]))
            try:
                t = parse_clock(m.group(1))
            except ValueError:
                t = None
            out.append(escape(m.group(0)) if t is None else
                       Markup('<a href="{}" data-t="{:.3f}">{}</a>').format(seek(t), t, m.group(0)))
            pos = m.end()
        out.append(escape(text[pos:]))
        return Markup("").join(out)

    def score_bar(score: float) -> Markup:
        return Markup('<span class="score" title="confidence {:.2f}"><meter min="0" max="1" value="{:.3f}">'
                      "</meter>{:.0f}%</span>").format(score, score, score * 100)

    v = data.video
    facts = {
        "duration": clock(v.duration_s),
        "resolution": f"{v.video.width}×{v.video.height}",
        "size": fmt_size(v.size_bytes),
        "rows": facts_rows(v, show_location=data.show_location),
    }
    ads_total = length(sum(m.duration for m in data.ads or ()))
    template = _environment().get_template("report.html.j2")
    return template.render(
        r=data,
        facts=facts,
        generated=data.generated_at.replace("T", " ").replace("Z", " UTC"),
        video_src=video_src,
        css=Markup(css),
        script=Markup(script),
        csp=csp,
        seek=seek,
        time_link=time_link,
        with_links=with_links,
        score_bar=score_bar,
        span=lambda a, b: length(b - a),
        clock=clock,
        ads_total=ads_total,
        escape=escape,
    )
