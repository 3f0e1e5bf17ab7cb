"""Titles, chapter sentences and the overview, from what each chapter holds, with the quality gates applied.

- Opening titles / end credits: titled as such; their on-screen text (names, roles) is never quoted.
- A story chapter with enough usable words (speech, subtitles, shot captions, and on-screen text that is prose,
  not names or debris; ``MIN_WORDS``) is titled by SmolLM2 when installed, else by key phrases; a model title
  whose content words the chapter never says, or any title that fails ``gates.title_problem``, falls back to
  key phrases and then to the plain description. Its sentence is its most central usable lines.
- Any other story chapter says what is known: "Scene 3: bright, green" and "0:23–2:36: bright, green scenes,
  quick cuts, no speech" (``describe``); with vision labels, what is seen ("a forest, a rabbit").
- The overview quotes the most central usable line of the largest chapters with [m:ss] times; a video with
  too little said gets a plain account of its parts instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.results import Chapter
from core.semantic.describe import SpanFacts, describe_span, span_facts
from core.semantic.gates import credit_words, prose_ok, repetitive, title_problem
from core.semantic.summary_inputs import ChapterOptions, SummaryInputs
from core.semantic.titles import keyphrase_title, make_titles
from core.semantic.types import EvidenceLine
from core.timefmt import clock, stamp

MIN_WORDS = 8  # usable words a chapter needs before a title is made from its text
LABEL_SHARE = 0.5  # share of a chapter a label's shots must cover to describe the chapter
LABELS_PREFIX = "Seen: "  # core.vision.ShotDescription.text() of a shot without a caption


@dataclass(frozen=True)
class ChapterPlan:
    start_s: float
    end_s: float
    kind: str  # "opening" | "credits" | "story"
    why: str = ""


def vision_labels(line: EvidenceLine) -> bool:
    """A shot's vision labels ("Seen: a person, a dog."), as against its caption."""
    return line.source == "visual" and line.text.startswith(LABELS_PREFIX)


def usable(line: EvidenceLine) -> bool:
    """Speech, subtitles and captions unless they loop (a recognition failure on music); on-screen text only
    when it is prose (not names, roles, debris)."""
    if vision_labels(line):
        return False  # used as words of the picture (``_labels``), not as prose
    if line.source != "ocr":
        return bool(line.text.strip()) and not repetitive(line.text)
    return prose_ok(line.text) and not credit_words(line.text)


def _members(lines: Sequence[EvidenceLine], a: float, b: float, last: bool) -> list[int]:
    out = []
    for i, ln in enumerate(lines):
        mid = (ln.start_s + ln.end_s) / 2
        if (a <= mid < b or (last and mid >= b)) and usable(ln):
            out.append(i)
    return out


def central(idx: Sequence[int], vecs: np.ndarray, k: int) -> list[int]:
    """The ``k`` rows of ``idx`` closest to their mean, in time order."""
    if not idx:
        return []
    sub = vecs[list(idx)]
    order = np.argsort(-(sub @ sub.mean(axis=0)))[:k]
    return sorted(idx[int(i)] for i in order)


def _labels(inp: SummaryInputs, a: float, b: float) -> tuple[str, ...]:
    """Words of the picture (vision labels, detected objects) of the shots overlapping [a, b), longest on screen
    first, at most three; a word must hold for ``LABEL_SHARE`` of the span to describe it (one shot with a dog in
    a ten-minute chapter does not make it "a dog")."""
    counts: dict[str, float] = {}
    for s, e, labels in inp.shot_labels:
        overlap = min(b, e) - max(a, s)
        for lab in labels if overlap > 0 else ():
            counts[lab] = counts.get(lab, 0.0) + overlap
    span = max(b - a, 1e-6)
    return tuple(k for k in sorted(counts, key=lambda k: -counts[k]) if counts[k] / span >= LABEL_SHARE)[:3]


def _facts(inp: SummaryInputs, p: ChapterPlan, members: Sequence[int]) -> SpanFacts:
    heard = "speech" in inp.stages or "subtitles" in inp.stages
    spoken = any(inp.lines[i].source in ("speech", "subtitle") for i in members)
    speech = True if spoken else (False if heard else None)
    return span_facts(inp.frames, p.start_s, p.end_s, inp.shot_starts, speech, _labels(inp, p.start_s, p.end_s))


def _words(inp: SummaryInputs, members: Sequence[int]) -> int:
    return sum(len(inp.lines[i].text.split()) for i in members)


def _short_facts(f: SpanFacts) -> str:
    from core.semantic.describe import picture_words

    words = picture_words(f)
    return words.removesuffix(" scenes") if words else ""


def _titles(plans: Sequence[ChapterPlan], texts: Sequence[str], wordy: Sequence[bool],
            use_model: bool) -> tuple[list[str | None], list[str]]:
    """A title per chapter from its text where it is wordy enough (None elsewhere or where every candidate
    fails the gates) and what made the titles used ("smollm2", "key phrases")."""
    picked = [i for i, w in enumerate(wordy) if w]
    if not picked:
        return [None] * len(plans), []
    made, made_by = make_titles([texts[i] for i in picked], use_model=use_model)
    out: list[str | None] = [None] * len(plans)
    makers: list[str] = []
    for i, title in zip(picked, made, strict=True):
        others = [texts[j] for j in picked if j != i]
        fallback = keyphrase_title(texts[i], others)
        for cand, maker in ((title, made_by), (fallback, "key phrases")):
            if title_problem(cand, [texts[i]], require_grounding=maker != "key phrases") is None:
                out[i] = cand
                makers.append(maker)
                break
    return out, [m for m in ("smollm2", "key phrases") if m in makers]


def write_chapters(plans: Sequence[ChapterPlan], inp: SummaryInputs,
                   opts: ChapterOptions) -> tuple[list[Chapter], str, tuple[str, ...]]:
    """The chapters, the overview and the sources used."""
    lines, vecs = inp.lines, inp.vecs
    members = [_members(lines, p.start_s, p.end_s, k == len(plans) - 1) if p.kind == "story" else []
               for k, p in enumerate(plans)]
    texts = [" ".join(lines[i].text for i in m) for m in members]
    wordy = [p.kind == "story" and _words(inp, m) >= MIN_WORDS for p, m in zip(plans, members, strict=True)]
    titles, made_by = _titles(plans, texts, wordy, opts.titles == "auto")
    chapters: list[Chapter] = []
    scene = 0
    used: set[str] = set()
    for p, m, title, w in zip(plans, members, titles, wordy, strict=True):
        span = f"{clock(p.start_s)}–{clock(p.end_s)}"
        if p.kind != "story":
            label = "Opening titles" if p.kind == "opening" else "End credits"
            chapters.append(Chapter(p.start_s, p.end_s, label, f"{span}: {label.lower()} ({p.why})."))
            used.add("ocr")
            continue
        scene += 1
        facts = _facts(inp, p, m)
        if w and title is not None:
            body = " ".join(lines[i].text for i in central(m, vecs, 2))
            used.update(lines[i].source for i in m)
            chapters.append(Chapter(p.start_s, p.end_s, title, body))
            continue
        short = _short_facts(facts)
        chapters.append(Chapter(p.start_s, p.end_s, f"Scene {scene}: {short}" if short else f"Scene {scene}",
                                f"{span}: {describe_span(facts)}."))
        used.update(["frame colour"] if short and not facts.labels else [])
        used.update(["visual labels"] if facts.labels else [])
    overview = _overview(plans, chapters, members, inp, opts)
    sources = _sources(used, inp, made_by)
    return chapters, overview, sources


def _overview(plans: Sequence[ChapterPlan], chapters: Sequence[Chapter], members: Sequence[Sequence[int]],
              inp: SummaryInputs, opts: ChapterOptions) -> str:
    best = [(central(m, inp.vecs, 1), len(m)) for p, m in zip(plans, members, strict=True)
            if p.kind == "story" and _words(inp, m) >= MIN_WORDS]
    picked = sorted(i for c, _ in sorted(best, key=lambda x: -x[1])[:opts.overview_lines] for i in c)
    if picked:
        return " ".join(f"{stamp(inp.lines[i].start_s)} {inp.lines[i].text}" for i in picked)
    return _plain_overview(plans, chapters, inp)


def _plain_overview(plans: Sequence[ChapterPlan], chapters: Sequence[Chapter], inp: SummaryInputs) -> str:
    """"9:56 of video with no speech or subtitles to quote. 0:00–0:30 opening titles; [0:30] bright, green;
    ...; 8:10–9:40 end credits." from the chapters already written, in time order."""
    heard = "speech" in inp.stages or "subtitles" in inp.stages
    head = f"{clock(inp.duration_s)} of video" + (" with no speech or subtitles to quote." if heard else
                                                   " with no transcript or subtitles to quote.")
    parts = []
    for p, c in zip(plans, chapters, strict=True):
        if p.kind == "story":
            parts.append(f"{stamp(p.start_s)} {c.text.split(': ', 1)[-1].rstrip('.')}")
        else:
            parts.append(f"{clock(p.start_s)}–{clock(p.end_s)} {c.title.lower()}")
    return f"{head} {'; '.join(parts)}."


def _sources(used: set[str], inp: SummaryInputs, made_by: Sequence[str]) -> tuple[str, ...]:
    order = ("speech", "subtitle", "ocr", "visual", "visual labels", "frame colour")
    out = [s for s in order if s in used]
    if inp.shot_starts:
        out.append("shots")
    if made_by:
        out.append(f"titles: {', '.join(made_by)}")
    return tuple(out)
