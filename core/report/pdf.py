"""PDF report with ReportLab (pure Python, no browser): the same content as the HTML report, laid out for A4.

Text goes into ReportLab paragraphs, whose mini-markup is escaped (``& < >``), so model, subtitle, OCR and file
name text shows literally. Fonts: DejaVu Sans from the system when present (wide Unicode coverage), else the
Bitstream Vera fonts that ship inside ReportLab; characters the font lacks (Chinese, Japanese, Korean) are set in a
fallback font (Debian's fonts-droid-fallback for Han and kana, fonts-nanum for Hangul, or the system's CJK
TrueType fonts), embedded like the main font.
"""

from __future__ import annotations

import io
import itertools
import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from core.report.data import ReportData, ReportLine, facts_rows, fmt_size
from core.timefmt import clock, length

# Font search: system DejaVu (Linux distributions, many macOS/Windows installs), then ReportLab's own Vera.
_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/local/share/fonts",
              "/Library/Fonts", "C:/Windows/Fonts")
# Fonts for what DejaVu lacks (Chinese, Japanese, Korean), tried in order for each character: TrueType outlines
# only (ReportLab embeds no CFF/OTF). Debian: fonts-droid-fallback (Han, kana) and fonts-nanum (Hangul).
_FALLBACK_FONTS = ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
                   "/usr/share/fonts/google-droid-sans-fonts/DroidSansFallbackFull.ttf",  # Fedora
                   "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
                   "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
                   "/System/Library/Fonts/Supplemental/Arial Unicode.ttf", "/Library/Fonts/Arial Unicode.ttf",
                   "C:/Windows/Fonts/msyh.ttc", "C:/Windows/Fonts/malgun.ttf")
INK, MUTED, LINE, ACCENT, BAND = "#1d2330", "#5d6675", "#e3e6ec", "#2454c5", "#17233d"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Fonts:
    regular: str
    bold: str
    covered: frozenset[int]  # code points the regular font has glyphs for (a built-in font: Latin-1)
    fallbacks: tuple[tuple[str, frozenset[int]], ...]  # (font name, code points) for the others, embedded

    @property
    def fallback(self) -> str | None:
        return self.fallbacks[0][0] if self.fallbacks else None

    def font_for(self, ch: str) -> str | None:
        """None: the regular font has it; else the first fallback that has it (the regular one if none does)."""
        code = ord(ch)
        if code in self.covered or ch == "\n":
            return None
        return next((name for name, cov in self.fallbacks if code in cov), None)


@cache
def _fonts() -> _Fonts:
    """Register the regular, bold and fallback fonts (each found once per process)."""
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    candidates = [(Path(d) / "DejaVuSans.ttf", Path(d) / "DejaVuSans-Bold.ttf") for d in _FONT_DIRS]
    rl = Path(reportlab.__file__).parent / "fonts"
    candidates.append((rl / "Vera.ttf", rl / "VeraBd.ttf"))
    regular, bold, covered = "Helvetica", "Helvetica-Bold", frozenset(range(256))
    for reg_path, bold_path in candidates:
        if reg_path.is_file() and bold_path.is_file():
            font = TTFont("LW-Regular", str(reg_path))
            pdfmetrics.registerFont(font)
            pdfmetrics.registerFont(TTFont("LW-Bold", str(bold_path)))
            pdfmetrics.registerFontFamily("LW-Regular", normal="LW-Regular", bold="LW-Bold",
                                          italic="LW-Regular", boldItalic="LW-Bold")
            regular, bold, covered = "LW-Regular", "LW-Bold", frozenset(font.face.charToGlyph)
            break
    fallbacks: list[tuple[str, frozenset[int]]] = []
    for path in map(Path, _FALLBACK_FONTS):
        if not path.is_file():
            continue
        name = f"LW-Fallback{len(fallbacks)}"
        try:
            font = TTFont(name, str(path), subfontIndex=0)
        except Exception as e:  # a collection or outline format ReportLab cannot embed: try the next
            log.debug("cannot use %s as a fallback font: %s", path, e)
            continue
        pdfmetrics.registerFont(font)
        fallbacks.append((name, frozenset(font.face.charToGlyph)))
    return _Fonts(regular, bold, covered, tuple(fallbacks))


def _text(value: str) -> str:
    """Paragraph-safe text: markup escaped, newlines kept as line breaks, and runs of characters the regular
    font lacks (CJK...) set in a fallback font that has them, so they show instead of empty boxes."""
    fonts = _fonts()
    out: list[str] = []
    for font, run in itertools.groupby(value, key=fonts.font_for):
        piece = escape("".join(run))
        out.append(f'<font name="{font}">{piece}</font>' if font else piece)
    return "".join(out).replace("\n", "<br/>")


def _line_font(text: str) -> str:
    """The font to draw a plain canvas line in: a fallback when the regular font lacks a character of it."""
    fonts = _fonts()
    return next((f for f in map(fonts.font_for, text) if f), fonts.regular)


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
        fonts = _fonts()
        regular, bold = fonts.regular, fonts.bold
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
        text = f"{self.data.title} · {self.data.generator}"
        c.setFont(_line_font(text), 7.5)
        c.setFillColor(HexColor(MUTED))
        c.drawString(18 * mm, 10 * mm, text[:110])
        c.drawRightString(doc.pagesize[0] - 18 * mm, 10 * mm, f"Page {doc.page}")
        c.restoreState()
