"""Markdown report (CommonMark + GFM tables). Every text from a model, subtitle, OCR or file name is escaped
with :func:`escape_md`, so it renders as the same text and never as markup, HTML or a link.

Thumbnails are image links to files the caller writes beside the report (``thumb_paths``); times link to the
video with a ``#t=SECONDS`` media fragment when ``video_src`` is given.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from core.report.data import ReportData, ReportLine, facts_rows
from core.timefmt import clock, length

_ALWAYS = re.compile(r"([\\`*_\[\]|~!{}])")
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])", re.MULTILINE)


def escape_md(text: str, *, inline: bool = False) -> str:
    """Text that renders literally in Markdown: backslash-escapes markdown punctuation, writes ``& < >`` as
    entities (no raw HTML, no autolinks), and escapes block markers at line starts. ``inline=True`` folds
    newlines to spaces (headings, table cells, list items)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _ALWAYS.sub(r"\\\1", text)
    if inline:
        return " ".join(text.split())
    text = _LINE_START.sub(lambda m: m.group(1) + _escape_marker(m.group(2)), text)
    return text


def _escape_marker(marker: str) -> str:
    if marker[-1] in ".)":
        return marker[:-1] + "\\" + marker[-1]
    return "\\" + marker


def _url(url: str) -> str:
    """A link destination in angle brackets (spaces allowed); the caller percent-encodes it already."""
    return "<" + url.replace("<", "%3C").replace(">", "%3E").replace("\n", "") + ">"


def render_markdown(data: ReportData, *, video_src: str | None = None,
                    thumb_paths: Sequence[str | None] | None = None) -> str:
    """The report as Markdown; ``thumb_paths[i]`` = the relative path of chapter i's thumbnail file."""

    def t(seconds: float) -> str:
        label = clock(seconds)
        return f"[{label}]({_url(f'{video_src}#t={seconds:.3f}')})" if video_src else label

    out = [f"# {escape_md(data.title, inline=True)}", "",
           f"*Video report generated {escape_md(data.generated_at)} by {escape_md(data.generator)}*", ""]
    out += ["## File", "", "| | |", "|---|---|"]
    out += [f"| {escape_md(k, inline=True)} | {escape_md(v, inline=True)} |" for k, v in
            facts_rows(data.video, show_location=data.show_location)]
    out.append("")
    if data.missing:
        out += ["> **Not in this report**", ">"]
        out += [f"> - {escape_md(m, inline=True)}" for m in data.missing]
        out.append("")
    out += ["## Summary", ""]
    if data.overview:
        out += [escape_md(data.overview), ""]
    elif data.overview is None:
        out += ["*No summary yet.*", ""]
    if data.chapters:
        out += ["## Chapters", ""]
        for i, e in enumerate(data.chapters):
            c = e.chapter
            out.append(f"### {i + 1}. {escape_md(c.title or 'Untitled', inline=True)}")
            out.append("")
            thumb = thumb_paths[i] if thumb_paths and i < len(thumb_paths) else None
            if thumb:
                out += [f"![Frame at {clock(e.thumb_s or c.start)}]({_url(thumb)})", ""]
            out.append(f"{t(c.start)} – {t(c.end)} ({length(c.end - c.start)})")
            out.append("")
            if c.text:
                out += [escape_md(c.text), ""]
    out += _ads_md(data, t)
    out += _questions_md(data, t)
    out += _lines_md("Transcript", data.transcript, t)
    out += _lines_md("Subtitles", data.subtitles, t)
    out += ["---", "", f"*Fingerprint `{data.video.fingerprint}`*" if data.video.fingerprint.isalnum()
            else f"*Fingerprint {escape_md(data.video.fingerprint)}*", ""]
    return "\n".join(out)


def _ads_md(data: ReportData, link: Callable[[float], str]) -> list[str]:
    out = ["## Ads", ""]
    if data.ads is None:
        return [*out, "*Ads were not looked for.*", ""]
    if not data.ads:
        return [*out, "*No ads found.*", ""]
    total = length(sum(m.duration for m in data.ads))
    out += [f"{total} in {len(data.ads)} break{'s' if len(data.ads) != 1 else ''}.", "",
            "| # | From | To | Length | Confidence | Why |", "|---:|---|---|---|---:|---|"]
    for i, m in enumerate(data.ads, 1):
        why = escape_md("; ".join(m.why), inline=True)
        out.append(f"| {i} | {link(m.start)} | {link(m.end)} | {length(m.end - m.start)} | "
                   f"{m.score * 100:.0f}% | {why} |")
    return [*out, ""]


def _lines_md(title: str, lines: Sequence[ReportLine], link: Callable[[float], str]) -> list[str]:
    """A collapsed section (``<details>``, which GitHub, GitLab and most viewers fold) with one line per entry."""
    if not lines:
        return []
    out = [f"## {title}", "", f"<details><summary>{len(lines)} lines</summary>", ""]
    out += [f"- {link(line.start_s)} {escape_md(line.text, inline=True)}" for line in lines]
    return [*out, "", "</details>", ""]


def _questions_md(data: ReportData, link: Callable[[float], str]) -> list[str]:
    out = ["## Questions", ""]
    if not data.questions:
        return [*out, "*No questions asked yet.*", ""]
    for a in data.questions:
        out += [f"### {escape_md(a.question or '(no question)', inline=True)}", ""]
        if a.text:
            out += [escape_md(a.text), ""]
        for m in a.moments:
            label = f" — {escape_md(m.label, inline=True)}" if m.label and m.label != a.question else ""
            why = f" ({escape_md('; '.join(m.why), inline=True)})" if m.why else ""
            out.append(f"- {link(m.start)} – {link(m.end)}, {m.score * 100:.0f}%{label}{why}")
        if not a.text and not a.moments:
            out.append("*Nothing found.*")
        out.append("")
    return out
