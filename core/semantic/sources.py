"""Reading the evidence layer (core.evidence) as ``EvidenceLine`` / ``FrameStat`` rows.

core.evidence owns its tables; this module only adapts its readers:

- ``read_transcript(db, fingerprint)``, ``read_subtitles(db, fingerprint)``, ``read_ocr(db, fingerprint)``:
  sequences of rows with ``start_s``, ``end_s``, ``text`` (transcript segments, subtitle lines, OCR spans);
- ``read_shots(db, fingerprint)``: spans with ``start_s`` (a shot starts there);
- ``read_frame_stats(db, fingerprint)``: core.evidence.FrameStat rows (luma_mean, sat_mean, motion in 0..255,
  dominant_rgb 0xRRGGBB), or rows with the fields of ``core.semantic.FrameStat``; ``read_cuts``: cut times.

A reader with nothing for the video (no evidence pass yet) contributes nothing; the caller can always pass rows
directly instead.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

import sqlite_utils

from core import evidence
from core.errors import LongwatchError
from core.semantic.types import EvidenceLine, FrameStat

log = logging.getLogger(__name__)

Reader = Callable[[sqlite_utils.Database, str], Sequence[Any]]
_LINE_READERS: tuple[tuple[Reader, str], ...] = (
    (evidence.read_transcript, "speech"),
    (evidence.read_subtitles, "subtitle"),
    (evidence.read_ocr_lines, "ocr"),
)


def _call(reader: Reader, db: sqlite_utils.Database, video: str) -> Sequence[Any]:
    """What ``reader`` has for ``video``; nothing before its evidence pass."""
    try:
        return list(reader(db, video))
    except (sqlite3.Error, LongwatchError) as e:  # no evidence run for this video yet
        log.debug("%s(%s): %s", getattr(reader, "__name__", "reader"), video, e)
        return ()


def dedupe_ocr(lines: Sequence[EvidenceLine], gap_s: float = 2.0) -> list[EvidenceLine]:
    """Merge on-screen text seen on consecutive frames into one span per appearance (same normalised text)."""
    from core.semantic.normalize import normalize_text

    out: list[EvidenceLine] = []
    last: dict[str, int] = {}
    for ln in sorted(lines, key=lambda x: x.start_s):
        key = normalize_text(ln.text)
        i = last.get(key)
        if i is not None and ln.start_s - out[i].end_s <= gap_s:
            prev = out[i]
            out[i] = EvidenceLine(prev.start_s, max(prev.end_s, ln.end_s), prev.text, "ocr")
        else:
            last[key] = len(out)
            out.append(EvidenceLine(ln.start_s, ln.end_s, ln.text, "ocr"))
    return out


def sentences(words: Sequence[Any], max_s: float = 12.0, pause_s: float = 1.0) -> list[EvidenceLine]:
    """Speech lines from timed words (``start_s``, ``end_s``, ``word``) in time order: a line ends after a word
    ending a sentence, before a pause longer than ``pause_s``, or once it lasts ``max_s``.

    Built from the words of the whole transcript, so the lines do not depend on where the recogniser happened to
    cut its segments (Whisper puts two sentences in one segment, or cuts one sentence across two, and does so
    differently from run to run on a busy CPU): a line per sentence embeds better and points at the right second.
    """
    out: list[EvidenceLine] = []
    chunk: list[Any] = []
    for i, w in enumerate(words):
        chunk.append(w)
        nxt = words[i + 1] if i + 1 < len(words) else None
        ends = str(w.word).strip().endswith((".", "?", "!"))
        if nxt is None or ends or float(nxt.start_s) - float(w.end_s) > pause_s \
                or float(w.end_s) - float(chunk[0].start_s) > max_s:
            said = " ".join(str(x.word).strip() for x in chunk if str(x.word).strip())
            if said:
                a = float(chunk[0].start_s)
                out.append(EvidenceLine(a, max(a, float(chunk[-1].end_s)), said, "speech"))
            chunk = []
    return out


def split_segment(start_s: float, end_s: float, text: str, words: Sequence[Any],
                  max_s: float = 12.0, pause_s: float = 1.0) -> list[EvidenceLine]:
    """One transcript segment as lines: its sentences when it has word times (``sentences``), else itself."""
    if not words:
        return [EvidenceLine(start_s, max(end_s, start_s), " ".join(text.split()), "speech")]
    return sentences(words, max_s, pause_s)


def speech_lines(segments: Sequence[Any]) -> list[EvidenceLine]:
    """The transcript as sentence lines across segment boundaries (segments without word times as they are)."""
    words: list[Any] = []
    out: list[EvidenceLine] = []
    for seg in sorted(segments, key=lambda s: float(s.start_s)):
        if not str(seg.text).strip():
            continue
        if getattr(seg, "words", ()):
            words.extend(seg.words)
        else:
            out += split_segment(float(seg.start_s), float(seg.end_s), str(seg.text), ())
    return sorted([*out, *sentences(words)], key=lambda ln: ln.start_s)


def _rows(reader: Reader, source: str, db: sqlite_utils.Database, video: str) -> list[EvidenceLine]:
    rows = _call(reader, db, video)
    if source == "speech":
        return speech_lines(rows)
    return [EvidenceLine(float(r.start_s), float(max(r.end_s, r.start_s)), " ".join(str(r.text).split()), source)
            for r in rows if str(r.text).strip()]


def read_lines(db: sqlite_utils.Database, video: str) -> list[EvidenceLine]:
    """Transcript segments (long ones cut at sentences), subtitle lines, de-duplicated on-screen text and what
    each shot shows (``core.vision.visual_lines``, when the vision stage ran) of ``video``, in time order."""
    from core.vision import visual_lines

    lines: list[EvidenceLine] = []
    for reader, source in _LINE_READERS:
        rows = _rows(reader, source, db, video)
        lines.extend(dedupe_ocr(rows) if source == "ocr" else rows)
    lines += [EvidenceLine(v.start_s, v.end_s, v.text, "visual") for v in visual_lines(db, video)]
    return sorted(lines, key=lambda x: (x.start_s, x.source))


def read_frame_stats(db: sqlite_utils.Database, video: str) -> list[FrameStat]:
    """The evidence pass's per-frame statistics as ``FrameStat`` (0..1 units), cuts from ``read_cuts``.

    core.evidence stores luma / saturation / motion in 0..255 and the dominant colour as 0xRRGGBB (4 levels per
    channel), so they are rescaled here; a frame is marked ``cut`` when a stored cut falls on it.
    """
    rows = _call(evidence.read_frame_stats, db, video)
    if not rows:
        return []
    cut_times = sorted(float(t) for t in _call(evidence.read_cuts, db, video))
    times = [float(r.t_s) for r in rows]
    cut_idx = {min(range(len(times)), key=lambda i: abs(times[i] - c)) for c in cut_times}
    out = []
    for i, r in enumerate(rows):
        if hasattr(r, "luma_mean"):  # core.evidence.FrameStat
            rgb = int(r.dominant_rgb)
            out.append(FrameStat(float(r.t_s), (rgb >> 16) / 255.0, (rgb >> 8 & 255) / 255.0, (rgb & 255) / 255.0,
                                 float(r.luma_mean) / 255.0, float(r.sat_mean) / 255.0, float(r.motion) / 255.0,
                                 i in cut_idx))
        else:
            out.append(FrameStat(float(r.t_s), float(r.r), float(r.g), float(r.b), float(r.luma),
                                 float(r.saturation), float(r.motion), bool(getattr(r, "cut", False)) or i in cut_idx))
    return out


def read_shot_starts(db: sqlite_utils.Database, video: str) -> list[float]:
    return sorted(float(r.start_s) for r in _call(evidence.read_shots, db, video))
