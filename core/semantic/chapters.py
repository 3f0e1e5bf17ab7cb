"""``evidence_summary``: chapters and an overall summary from evidence alone (no video-LLM).

1. Opening titles and end credits (``credits.title_sequences``) become chapters of their own.
2. The story between them is cut where the picture changes scene (``scenes.change_scores`` over shots) and
   where the talk changes topic (``tiling.text_gap_scores`` over speech and subtitle lines, and over shot
   captions when the vision stage wrote them); ``segment.choose`` takes the best boundaries.
3. Each story chapter gets a title and a sentence from what is said there (``chapter_text``), gated so OCR
   debris, name lists and invented words are never shown, or, when nothing usable is said, a plain statement
   of what is known ("0:23–2:36: bright, green scenes, no speech").

``summarise`` does the work on rows (``SummaryInputs``); ``evidence_summary`` reads them from the library.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import sqlite_utils

from core.results import Summary
from core.semantic import store
from core.semantic.chapter_text import ChapterPlan, vision_labels, write_chapters
from core.semantic.credits import TitleSequence, title_sequences
from core.semantic.embedder import get_embedder
from core.semantic.gates import repetitive
from core.semantic.scenes import black_starts, change_scores, shot_vectors, standardise
from core.semantic.segment import candidates, choose, relative
from core.semantic.sources import (
    read_black_ends,
    read_done_stages,
    read_frame_features,
    read_shot_starts,
    read_vision,
)
from core.semantic.summary_inputs import ChapterOptions, SummaryInputs
from core.semantic.tiling import depth_cutoff, text_gap_scores
from core.semantic.types import EmbedOptions, EvidenceLine, FrameFeatures

__all__ = ["ChapterOptions", "SummaryInputs", "evidence_summary", "read_inputs", "summarise"]

POST_CREDITS_MIN_S = 8.0  # a scene after the credits shorter than this joins the credits chapter
TEXT_SOURCES = ("speech", "subtitle", "visual")  # lines whose topic shifts are chapter boundaries


def _topic_line(line: EvidenceLine) -> bool:
    """A line whose topic shifts count as boundaries: speech, subtitles and shot captions, not the vision
    labels ("Seen: a person, a dog."). Labels are a lossy copy of the picture that shot similarity already
    measures, so counting their shifts again adds the detector's jitter (and, on footage outside its classes,
    such as a cartoon, its errors: on Big Buck Bunny they moved boundaries 4-19 s off the scene changes)."""
    return line.source in TEXT_SOURCES and not vision_labels(line) and not repetitive(line.text)


def _frame_matrix(frames: FrameFeatures) -> tuple[np.ndarray, list[slice]]:
    """Per-frame feature rows for shot similarity: (n, dim) and its feature groups."""
    parts = [frames.hue, frames.luma[:, None], frames.saturation[:, None]]
    widths = [p.shape[1] for p in parts]
    edges = np.cumsum([0, *widths])
    return np.concatenate(parts, axis=1), [slice(int(a), int(b)) for a, b in itertools.pairwise(edges)]


def visual_scores(inp: SummaryInputs, opts: ChapterOptions) -> tuple[list[float], list[float]]:
    """Shot starts (first at 0) and their scene-change scores, from image embeddings when the vision stage
    stored them, else from colour statistics (all 0 without either); ([], []) without shots."""
    if not inp.shot_starts:
        return [], []
    if inp.embeddings is not None and len(inp.embeddings[0]):
        times, vecs = inp.embeddings
        shots = shot_vectors(times, vecs, inp.shot_starts, inp.duration_s)
        norms = np.linalg.norm(shots.vectors, axis=1, keepdims=True)
        shots = replace(shots, vectors=shots.vectors / np.maximum(norms, 1e-12))  # unit: distance ~ cosine
    elif len(inp.frames):
        mat, groups = _frame_matrix(inp.frames)
        shots = shot_vectors(inp.frames.t_s, standardise(mat, groups), inp.shot_starts, inp.duration_s)
    else:
        starts = sorted({0.0, *(s for s in inp.shot_starts if 0 < s < inp.duration_s)})
        return starts, [0.0] * len(starts)
    scores = change_scores(shots, opts.scene_window_s)
    return list(shots.starts), [float(s) for s in scores]


def _inside(line: EvidenceLine, a: float, b: float) -> bool:
    mid = (line.start_s + line.end_s) / 2
    return a <= mid < b


def story_spans(seqs: Sequence[TitleSequence], duration_s: float) -> list[tuple[float, float]]:
    """The stretches outside the title sequences (a post-credits scene is one when long enough)."""
    spans, t = [], 0.0
    for s in seqs:
        if s.start_s - t > 0:
            spans.append((t, s.start_s))
        t = s.end_s
    if duration_s - t >= POST_CREDITS_MIN_S:
        spans.append((t, duration_s))
    return [(a, b) for a, b in spans if b > a]


def boundaries(inp: SummaryInputs, span: tuple[float, float], shot_t: Sequence[float], vis: Sequence[float],
               faded: Sequence[bool], opts: ChapterOptions) -> list[float]:
    """Chapter starts inside ``span`` from the shots (starts, scene-change scores, black frames before them)
    and the text lines in it."""
    a, b = span
    idx = [i for i, ln in enumerate(inp.lines) if _topic_line(ln) and _inside(ln, a, b)]
    gaps = text_gap_scores([inp.lines[i] for i in idx], inp.vecs[idx], opts.window) if idx else []
    cutoff = depth_cutoff([d for _, d in gaps])
    in_span = [(t, v, f) for t, v, f in zip(shot_t, vis, faded, strict=True) if a < t < b]
    rel = relative([v for _, v, _ in in_span])
    cands = candidates([t for t, _, _ in in_span], rel, gaps, opts.snap_s, [f for _, _, f in in_span])
    return choose(cands, a, b, cutoff, opts.segment())


def plan_chapters(inp: SummaryInputs, opts: ChapterOptions) -> list[ChapterPlan]:
    ocr = [ln for ln in inp.lines if ln.source == "ocr"]
    seqs = title_sequences(ocr, inp.frames, inp.shot_starts, inp.duration_s)
    shot_t, vis = visual_scores(inp, opts)
    faded = black_starts(shot_t, inp.black_ends).tolist()
    plans = [ChapterPlan(s.start_s, s.end_s, s.kind, s.why) for s in seqs]
    for span in story_spans(seqs, inp.duration_s):
        edges = [span[0], *boundaries(inp, span, shot_t, vis, faded, opts), span[1]]
        plans += [ChapterPlan(x, y, "story") for x, y in itertools.pairwise(edges) if y > x]
    plans.sort(key=lambda p: p.start_s)
    if plans and plans[-1].kind == "credits" and inp.duration_s - plans[-1].end_s > 0:
        last = plans[-1]
        plans[-1] = ChapterPlan(last.start_s, inp.duration_s, last.kind, last.why)
    return plans


def summarise(inp: SummaryInputs, opts: ChapterOptions | None = None) -> Summary:
    """Chapters and an overview from ``inp``."""
    opts = opts or ChapterOptions()
    plans = plan_chapters(inp, opts)
    chapters, overview, used = write_chapters(plans, inp, opts)
    return Summary(tuple(chapters), overview, used)


def _duration(db: sqlite_utils.Database, video: str, lines: Sequence[EvidenceLine]) -> float:
    row = db.execute("SELECT duration_s FROM videos WHERE fingerprint = ?", [video]).fetchone()
    last = max((ln.end_s for ln in lines), default=0.0)
    return max(float(row[0]) if row else 0.0, last)


def read_inputs(db: sqlite_utils.Database, fingerprint: str, *, embed_options: EmbedOptions | None = None,
                shots: Sequence[float] | None = None, duration_s: float | None = None) -> SummaryInputs:
    """What the library holds for ``fingerprint``: embedded lines (``embed_evidence`` must have run), shots,
    frame features, black frames, finished stages."""
    stored, vecs = store.vectors(db, fingerprint, get_embedder(embed_options).identity)  # vecs (n, dim)
    lines = tuple(s.line for s in stored)
    shot_starts = tuple(sorted(read_shot_starts(db, fingerprint) if shots is None else shots))
    total = duration_s if duration_s is not None else _duration(db, fingerprint, lines)
    labels, embeddings = read_vision(db, fingerprint)
    return SummaryInputs(total, lines, vecs, shot_starts, read_frame_features(db, fingerprint),
                         tuple(read_black_ends(db, fingerprint)), read_done_stages(db, fingerprint), labels,
                         embeddings)


def evidence_summary(db: sqlite_utils.Database, fingerprint: str, *, options: ChapterOptions | None = None,
                     embed_options: EmbedOptions | None = None, shots: Sequence[float] | None = None,
                     duration_s: float | None = None) -> Summary:
    """Chapters (start, end, short title, one or two sentences) and an overview with [m:ss] times.

    Needs ``embed_evidence`` to have run for the video; ``shots`` (shot start times) default to the evidence
    pass's shots, ``duration_s`` to the library's duration of the video. ``Summary.sources`` names what was
    used (e.g. "speech", "ocr", "shots", "frame colour", "titles: smollm2").
    """
    inp = read_inputs(db, fingerprint, embed_options=embed_options, shots=shots, duration_s=duration_s)
    return summarise(inp, options)
