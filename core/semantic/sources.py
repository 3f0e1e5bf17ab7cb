"""Reading the evidence layer (core.evidence) as ``EvidenceLine`` / ``FrameStat`` rows.

core.evidence owns its tables; this module only adapts its readers:

- ``read_transcript(db, fingerprint)``, ``read_subtitles(db, fingerprint)``, ``read_ocr(db, fingerprint)``:
  sequences of rows with ``start_s``, ``end_s``, ``text`` (transcript segments, subtitle lines, OCR spans);
- ``read_shots(db, fingerprint)``: spans with ``start_s`` (a shot starts there);
- ``read_frame_stats(db, fingerprint)``: core.evidence.FrameStat rows (with ``cut`` set where shots start), and
  ``read_frame_features``: the same as arrays in 0..1 (``FrameFeatures``, for whole-video arithmetic);
  ``read_shot_starts``: shot start times; ``read_black_frames``: black runs; ``read_done_stages``: finished
  stage names.

A reader with nothing for the video (no evidence pass yet) contributes nothing; the caller can always pass rows
directly instead.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sqlite_utils

from core import evidence
from core.errors import LongwatchError
from core.evidence import FrameStat
from core.semantic.types import EvidenceLine, FrameFeatures

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
    """The transcript as sentence lines across segment boundaries; a segment whose words do not spell its text
    (or that has none) stays one line of its own."""
    from core.semantic.normalize import normalize_text

    words: list[Any] = []
    out: list[EvidenceLine] = []
    for seg in sorted(segments, key=lambda s: float(s.start_s)):
        if not str(seg.text).strip():
            continue
        own = list(getattr(seg, "words", ()))
        if own and normalize_text(" ".join(str(w.word) for w in own)) == normalize_text(str(seg.text)):
            words.extend(own)
            continue
        out += sentences(words)  # what came before ends here
        words = []
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
    """The evidence pass's per-frame statistics (``cut`` set where shots start); none before the pass."""
    return list(_call(evidence.read_frame_stats, db, video))


def read_shot_starts(db: sqlite_utils.Database, video: str) -> list[float]:
    return sorted(float(r.start_s) for r in _call(evidence.read_shots, db, video))


def read_frame_features(db: sqlite_utils.Database, video: str) -> FrameFeatures:
    """The evidence pass's per-frame statistics as arrays in 0..1 (``FrameFeatures``); empty without a pass."""
    rows = _call(evidence.read_frame_stats, db, video)
    if not rows:
        return FrameFeatures.empty()
    return FrameFeatures(
        t_s=np.array([float(r.t_s) for r in rows]),
        luma=np.array([r.luma for r in rows], dtype=np.float32),
        saturation=np.array([r.saturation for r in rows], dtype=np.float32),
        motion=np.array([r.movement for r in rows], dtype=np.float32),
        hue=np.stack([np.asarray(r.hue_hist, dtype=np.float32).reshape(12) for r in rows]),
    )


def read_black_ends(db: sqlite_utils.Database, video: str) -> list[float]:
    """End times (seconds) of the black-frame runs: where a picture comes back after black."""
    return sorted(float(r.end_s) for r in _call(evidence.read_black_frames, db, video))


def read_done_stages(db: sqlite_utils.Database, video: str) -> frozenset[str]:
    """The evidence stages finished for ``video`` ("frames", "ocr", "speech", ...); empty without a pass."""
    return frozenset(str(s) for s in _call(evidence.read_done_stages, db, video))


ShotLabels = tuple[tuple[float, float, tuple[str, ...]], ...]


def read_vision(db: sqlite_utils.Database, video: str) -> tuple[ShotLabels, tuple[np.ndarray, np.ndarray] | None]:
    """What the vision stage stored: each shot's labels ((start_s, end_s, labels best first)) and the frame
    embeddings (times (m,), unit vectors (m, dim)); ((), None) when it did not run for ``video``.

    The object detector's finds are deliberately not words of the picture for summaries: on animation its COCO
    classes are confidently wrong (Big Buck Bunny's rabbit is "a person" at p 0.85, the meadow animals "a cow",
    "a horse"), so chapter titles made from them were false, and as scene-change features they lowered the
    held-out boundary F1 (benchmarks/RESULTS.md, issue 18). They still serve ``find`` (a query names what it
    wants, and a wrong guess only ranks a moment lower)."""
    from core.vision import VisionMissing, shot_descriptions
    from core.vision import store as vision_store
    from core.vision.shots import model_for

    try:
        shots = shot_descriptions(db, video)
        times, mat = vision_store.frames(db, video, model_for(db, video))
    except (VisionMissing, sqlite3.Error) as e:
        log.debug("no vision data for %s: %s", video, e)
        return (), None
    labels = tuple((s.start_s, s.end_s, tuple(label for label, _ in s.labels)) for s in shots)
    return labels, ((times, mat) if len(times) else None)
