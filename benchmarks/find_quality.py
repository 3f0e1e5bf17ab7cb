"""Search quality and speed of core.semantic (issue 10): recall@3 of needles in a generated 30-minute video, time
per query on a 2-hour video, embedding cost per hour; and (issue 16, ``--corpus real``) visual needle lookups on
real clips spliced into a real programme, described only by what they show.

    .venv/bin/python benchmarks/find_quality.py [--workdir benchmarks/_work/find_quality] [--skip-model]
    .venv/bin/python benchmarks/find_quality.py --corpus real [--vision-model DIR_OR_HUB_ID]

Real corpus (benchmarks/find_corpus.py): recall@1 / @3 per query type of the five held-out needles on the
held-out recordings, for the product before issue 16 (text + picture statistics), the frames alone
(``core.vision.visual_find``) and the fused ranking (``evidence_find``); the frame score's calibration is fitted
on the fit recordings' own needles first (``fit_calibration``). The columns that need an image-text model are
measured only where one is installed (``core.vision.available``); without one the script says so and reports the
rest. A hit: one of the top k moments starts within 3 s of the needle's span.

1. A 30-minute video (320x180, 4 fps, H.264 + AAC; tests/core/evidence/gen.py) with filler speech (espeak-ng)
   every ~25 s, filler subtitles every ~30 s (sidecar .srt) and 14 needles: 4 spoken, 3 subtitle lines, 3 lines
   of on-screen text, 4 visual events. The real evidence pass runs on it (faster-whisper tiny.en, RapidOCR,
   frame statistics, cuts), then ``embed_evidence``. Each needle has a query that does not copy its words
   (paraphrases, numbers written the other way, descriptions of a picture). A needle counts as found when one
   of the top 3 moments overlaps its span widened by 3 s. Methods: the evidence layer's FTS5 ``search_text``,
   FTS5 over normalised text, vectors alone, hybrid (``evidence_find``), hybrid fused with the per-window
   relevance of a tiny random video-LLM index (``core.model.write_tiny_checkpoint`` + ``core.index``; random
   weights: this checks that fusion plumbing keeps recall, not that the model helps).
2. Time per query on a 2-hour video (synthetic evidence rows: a line every 3 s of speech, every 6 s of
   subtitles, 300 OCR spans; 28,800 frame statistics), median of 20 queries, warm; and the embedding cost.

Prints Markdown tables and writes results.json in the work folder (generated media are cached there).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.evidence import FrameStat
from core.results import Moment
from core.semantic import EmbedOptions, EvidenceLine, embed_evidence, evidence_find
from core.semantic import store as sem_store
from core.semantic.embedder import get_embedder
from core.store import open_db
from tests.core.evidence.gen import SAMPLE_RATE, Part, spoken, write_recording

DURATION_S = 1800.0
SIZE, FPS = (320, 180), 4
SHOW_LEVEL_DB = -26.0  # background noise of the programme; --show-level-db changes it


@dataclass(frozen=True)
class Needle:
    kind: str  # speech | subtitle | ocr | visual
    start_s: float
    end_s: float
    content: str  # what is said / shown ("" for visual events)
    query: str


SPOKEN = [
    (245.0, "The lighthouse keeper climbed one hundred and twelve steps every evening.", "112 steps"),
    (610.0, "Our grandmother baked sourdough bread in a wood fired oven.", "grandma making a loaf in a brick furnace"),
    (1030.0, "The treasure map was hidden inside an old violin case.", "where was the chart to the gold concealed"),
    (1500.0, "The final score was four goals to one for the visitors.", "the away side won 4 to 1"),
]
SUBS = [
    (400.0, 404.0, "The spacecraft landed safely on the surface of Mars.", "a rocket probe touched down on another planet"),
    (880.0, 884.0, "Remember to water the tomato plants twice a week.", "watering the tomatoes"),
    (1320.0, 1324.0, "The museum closes at five pm on Sundays.", "when does the gallery shut at the weekend"),
]
OCR = [
    (300.0, 306.0, "CALL 555-0199 NOW", "phone number five five five zero one nine nine"),
    (1150.0, 1156.0, "GRAND OPENING SALE", "a shop opening with discounts"),
    (1650.0, 1656.0, "CHAPTER TWO", "chapter 2"),
]
VISUAL = [  # (start, seconds, part, query)
    (500.0, 5.0, Part("ad", 5.0, colour=(220, 30, 30), tone_hz=440, level_db=-20, shot_s=100.0), "a red screen"),
    (950.0, 3.0, Part("black", 3.0), "the screen goes black"),
    (1250.0, 0.5, Part("ad", 0.5, colour=(255, 255, 255), tone_hz=440, level_db=-20, shot_s=100.0), "a flash"),
    (1400.0, 8.0, Part("ad", 8.0, colour=(200, 200, 40), tone_hz=440, level_db=-20, shot_s=0.5), "fast cutting"),
]
FILLER_SPEECH = [
    "It was a quiet afternoon and nothing much happened in the village.", "The weather report said clouds later.",
    "She folded the letters and put them in a drawer.", "We talked about the train timetable for a while.",
    "The neighbours painted their fence a pale colour.", "He forgot his umbrella at the station again.",
    "The committee will meet again next month.", "A cat slept on the warm windowsill.",
    "They walked along the river path before lunch.", "The radio played an old song in the kitchen.",
    "Everyone agreed the meeting had gone on too long.", "The library extended its opening hours.",
]
FILLER_SUBS = [
    "I am not sure that is a good idea.", "Let us talk about it tomorrow.", "Where did you put the keys?",
    "That was a long time ago.", "Could you close the window, please?", "I will be back in a minute.",
    "Nobody told me about the change.", "Thanks for waiting.", "We should leave before it gets dark.",
]


def needles() -> list[Needle]:
    out = [Needle("speech", t, t + 6.0, text, q) for t, text, q in SPOKEN]
    out += [Needle("subtitle", a, b, text, q) for a, b, text, q in SUBS]
    out += [Needle("ocr", a, b, text, q) for a, b, text, q in OCR]
    out += [Needle("visual", t, t + s, "", q) for t, s, _p, q in VISUAL]
    return out


def _show(seconds: float, text: str = "") -> Part:
    return Part("show", seconds, text=text, shot_s=8.0, level_db=SHOW_LEVEL_DB)


def _parts() -> list[Part]:
    events = [(a, b - a, _show(b - a, text)) for a, b, text, _q in OCR]
    events += [(t, s, p) for t, s, p, _q in VISUAL]
    parts, t = [], 0.0
    for start, seconds, part in sorted(events, key=lambda e: e[0]):
        parts.append(_show(start - t))
        parts.append(part)
        t = start + seconds
    parts.append(_show(DURATION_S - t))
    return parts


def _speech_track(folder: Path) -> np.ndarray:
    track = np.zeros(int(DURATION_S * SAMPLE_RATE), np.float32)
    said = [(t, text) for t, text, _q in SPOKEN]
    busy = [t for t, _ in said]
    k = 0
    for t in np.arange(20.0, DURATION_S - 10, 25.0):
        if all(abs(t - b) > 12 for b in busy):
            said.append((float(t), FILLER_SPEECH[k % len(FILLER_SPEECH)]))
            k += 1
    for t, text in said:
        clip = spoken(text, folder)
        i = int(t * SAMPLE_RATE)
        track[i:i + clip.size] += clip[: track.size - i]
    return track


def _srt(folder: Path, video: Path) -> None:
    lines = [(a, b, text) for a, b, text, _q in SUBS]
    k = 0
    for t in np.arange(10.0, DURATION_S - 10, 30.0):
        if all(abs(t - a) > 8 for a, _b, _x, _q in SUBS):
            lines.append((float(t), float(t) + 3.0, FILLER_SUBS[k % len(FILLER_SUBS)]))
            k += 1

    def ts(x: float) -> str:
        ms = round(x * 1000)
        return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"

    body = "\n".join(f"{i}\n{ts(a)} --> {ts(b)}\n{x}\n" for i, (a, b, x) in enumerate(sorted(lines), 1))
    video.with_suffix(".srt").write_text(body)


def build(work: Path) -> Path:
    video = work / "needles_30min.mp4"
    if not video.exists():
        tmp = work / "needles_30min.tmp.mp4"
        write_recording(tmp, _parts(), size=SIZE, fps=FPS, speech=_speech_track(work), speech_at_s=0.0)
        tmp.rename(video)
    _srt(work, video)
    return video


def hit(moments: Sequence[tuple[float, float]], n: Needle, slack_s: float = 3.0) -> bool:
    """One of the top 3 starts within 3 s of the needle's span (a long moment that merely covers it does not
    count: whisper sometimes returns a hallucinated segment of a minute or more)."""
    return any(n.start_s - slack_s <= a <= n.end_s + slack_s for a, _b in moments[:3])


def methods(db: object, fp: str, model_scores: dict[str, list[tuple[float, float, float]]] | None
            ) -> dict[str, Callable[[str], list[tuple[float, float]]]]:
    from core.semantic import search_text

    embedder = get_embedder()

    def vector_only(q: str) -> list[tuple[float, float]]:
        lines, mat = sem_store.vectors(db, fp, embedder.identity)  # type: ignore[arg-type]
        order = np.argsort(-(mat @ embedder.encode([q])[0]))[:3]
        return [(lines[i].line.start_s, lines[i].line.end_s) for i in order]

    def spans(ms: list[Moment]) -> list[tuple[float, float]]:
        return [(m.start, m.end) for m in ms]

    out: dict[str, Callable[[str], list[tuple[float, float]]]] = {
        "FTS5 (search_text)": lambda q: [(h.start_s, h.end_s) for h in search_text(db, fp, q, limit=3)],  # type: ignore[arg-type]
        "FTS5 normalised": lambda q: [(s.line.start_s, s.line.end_s) for s, _ in sem_store.fts_search(db, fp, q, 3)],  # type: ignore[arg-type]
        "vectors only": vector_only,
        "hybrid (evidence_find)": lambda q: spans(evidence_find(db, fp, q, limit=3)),  # type: ignore[arg-type]
    }
    if model_scores is not None:
        out["hybrid + tiny video-LLM"] = lambda q: spans(evidence_find(db, fp, q, limit=3,  # type: ignore[arg-type]
                                                                      model_scores=model_scores[q]))
    return out


def tiny_model_scores(db: object, video: Path, work: Path, queries: list[str]
                      ) -> tuple[dict[str, list[tuple[float, float, float]]], float]:
    from core.index import IndexOptions
    from core.index.pipeline import index_video
    from core.model import ModelOptions, load_model, write_tiny_checkpoint
    from core.query import load_memory

    folder = work / "tiny_model"
    if not (folder / "config.json").exists():
        write_tiny_checkpoint(folder)
    model = load_model(ModelOptions(model=str(folder), device="cpu"))
    t0 = time.monotonic()
    index_video(db, video, IndexOptions(fps=0.2), model=model)  # type: ignore[arg-type]
    index_s = time.monotonic() - t0
    loaded = load_memory(db, str(loaded_fp(db, video)), model)  # type: ignore[arg-type]
    wins = loaded.memory.windows
    out = {}
    for q in queries:
        p = np.asarray(model.score_windows(loaded.memory, q), dtype=float)  # (n_windows,)
        out[q] = [(w.start_s, w.end_s, float(x)) for w, x in zip(wins, p, strict=True)]
    return out, index_s


def loaded_fp(db: object, video: Path) -> str:
    from core.media import fingerprint

    return fingerprint(video)


def quality(work: Path, skip_model: bool) -> dict[str, object]:
    from core.evidence import EvidenceOptions, run_evidence

    video = build(work)
    db = open_db(work / "lib.db")
    t0 = time.monotonic()
    summary = run_evidence(db, video, EvidenceOptions(fps=2.0, speech_language="en"))
    evidence_s = time.monotonic() - t0
    fp = summary.fingerprint
    db.execute("DELETE FROM semantic_lines WHERE video = ?", [fp])  # measure a full embedding run
    db.conn.commit()
    emb = embed_evidence(db, fp)
    ns = needles()
    scores, index_s = (None, 0.0) if skip_model else tiny_model_scores(db, video, work, [n.query for n in ns])
    table: dict[str, dict[str, float]] = {}
    misses: dict[str, list[str]] = {}
    tops: dict[str, dict[str, list[tuple[float, float]]]] = {}
    for name, fn in methods(db, fp, scores).items():
        tops[name] = {n.query: fn(n.query)[:3] for n in ns}
        found = {n.query: hit(tops[name][n.query], n) for n in ns}
        text = [n for n in ns if n.kind != "visual"]
        table[name] = {
            "text": sum(found[n.query] for n in text) / len(text),
            "visual": sum(found[n.query] for n in ns if n.kind == "visual") / (len(ns) - len(text)),
            "all": sum(found.values()) / len(ns),
        }
        misses[name] = [q for q, ok in found.items() if not ok]
    return {"evidence_pass_s": evidence_s, "counts": dict(summary.counts), "embed": emb.__dict__,
            "tiny_index_s": index_s, "recall_at_3": table, "misses": misses, "top3": tops,
            "needles": [n.__dict__ for n in ns]}


def timing(work: Path) -> dict[str, object]:
    rng = np.random.default_rng(0)
    words = " ".join(FILLER_SPEECH + FILLER_SUBS + [s for _t, s, _q in SPOKEN]).split()
    hours = 2.0
    dur = hours * 3600
    lines = [EvidenceLine(t, t + 2.8, " ".join(rng.choice(words, 12)), "speech") for t in np.arange(0, dur, 3.0)]
    lines += [EvidenceLine(t, t + 3.0, " ".join(rng.choice(words, 7)), "subtitle") for t in np.arange(1, dur, 6.0)]
    lines += [EvidenceLine(t, t + 4.0, " ".join(rng.choice(words, 3)).upper(), "ocr") for t in np.arange(2, dur, 24.0)]
    stats = [FrameStat(t, *rng.uniform(0, 255, 3), int(rng.integers(0, 1 << 24)),
                       rng.dirichlet(np.ones(12)).astype(np.float32) * 0.5, float(rng.uniform(0, 255)),
                       cut=bool(rng.uniform() < 0.03)) for t in np.arange(0, dur, 0.25)]
    db = open_db(work / "timing.db")
    db.execute("DELETE FROM semantic_lines")
    db.conn.commit()
    db["videos"].upsert({"fingerprint": "two-hours", "path": "-", "name": "-", "size_bytes": 0, "duration_s": dur,
                         "container": "mp4", "width": 1, "height": 1, "fps": 4.0, "probe_json": "{}"},
                        pk="fingerprint")
    emb = embed_evidence(db, "two-hours", EmbedOptions(batch_size=64), lines=lines)
    queries = [n.query for n in needles()] + ["the keeper and the lamp", "tomato plants", "555-0199",
                                              "train timetable", "a cat asleep", "nineteen eighty four"]
    evidence_find(db, "two-hours", "warm up", frame_stats=stats)
    times = []
    for q in queries[:20]:
        t0 = time.perf_counter()
        evidence_find(db, "two-hours", q, frame_stats=stats)
        times.append(time.perf_counter() - t0)
    return {"lines": len(lines), "frame_stats": len(stats), "embed_s": emb.seconds,
            "embed_s_per_hour": emb.seconds / hours, "query_ms_median": 1000 * statistics.median(times),
            "query_ms_max": 1000 * max(times), "queries": len(times)}


def _real_hit(moments: Sequence[Moment], n: object, k: int) -> bool:
    return any(n.start_s - 3.0 <= m.start <= n.end_s + 3.0 for m in moments[:k])  # type: ignore[attr-defined]


def _recall(rows: list[tuple[str, bool, bool]]) -> dict[str, dict[str, float]]:
    """rows of (query type, hit@1, hit@3) -> {type: {"n", "recall@1", "recall@3"}} plus "all"."""
    out: dict[str, dict[str, float]] = {}
    for kind in [*sorted({r[0] for r in rows}), "all"]:
        sel = [r for r in rows if kind in ("all", r[0])]
        out[kind] = {"n": len(sel), "recall@1": sum(r[1] for r in sel) / len(sel),
                     "recall@3": sum(r[2] for r in sel) / len(sel)}
    return out


def fit_calibration(lookups: list[tuple[object, str, object]], vision: object) -> tuple[object, dict[str, float]]:
    """Grid search of the frame score's constants on the fit lookups (db, fingerprint, needle): best recall@3,
    then mean reciprocal rank."""
    from core.vision import Calibration, visual_find

    best: tuple[tuple[float, float], object] | None = None
    for z0 in (1.0, 1.5, 2.0, 2.5, 3.0, 3.5):
        for zs in (0.5, 0.75, 1.0, 1.5):
            cal = Calibration(z0=z0, z_scale=zs)
            r3, rr = 0.0, 0.0
            for db, fp, n in lookups:
                ms = visual_find(db, fp, n.query, limit=10, options=vision, calibration=cal)  # type: ignore[arg-type, attr-defined]
                ranks = [i for i, m in enumerate(ms) if _real_hit([m], n, 1)]
                r3 += bool(ranks and ranks[0] < 3)
                rr += 1.0 / (ranks[0] + 1) if ranks else 0.0
            if best is None or (r3, rr) > best[0]:
                best = ((r3, rr), cal)
    assert best is not None
    return best[1], {"fit_recall@3": best[0][0] / len(lookups), "fit_mrr": best[0][1] / len(lookups)}


def fit_object_calibration(lookups: list[tuple[object, str, object]]) -> tuple[object, dict[str, float]]:
    """Grid search of the object score's midpoint and moment threshold on the fit lookups (db, fingerprint,
    needle): best recall@3, then mean reciprocal rank, then the upstream defaults (ties keep them)."""
    from core.vision import ObjectCalibration, object_find

    default = ObjectCalibration()
    best: tuple[tuple[float, float, int], object] | None = None
    for mid in (0.25, 0.3, 0.35, 0.4, 0.45):
        for min_score in (0.2, 0.3, 0.4):
            cal = ObjectCalibration(mid=mid, min_score=min_score)
            r3, rr = 0.0, 0.0
            for db, fp, n in lookups:
                ms = object_find(db, fp, n.query, limit=10, calibration=cal)  # type: ignore[arg-type, attr-defined]
                ranks = [i for i, m in enumerate(ms) if _real_hit([m], n, 1)]
                r3 += bool(ranks and ranks[0] < 3)
                rr += 1.0 / (ranks[0] + 1) if ranks else 0.0
            key = (r3, rr, int(cal == default))
            if best is None or key > best[0]:
                best = (key, cal)
    assert best is not None
    return best[1], {"fit_recall@3": best[0][0] / max(len(lookups), 1), "fit_mrr": best[0][1] / max(len(lookups), 1),
                     "fit_lookups": len(lookups)}


def _without_object_lines(ms: list[Moment]) -> list[Moment]:
    """Moments other than shot-description lines ("Seen: ..."): the product before the vision stages."""
    return [m for m in ms if not any('"Seen:' in w for w in m.why)]


def _real_methods(vision: object, have_clip: bool, object_cal: object | None
                  ) -> dict[str, Callable[[object, str, str], list[Moment]]]:
    from core.vision import object_find, visual_find

    methods: dict[str, Callable[[object, str, str], list[Moment]]] = {
        "text + statistics (before)": lambda db, fp, q: _without_object_lines(  # type: ignore[arg-type]
            evidence_find(db, fp, q, limit=20, use_frames=False))[:3],  # type: ignore[arg-type]
        "text + object lines (evidence_find, no frame search)": lambda db, fp, q: evidence_find(  # type: ignore[arg-type]
            db, fp, q, limit=3, use_frames=False),  # type: ignore[arg-type]
        "objects (object_find, defaults)": lambda db, fp, q: object_find(db, fp, q, limit=3),  # type: ignore[arg-type]
    }
    if object_cal is not None:
        methods["objects (object_find, fitted)"] = lambda db, fp, q: object_find(  # type: ignore[arg-type]
            db, fp, q, limit=3, calibration=object_cal)  # type: ignore[arg-type]
    if have_clip:
        methods["frames (visual_find, CLIP only)"] = lambda db, fp, q: visual_find(  # type: ignore[arg-type]
            db, fp, q, limit=3, options=vision, objects=False)  # type: ignore[arg-type]
    methods["visual_find (objects + CLIP when installed)"] = lambda db, fp, q: visual_find(  # type: ignore[arg-type]
        db, fp, q, limit=3, options=vision)  # type: ignore[arg-type]
    methods["fused (evidence_find)"] = lambda db, fp, q: evidence_find(db, fp, q, limit=3, vision=vision)  # type: ignore[arg-type]
    return methods


def real_quality(work: Path, vision_model: str | None, ocr: bool = True) -> dict[str, object]:
    from benchmarks.find_corpus import FIT_RECORDINGS, TEST_RECORDINGS, build_recording
    from core.evidence import EvidenceOptions, run_evidence
    from core.vision import VisionOptions, available

    vision = VisionOptions(model=vision_model)
    have = available(vision)
    out: dict[str, object] = {"vision_model": vision_model or "default", "vision_model_installed": have, "ocr": ocr}
    dbs = {}
    for k in TEST_RECORDINGS + FIT_RECORDINGS:
        video, needles = build_recording(work, k)
        db = open_db(work / f"real_{k}.db")
        t0 = time.monotonic()
        s = run_evidence(db, video, EvidenceOptions(speech_language="en", ocr=ocr, vision=have,
                                                    vision_model=vision_model))
        embed_evidence(db, s.fingerprint)
        dbs[k] = (db, s.fingerprint, needles, time.monotonic() - t0, dict(s.counts))
    out["evidence"] = {k: {"seconds": v[3], "counts": v[4]} for k, v in dbs.items()}
    fit = [(db, fp, n) for k in FIT_RECORDINGS for db, fp, ns, _, _ in [dbs[k]] for n in ns if n.split == "fit"]
    object_cal, object_fit = fit_object_calibration(fit)  # type: ignore[arg-type]
    out["object_calibration"] = {**object_cal.__dict__, **object_fit}  # type: ignore[attr-defined]
    if have:
        cal, fit_stats = fit_calibration(fit, vision)  # type: ignore[arg-type]
        out["calibration"] = {**cal.__dict__, **fit_stats}  # type: ignore[attr-defined]
    else:
        out["note"] = ("No image-text model is installed, so the CLIP columns are not measured: run again with "
                       "--vision-model DIR (a CLIP/SigLIP folder) or after `hf download openai/clip-vit-base-patch32`.")
    methods = _real_methods(vision, have, object_cal if object_cal != type(object_cal)() else None)
    table, tops = {}, {}
    for name, fn in methods.items():
        rows, tops[name] = [], {}
        for k in TEST_RECORDINGS:
            db, fp, needles, _, _ = dbs[k]
            for n in (n for n in needles if n.split == "test"):
                ms = fn(db, fp, n.query)
                rows.append((n.kind, _real_hit(ms, n, 1), _real_hit(ms, n, 3)))
                tops[name][f"{k}:{n.query}"] = [(round(m.start, 1), round(m.end, 1), round(m.score, 3),
                                                 m.why[0][:80] if m.why else "") for m in ms]
        table[name] = _recall(rows)
    out["held_out_recall"] = table
    out["per_needle_hit@3"] = {name: {q: any(n.start_s - 3 <= m[0] <= n.end_s + 3 for m in top)
                                      for q, top in tops[name].items()
                                      for n in [_needle_of(dbs, q)]} for name in tops}
    out["top3"] = tops
    return out


def _needle_of(dbs: dict[int, tuple[object, str, list[object], float, dict[str, int]]], key: str) -> object:
    k, query = key.split(":", 1)
    return next(n for n in dbs[int(k)][2] if n.query == query)  # type: ignore[attr-defined]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workdir", type=Path, default=Path("benchmarks/_work/find_quality"))
    ap.add_argument("--skip-model", action="store_true", help="leave out the tiny video-LLM fusion column")
    ap.add_argument("--only", choices=("quality", "timing", "both"), default="both")
    ap.add_argument("--corpus", choices=("generated", "real"), default="generated",
                    help="real: visual needles in real footage (issue 16)")
    ap.add_argument("--vision-model", default=None, help="CLIP/SigLIP folder or cached hub id (default: the default)")
    ap.add_argument("--no-ocr", action="store_true", help="real corpus: evidence pass without OCR (faster)")
    ap.add_argument("--show-level-db", type=float, default=SHOW_LEVEL_DB,
                    help="loudness of the programme's background noise under the speech (dBFS, default -26)")
    args = ap.parse_args()
    globals()["SHOW_LEVEL_DB"] = args.show_level_db
    if args.corpus == "real":
        work = args.workdir if args.workdir != Path("benchmarks/_work/find_quality") else Path("benchmarks/_work/find_real")
        work.mkdir(parents=True, exist_ok=True)
        real = {"load_average": os.getloadavg(), **real_quality(work, args.vision_model, ocr=not args.no_ocr)}
        (work / "results.json").write_text(json.dumps(real, indent=2, default=str))
        print(json.dumps(real, indent=2, default=str))
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    results: dict[str, object] = {"load_average": os.getloadavg(), "cpus": os.cpu_count(),
                                  "show_level_db": args.show_level_db}
    if args.only in ("quality", "both"):
        results["quality"] = quality(args.workdir, args.skip_model)
    if args.only in ("timing", "both"):
        results["timing"] = timing(args.workdir)
    (args.workdir / "results.json").write_text(json.dumps(results, indent=2, default=str))
    print(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
