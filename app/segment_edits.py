"""Undoable range edits on the timeline: resize, relabel, delete, add. Each command updates the timeline at
once and writes the change to the database through the engine (one transaction per edit)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from app.engine import Engine
from app.timeline import Timeline
from core.usecases import Segment


class SegmentEditor(QObject):
    """Owns the segments of the open video and the undo stack of their edits."""

    failed = Signal(str)

    def __init__(self, engine: Engine, timeline: Timeline, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.timeline = timeline
        self.stack = QUndoStack(self)
        self.video: str | None = None
        self.segments: dict[int, Segment] = {}
        self._writes: set[asyncio.Future[Segment]] = set()

    def load(self, video: str | None, segments: list[Segment]) -> None:
        self.video = video
        self.stack.clear()
        self.segments = {s.id: s for s in segments}
        self._show()

    def merge(self, segments: list[Segment], kind: str) -> None:
        """Replace the segments of ``kind`` after a detector ran (its own rows were replaced in the DB)."""
        self.segments = {i: s for i, s in self.segments.items() if s.kind != kind}
        self.segments.update({s.id: s for s in segments})
        self._show()

    @property
    def pending(self) -> int:
        return len(self._writes)

    def _show(self) -> None:
        self.timeline.set_segments(list(self.segments.values()))

    def _write(self, coro: Awaitable[Segment]) -> None:
        fut = asyncio.ensure_future(coro)
        self._writes.add(fut)
        fut.add_done_callback(self._written)

    def _written(self, fut: asyncio.Future[Segment]) -> None:
        self._writes.discard(fut)
        if not fut.cancelled() and fut.exception() is not None:
            self.failed.emit(f"The edit was not saved: {fut.exception()}")

    # ---- operations used by the commands ---------------------------------------------------------------------
    def set_fields(self, seg: Segment) -> None:
        self.segments[seg.id] = seg
        self._show()
        self._write(self.engine.update_segment(seg.id, label=seg.label, start_s=seg.start_s, end_s=seg.end_s))

    def remove(self, segment_id: int) -> None:
        self.segments.pop(segment_id, None)
        self._show()
        self._write(self.engine.delete_segment(segment_id))

    def restore(self, seg: Segment) -> None:
        self.segments[seg.id] = seg
        self._show()
        self._write(self.engine.add_segment(seg.video, seg.kind, seg.label, seg.start_s, seg.end_s,
                                            segment_id=seg.id, score=seg.score, source=seg.source))

    # ---- what the UI calls -------------------------------------------------------------------------------------
    def resize(self, segment_id: int, start_s: float, end_s: float) -> None:
        old = self.segments[segment_id]
        self.stack.push(_Change(self, old, dataclasses.replace(old, start_s=start_s, end_s=end_s, source="user"),
                                "Resize range"))

    def relabel(self, segment_id: int, label: str) -> None:
        old = self.segments[segment_id]
        self.stack.push(_Change(self, old, dataclasses.replace(old, label=label, source="user"), "Relabel range"))

    def delete(self, segment_id: int) -> None:
        if segment_id in self.segments:
            self.stack.push(_Delete(self, self.segments[segment_id]))

    async def add(self, kind: str, label: str, start_s: float, end_s: float) -> None:
        """A new hand-made range (created in the DB first so it has an id, then undoable)."""
        if self.video is None:
            return
        seg = await self.engine.add_segment(self.video, kind, label, start_s, end_s)
        self.segments[seg.id] = seg
        self._show()
        self.stack.push(_Added(self, seg))


class _Change(QUndoCommand):
    def __init__(self, editor: SegmentEditor, old: Segment, new: Segment, text: str) -> None:
        super().__init__(text)
        self.editor, self.old, self.new = editor, old, new

    def redo(self) -> None:
        self.editor.set_fields(self.new)

    def undo(self) -> None:
        self.editor.set_fields(self.old)


class _Delete(QUndoCommand):
    def __init__(self, editor: SegmentEditor, seg: Segment) -> None:
        super().__init__(f"Delete {seg.label}")
        self.editor, self.seg = editor, seg

    def redo(self) -> None:
        self.editor.remove(self.seg.id)

    def undo(self) -> None:
        self.editor.restore(self.seg)


class _Added(QUndoCommand):
    """Pushed after the row exists: the first redo does nothing, later redos restore it."""

    def __init__(self, editor: SegmentEditor, seg: Segment) -> None:
        super().__init__(f"Add {seg.label}")
        self.editor, self.seg, self.first = editor, seg, True

    def redo(self) -> None:
        if self.first:
            self.first = False
            return
        self.editor.restore(self.seg)

    def undo(self) -> None:
        self.editor.remove(self.seg.id)
