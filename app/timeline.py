"""Our own timeline: thumbnails, shot cuts, typed ranges, speech/subtitle density, moment markers, relevance heat,
a playhead, hover time with a preview, zoom, and range editing (select, drag edges to resize, relabel, delete,
drag across an empty part of the ranges row to create one). Dragging anywhere else scrubs.

Rows, top to bottom (pixels): ruler, thumbnail strip (cuts drawn across it), ranges (markers above them),
density (speech / subtitles), heat. Edits are not applied here: the widget emits what the person did and the
owner turns it into an undoable command, then calls ``set_segments``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QPolygonF,
    QWheelEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from core.results import Moment
from core.timefmt import clock
from core.usecases import Segment

RULER_H, THUMB_H, RANGE_H, DENSITY_H, HEAT_H, GAP = 16, 44, 22, 10, 8, 3
EDGE_PX = 5  # grab distance of a range edge
KIND_COLOURS = {"ad": "#f08a3c", "chapter": "#4a9fe0", "event": "#4ec27a", "mark": "#b07ce0"}
MAX_ZOOM = 400.0
DRAG_PX = 4  # a press that moves less than this is a click


@dataclass(frozen=True)
class Thumb:
    t_s: float
    pixmap: QPixmap


class Timeline(QWidget):
    seek_requested = Signal(float)
    range_selected = Signal(int)  # segment id, -1 for none
    range_resized = Signal(int, float, float)  # id, new start, new end
    relabel_requested = Signal(int)
    delete_requested = Signal(int)
    range_created = Signal(float, float)  # start, end of a range dragged out on the ranges row
    view_changed = Signal(float, float)  # visible start, end (after a zoom or scroll)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.duration_s = 0.0
        self.position_s = 0.0
        self.thumbs: list[Thumb] = []
        self.cuts: list[float] = []
        self.speech: list[tuple[float, float]] = []
        self.subtitles: list[tuple[float, float]] = []
        self.segments: list[Segment] = []
        self.markers: list[Moment] = []
        self.heat: list[tuple[float, float, float]] = []
        self.highlight: tuple[float, float] | None = None
        self.selected = -1
        self.view_start_s = 0.0
        self.zoom = 1.0  # 1 = whole video visible
        self._hover_x: float | None = None
        self._drag: tuple[int, str, float, float] | None = None  # id, edge "start"/"end", new start, new end
        self._create: tuple[float, float] | None = None  # press x and current x of a range being dragged out
        self._scrub = False
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumHeight(RULER_H + THUMB_H + RANGE_H + DENSITY_H + HEAT_H + 5 * GAP + 8)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    # ---- data ---------------------------------------------------------------------------------------------------
    def clear(self) -> None:
        self.thumbs, self.cuts, self.speech, self.subtitles = [], [], [], []
        self.segments, self.markers, self.heat = [], [], []
        self.highlight, self.selected, self.zoom, self.view_start_s, self.position_s = None, -1, 1.0, 0.0, 0.0
        self.update()

    def set_duration(self, seconds: float) -> None:
        self.duration_s = max(0.0, seconds)
        self.update()

    def set_position(self, seconds: float) -> None:
        self.position_s = seconds
        if self.zoom > 1 and not self.view_start_s <= seconds <= self.view_start_s + self.visible_s:
            self._set_view(seconds - self.visible_s * 0.1)
            self._announce_view()
        self.update()

    def add_thumbs(self, thumbs: list[Thumb]) -> None:
        """More frames for the strip (the overview's, or the visible span's when zoomed), kept sorted by time."""
        self.thumbs = sorted([*self.thumbs, *thumbs], key=lambda th: th.t_s)
        self.update()

    def set_segments(self, segments: list[Segment]) -> None:
        self.segments = sorted(segments, key=lambda s: (s.start_s, s.end_s))
        if self.selected not in {s.id for s in self.segments}:
            self.selected = -1
        self.update()

    def set_markers(self, moments: list[Moment]) -> None:
        """Moments of the last answer; they also make the relevance heat strip."""
        self.markers = sorted(moments, key=lambda m: m.start)
        self.heat = [(m.start, m.end, m.score) for m in moments]
        self.update()

    def set_highlight(self, start_s: float, end_s: float) -> None:
        self.highlight = (start_s, end_s)
        self.update()

    def segment(self, segment_id: int) -> Segment | None:
        return next((s for s in self.segments if s.id == segment_id), None)

    # ---- geometry -----------------------------------------------------------------------------------------------
    @property
    def visible_s(self) -> float:
        return self.duration_s / self.zoom if self.duration_s else 1.0

    def x_of(self, t: float) -> float:
        return (t - self.view_start_s) / self.visible_s * self.width()

    def t_of(self, x: float) -> float:
        return min(self.duration_s, max(0.0, self.view_start_s + x / max(1, self.width()) * self.visible_s))

    def _rows(self) -> dict[str, QRectF]:
        w, y = float(self.width()), 2.0
        rows: dict[str, QRectF] = {}
        for name, h in (("ruler", RULER_H), ("thumbs", THUMB_H), ("ranges", RANGE_H), ("density", DENSITY_H),
                        ("heat", HEAT_H)):
            rows[name] = QRectF(0, y, w, h)
            y += h + GAP
        return rows

    def _set_view(self, start_s: float) -> None:
        self.view_start_s = min(max(0.0, start_s), max(0.0, self.duration_s - self.visible_s))

    def zoom_by(self, factor: float, anchor_s: float | None = None) -> None:
        anchor = self.position_s if anchor_s is None else anchor_s
        frac = (anchor - self.view_start_s) / self.visible_s
        self.zoom = min(MAX_ZOOM, max(1.0, self.zoom * factor))
        self._set_view(anchor - frac * self.visible_s)
        self._announce_view()
        self.update()

    def _announce_view(self) -> None:
        self.view_changed.emit(self.view_start_s, self.view_start_s + self.visible_s)

    def _range_at(self, x: float, y: float) -> tuple[Segment | None, str]:
        if not self._rows()["ranges"].adjusted(0, -4, 0, 4).contains(QPointF(x, y)):
            return None, ""
        for s in reversed(self.segments):
            x0, x1 = self.x_of(s.start_s), self.x_of(s.end_s)
            if abs(x - x0) <= EDGE_PX:
                return s, "start"
            if abs(x - x1) <= EDGE_PX:
                return s, "end"
            if x0 < x < x1:
                return s, "body"
        return None, ""

    # ---- painting -----------------------------------------------------------------------------------------------
    def paintEvent(self, _event: object) -> None:
        p = QPainter(self)
        pal = self.palette()
        p.fillRect(self.rect(), pal.color(QPalette.ColorRole.Base))
        rows = self._rows()
        if self.duration_s <= 0:
            p.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "The timeline appears when a video is open")
            p.end()
            return
        self._paint_ruler(p, rows["ruler"], pal)
        self._paint_thumbs(p, rows["thumbs"], pal)
        self._paint_ranges(p, rows["ranges"], pal)
        self._paint_density(p, rows["density"])
        self._paint_heat(p, rows["heat"])
        self._paint_legend(p, rows, pal)
        self._paint_overlay(p, rows, pal)
        p.end()

    def _paint_ruler(self, p: QPainter, r: QRectF, pal: QPalette) -> None:
        step = _tick_step(self.visible_s, self.width())
        p.setPen(pal.color(QPalette.ColorRole.Mid))
        font = QFont(p.font())
        font.setPointSizeF(max(6.5, font.pointSizeF() * 0.8))
        p.setFont(font)
        t = (self.view_start_s // step) * step
        while t <= self.view_start_s + self.visible_s:
            x = self.x_of(t)
            p.setPen(pal.color(QPalette.ColorRole.Mid))
            p.drawLine(QPointF(x, r.bottom() - 4), QPointF(x, r.bottom()))
            p.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            p.drawText(QPointF(x + 3, r.bottom() - 4), clock(t))
            t += step

    def _paint_thumbs(self, p: QPainter, r: QRectF, pal: QPalette) -> None:
        p.fillRect(r, pal.color(QPalette.ColorRole.AlternateBase))
        if self.thumbs:
            tw = r.height() * 16 / 9
            x = 0.0
            while x < r.width():
                th = self._thumb_near(self.t_of(x + tw / 2))
                if th is not None:
                    p.drawPixmap(QRectF(x, r.top(), tw, r.height()), th.pixmap, QRectF(th.pixmap.rect()))
                x += tw
        p.setPen(QPen(QColor(255, 255, 255, 150), 1))
        for c in self.cuts:
            x = self.x_of(c)
            if 0 <= x <= r.width():
                p.drawLine(QPointF(x, r.top()), QPointF(x, r.bottom()))

    def _paint_ranges(self, p: QPainter, r: QRectF, pal: QPalette) -> None:
        p.fillRect(r, pal.color(QPalette.ColorRole.Window))
        if self.highlight:
            a, b = self.x_of(self.highlight[0]), self.x_of(self.highlight[1])
            p.fillRect(QRectF(a, r.top() - 2, max(2.0, b - a), r.height() + 4), QColor(255, 215, 64, 90))
        for s in self.segments:
            start, end = (self._drag[2], self._drag[3]) if self._drag and self._drag[0] == s.id else (s.start_s, s.end_s)
            a, b = self.x_of(start), self.x_of(end)
            box = QRectF(a, r.top() + 2, max(2.0, b - a), r.height() - 4)
            colour = QColor(KIND_COLOURS.get(s.kind, "#888888"))
            colour.setAlpha(210)
            p.setPen(QPen(pal.color(QPalette.ColorRole.Text), 2) if s.id == self.selected else Qt.PenStyle.NoPen)
            p.setBrush(colour)
            p.drawRoundedRect(box, 3, 3)
            if box.width() > 30:
                p.setPen(QColor("#101010"))
                p.drawText(box.adjusted(4, 0, -2, 0), Qt.AlignmentFlag.AlignVCenter, s.label)
        if self._create is not None:
            a, b = sorted(self._create)
            colour = QColor(KIND_COLOURS["mark"])
            colour.setAlpha(120)
            p.setPen(QPen(pal.color(QPalette.ColorRole.Text), 1, Qt.PenStyle.DashLine))
            p.setBrush(colour)
            p.drawRoundedRect(QRectF(a, r.top() + 2, max(2.0, b - a), r.height() - 4), 3, 3)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#ffd740"))
        for m in self.markers:
            x = self.x_of(m.start)
            p.drawPolygon(QPolygonF([QPointF(x - 5, r.top() - 3), QPointF(x + 5, r.top() - 3), QPointF(x, r.top() + 5)]))

    def _paint_density(self, p: QPainter, r: QRectF) -> None:
        half = r.height() / 2
        for spans, colour, y in ((self.speech, QColor(90, 180, 255, 200), r.top()),
                                 (self.subtitles, QColor(200, 200, 120, 200), r.top() + half)):
            for a, b in spans:
                xa, xb = self.x_of(a), self.x_of(b)
                if xb >= 0 and xa <= r.width():
                    p.fillRect(QRectF(xa, y, max(1.0, xb - xa), half - 1), colour)

    def _paint_heat(self, p: QPainter, r: QRectF) -> None:
        for a, b, score in self.heat:
            xa, xb = self.x_of(a), self.x_of(b)
            p.fillRect(QRectF(xa, r.top(), max(2.0, xb - xa), r.height()), QColor(255, 70, 40, int(60 + 195 * score)))

    def _paint_legend(self, p: QPainter, rows: dict[str, QRectF], pal: QPalette) -> None:
        """Row names, small and faint, at the right end of the rows that have no labels of their own."""
        font = QFont(p.font())
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.75))
        p.setFont(font)
        colour = pal.color(QPalette.ColorRole.PlaceholderText)
        colour.setAlpha(170)
        p.setPen(colour)
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        p.drawText(rows["density"].adjusted(0, -2, -4, 2), right, "speech / subtitles")
        p.drawText(rows["heat"].adjusted(0, -3, -4, 3), right, "relevance")

    def _paint_overlay(self, p: QPainter, rows: dict[str, QRectF], pal: QPalette) -> None:
        x = self.x_of(self.position_s)
        p.setPen(QPen(QColor("#ff3b30"), 2))
        p.drawLine(QPointF(x, rows["ruler"].top()), QPointF(x, rows["heat"].bottom()))
        if self._hover_x is None:
            return
        t = self.t_of(self._hover_x)
        p.setPen(QPen(pal.color(QPalette.ColorRole.Text), 1, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(self._hover_x, rows["ruler"].top()), QPointF(self._hover_x, rows["heat"].bottom()))
        th = self._thumb_near(t)
        label = clock(t, tenths=self.visible_s < 120)
        bx = min(max(0.0, self._hover_x - 48), self.width() - 98.0)
        box = QRectF(bx, rows["thumbs"].top(), 96, rows["thumbs"].height())
        if th is not None:
            p.drawPixmap(box, th.pixmap, QRectF(th.pixmap.rect()))
        p.fillRect(QRectF(bx, rows["ruler"].top(), 96, RULER_H), pal.color(QPalette.ColorRole.ToolTipBase))
        p.setPen(pal.color(QPalette.ColorRole.ToolTipText))
        p.drawText(QRectF(bx, rows["ruler"].top(), 96, RULER_H), Qt.AlignmentFlag.AlignCenter, label)

    def _thumb_near(self, t: float) -> Thumb | None:
        if not self.thumbs:
            return None
        times = [th.t_s for th in self.thumbs]
        i = bisect.bisect_left(times, t)
        cands = [j for j in (i - 1, i) if 0 <= j < len(self.thumbs)]
        return min((self.thumbs[j] for j in cands), key=lambda th: abs(th.t_s - t))

    # ---- interaction --------------------------------------------------------------------------------------------
    def mousePressEvent(self, e: QMouseEvent) -> None:
        if self.duration_s <= 0 or e.button() != Qt.MouseButton.LeftButton:
            return
        x, y = e.position().x(), e.position().y()
        seg, part = self._range_at(x, y)
        if seg is None:
            self.selected = -1
            self.range_selected.emit(-1)
            if self._rows()["ranges"].contains(QPointF(x, y)):
                self._create = (x, x)  # a click seeks on release; a drag makes a range
            else:
                self._scrub = True
                self.seek_requested.emit(self.t_of(x))
        else:
            self.selected = seg.id
            self.range_selected.emit(seg.id)
            if part in ("start", "end"):
                self._drag = (seg.id, part, seg.start_s, seg.end_s)
            else:
                self.seek_requested.emit(seg.start_s)
        self.update()

    def mouseMoveEvent(self, e: QMouseEvent) -> None:
        x = e.position().x()
        self._hover_x = x
        if self._drag is not None:
            sid, edge, a, b = self._drag
            t = self.t_of(x)
            a, b = (min(t, b), b) if edge == "start" else (a, max(t, a))
            self._drag = (sid, edge, a, b)
        elif self._create is not None:
            self._create = (self._create[0], min(max(0.0, x), float(self.width())))
        elif self._scrub and e.buttons() & Qt.MouseButton.LeftButton:
            self.seek_requested.emit(self.t_of(x))
        else:
            _, part = self._range_at(x, e.position().y())
            self.setCursor(Qt.CursorShape.SizeHorCursor if part in ("start", "end") else Qt.CursorShape.ArrowCursor)
        self.update()

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:
        self._scrub = False
        if self._drag is not None:
            sid, _, a, b = self._drag
            self._drag = None
            seg = self.segment(sid)
            if seg is not None and (a, b) != (seg.start_s, seg.end_s):
                self.range_resized.emit(sid, a, b)
            self.update()
        elif self._create is not None:
            x0, x1 = self._create
            self._create = None
            if abs(x1 - x0) >= DRAG_PX:
                a, b = sorted((self.t_of(x0), self.t_of(x1)))
                self.range_created.emit(a, b)
            else:
                self.seek_requested.emit(self.t_of(x0))
            self.update()

    def mouseDoubleClickEvent(self, e: QMouseEvent) -> None:
        seg, _ = self._range_at(e.position().x(), e.position().y())
        if seg is not None:
            self.relabel_requested.emit(seg.id)

    def leaveEvent(self, _e: object) -> None:
        self._hover_x = None
        self.update()

    def wheelEvent(self, e: QWheelEvent) -> None:
        steps = e.angleDelta().y() / 120
        if e.modifiers() & Qt.KeyboardModifier.ControlModifier or self.zoom == 1.0:
            self.zoom_by(1.25 ** steps, self.t_of(e.position().x()))
        else:
            self._set_view(self.view_start_s - steps * self.visible_s * 0.1)
            self._announce_view()
            self.update()

    def keyPressEvent(self, e: QKeyEvent) -> None:
        key = e.key()
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selected >= 0:
            self.delete_requested.emit(self.selected)
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(1.5)
        elif key == Qt.Key.Key_Minus:
            self.zoom_by(1 / 1.5)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_F2) and self.selected >= 0:
            self.relabel_requested.emit(self.selected)
        else:
            super().keyPressEvent(e)

    def marker_times(self) -> list[float]:
        """Times to jump between: moment markers, range starts and shot cuts, sorted."""
        return sorted({*(m.start for m in self.markers), *(s.start_s for s in self.segments), *self.cuts})

    def next_marker(self, t: float, direction: int) -> float | None:
        times = self.marker_times()
        if direction > 0:
            later = [x for x in times if x > t + 0.25]
            return later[0] if later else None
        earlier = [x for x in times if x < t - 0.25]
        return earlier[-1] if earlier else None


def _tick_step(visible_s: float, width_px: int) -> float:
    """A round tick interval giving labels at least ~70 px apart."""
    target = visible_s * 70 / max(1, width_px)
    for step in (0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200):
        if step >= target:
            return float(step)
    return 7200.0
