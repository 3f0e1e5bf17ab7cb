"""PDF report with ReportLab (pure Python, no browser): the same content as the HTML report, laid out for A4.

Text goes into ReportLab paragraphs, whose mini-markup is escaped (``& < >``), so model, subtitle, OCR and file
name text shows literally. Fonts: DejaVu Sans from the system when present (wide Unicode coverage), else the
Bitstream Vera fonts that ship inside ReportLab.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from core.report.data import ReportData, ReportLine, facts_rows, fmt_size
from core.timefmt import clock, length

# Font search: system DejaVu (Linux distributions, many macOS/Windows installs), then ReportLab's own Vera.
_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/local/share/fonts",
              "/Library/Fonts", "C:/Windows/Fonts")
INK, MUTED, LINE, ACCENT, BAND = "#1d2330", "#5d6675", "#e3e6ec", "#2454c5", "#17233d"


@cache
def _fonts() -> tuple[str, str]:
    """Register and return (regular, bold) font names."""
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    candidates = [(Path(d) / "DejaVuSans.ttf", Path(d) / "DejaVuSans-Bold.ttf") for d in _FONT_DIRS]
    rl = Path(reportlab.__file__).parent / "fonts"
    candidates.append((rl / "Vera.ttf", rl / "VeraBd.ttf"))
    for regular, bold in candidates:
        if regular.is_file() and bold.is_file():
            pdfmetrics.registerFont(TTFont("LW-Regular", str(regular)))
            pdfmetrics.registerFont(TTFont("LW-Bold", str(bold)))
            pdfmetrics.registerFontFamily("LW-Regular", normal="LW-Regular", bold="LW-Bold",
                                          italic="LW-Regular", boldItalic="LW-Bold")
            return "LW-Regular", "LW-Bold"
    return "Helvetica", "Helvetica-Bold"


def _text(value: str) -> str:
    """Paragraph-safe text: markup escaped, newlines kept as line breaks."""
    return escape(value).replace("\n", "<br/>")


def render_pdf(data: ReportData) -> bytes:
    """The report as PDF bytes."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=18 * mm, title=f"{data.title} — video report", author=data.generator,
                            creator=data.generator, subject="Video report")
    story = _Story(data, doc.width)
    doc.build(story.flowables(), onFirstPage=story.footer, onLaterPages=story.footer)
    return buf.getvalue()


class _Story:
    """Builds the flowables; one method per section."""

    def __init__(self, data: ReportData, width: float) -> None:
        from reportlab.lib.colors import HexColor
        from reportlab.lib.styles import ParagraphStyle

        self.data, self.width = data, width
        regular, bold = _fonts()
        self.bold = bold
        base = ParagraphStyle("base", fontName=regular, fontSize=9.5, leading=13.5, textColor=HexColor(INK))
        self.s = {
            "base": base,
            "title": ParagraphStyle("title", base, fontName=bold, fontSize=19, leading=23, textColor=HexColor("#ffffff")),
            "kicker": ParagraphStyle("kicker", base, fontSize=8, textColor=HexColor("#9fb3e0")),
            "meta": ParagraphStyle("meta", base, fontSize=8.5, textColor=HexColor("#c9d3e8")),
            "h2": ParagraphStyle("h2", base, fontName=bold, fontSize=13, leading=17, spaceBefore=12, spaceAfter=6),
            "h3": ParagraphStyle("h3", base, fontName=bold, fontSize=10.5, leading=14),
            "muted": ParagraphStyle("muted", base, fontSize=8.5, leading=12, textColor=HexColor(MUTED)),
            "time": ParagraphStyle("time", base, fontName=bold, fontSize=9, textColor=HexColor(ACCENT)),
            "cell": ParagraphStyle("cell", base, fontSize=8.5, leading=11.5),
            "para": ParagraphStyle("para", base, spaceAfter=5),
        }

    def p(self, text: str, style: str = "base") -> object:
        from reportlab.platypus import Paragraph

        return Paragraph(text, self.s[style])

    def flowables(self) -> list[object]:
        return [*self._header(), *self._facts(), *self._summary(), *self._chapters(), *self._ads(),
                *self._questions(), *self._lines("Transcript", self.data.transcript),
                *self._lines("Subtitles", self.data.subtitles)]

    def _lines(self, title: str, lines: tuple[ReportLine, ...]) -> list[object]:
        if not lines:
            return []
        rows: list[list[object]] = [[self.p(clock(line.start_s), "time"), self.p(_text(line.text), "cell")]
                                    for line in lines]
        return [self.p(f"{title} ({len(lines)})", "h2"), self._grid(rows, [48.0, self.width - 48.0])]

    def _header(self) -> list[object]:
        from reportlab.lib.colors import HexColor
        from reportlab.lib.units import mm
        from reportlab.platypus import Spacer, Table, TableStyle

        v = self.data.video
        generated = self.data.generated_at.replace("T", " ").replace("Z", " UTC")
        meta = (f"{clock(v.duration_s)} · {v.video.width}×{v.video.height} · {fmt_size(v.size_bytes)} · "
                f"generated {generated} by {self.data.generator}")
        cell = [self.p("VIDEO REPORT", "kicker"), self.p(_text(self.data.title), "title"), self.p(_text(meta), "meta")]
        band = Table([[cell]], colWidths=[self.width])
        band.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), HexColor(BAND)),
                                  ("LEFTPADDING", (0, 0), (-1, -1), 14), ("RIGHTPADDING", (0, 0), (-1, -1), 14),
                                  ("TOPPADDING", (0, 0), (-1, -1), 12), ("BOTTOMPADDING", (0, 0), (-1, -1), 12)]))
        return [band, Spacer(1, 4 * mm)]

    def _grid(self, rows: list[list[object]], widths: list[float], header: bool = False, pad: float = 3) -> object:
        from reportlab.lib.colors import HexColor
        from reportlab.platypus import Table, TableStyle

        table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
        style = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -2), 0.5, HexColor(LINE)),
                 ("TOPPADDING", (0, 0), (-1, -1), pad), ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
                 ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 6)]
        if header:
            style += [("BACKGROUND", (0, 0), (-1, 0), HexColor("#f3f5f8"))]
        table.setStyle(TableStyle(style))
        return table

    def _facts(self) -> list[object]:
        rows = [[self.p(_text(k), "muted"), self.p(_text(v), "cell")] for k, v in
                facts_rows(self.data.video, show_location=self.data.show_location)]
        out: list[object] = [self.p("File", "h2"), self._grid(rows, [28 * 2.835, self.width - 28 * 2.835])]
        if self.data.missing:
            out += [self.p("Not in this report", "h2")]
            out += [self.p("• " + _text(m), "muted") for m in self.data.missing]
        return out

    def _summary(self) -> list[object]:
        out: list[object] = [self.p("Summary", "h2")]
        if self.data.overview:
            out += [self.p(_text(para), "para") for para in self.data.overview.split("\n\n") if para.strip()]
            if self.data.summary_sources:
                out.append(self.p("From: " + _text(", ".join(self.data.summary_sources)), "muted"))
        elif self.data.overview is None:
            out.append(self.p("No summary yet.", "muted"))
        return out

    def _chapters(self) -> list[object]:
        from reportlab.lib.units import mm
        from reportlab.platypus import Image

        if not self.data.chapters:
            return []
        thumb_w = 44 * mm
        rows: list[list[object]] = []
        for e in self.data.chapters:
            c = e.chapter
            img: object = ""
            if e.thumbnail:
                pic = Image(io.BytesIO(e.thumbnail))
                scale = thumb_w / pic.imageWidth
                pic.drawWidth, pic.drawHeight = thumb_w, pic.imageHeight * scale
                img = pic
            body = [self.p(f"{clock(c.start)} – {clock(c.end)} "
                           f"<font color='{MUTED}'>({length(c.end - c.start)})</font>", "time"),
                    self.p(_text(c.title or "Untitled"), "h3")]
            if c.text:
                body.append(self.p(_text(c.text)))
            rows.append([img, body])
        return [self.p(f"Chapters ({len(rows)})", "h2"),
                self._grid(rows, [thumb_w + 10, self.width - thumb_w - 10], pad=6)]

    def _ads(self) -> list[object]:
        out: list[object] = [self.p("Ads", "h2")]
        ads = self.data.ads
        if ads is None:
            return [*out, self.p("Ads were not looked for.", "muted")]
        if not ads:
            return [*out, self.p("No ads found.", "muted")]
        total = length(sum(m.duration for m in ads))
        out.append(self.p(f"{total} in {len(ads)} break{'s' if len(ads) != 1 else ''}.", "muted"))
        head = [self.p(f"<b>{h}</b>", "muted") for h in ("#", "From", "To", "Length", "Conf.", "Why")]
        rows: list[list[object]] = [head]
        for i, m in enumerate(ads, 1):
            rows.append([self.p(str(i), "cell"), self.p(clock(m.start), "time"), self.p(clock(m.end), "time"),
                         self.p(length(m.end - m.start), "cell"), self.p(f"{m.score * 100:.0f}%", "cell"),
                         self.p(_text("; ".join(m.why)), "muted")])
        w = [22.0, 44.0, 44.0, 58.0, 40.0]
        return [*out, self._grid(rows, [*w, self.width - sum(w)], header=True)]

    def _questions(self) -> list[object]:
        from reportlab.platypus import KeepTogether, Spacer

        out: list[object] = [self.p("Questions", "h2")]
        if not self.data.questions:
            return [*out, self.p("No questions asked yet.", "muted")]
        for a in self.data.questions:
            block: list[object] = [self.p(_text(a.question or "(no question)"), "h3")]
            if a.text:
                block.append(self.p(_text(a.text)))
            for m in a.moments:
                extra = f" — {_text(m.label)}" if m.label and m.label != a.question else ""
                why = f" <font color='{MUTED}'>({_text('; '.join(m.why))})</font>" if m.why else ""
                block.append(self.p(f"<font color='{ACCENT}'><b>{clock(m.start)} – {clock(m.end)}</b></font>"
                                    f" · {m.score * 100:.0f}%{extra}{why}", "cell"))
            if not a.text and not a.moments:
                block.append(self.p("Nothing found.", "muted"))
            out += [KeepTogether(block), Spacer(1, 8)]
        return out

    def footer(self, canvas: Any, doc: Any) -> None:
        from reportlab.lib.colors import HexColor
        from reportlab.lib.units import mm

        c = canvas
        c.saveState()
        c.setFont(_fonts()[0], 7.5)
        c.setFillColor(HexColor(MUTED))
        text = f"{self.data.title} · {self.data.generator}"
        c.drawString(18 * mm, 10 * mm, text[:110])
        c.drawRightString(doc.pagesize[0] - 18 * mm, 10 * mm, f"Page {doc.page}")
        c.restoreState()
