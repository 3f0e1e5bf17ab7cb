"""Ad detection on the held-out recordings: Longwatch (evidence pass + ``detect_ad_breaks``) and Comskip, one run.

    .venv/bin/python benchmarks/ads.py [--corpus DIR] [--train 28 --test 16 --dev 8 --minutes 3] [--throughput]
                                       [--compare OLD_MODEL.json ...] [--stored-pass]

The corpus (``benchmarks/ads_corpus.py``, real footage from packages) is built or reused; only its ``test``
recordings after the first ``--dev`` are scored here (held out by recording and by source footage from the
``train`` ones the model was fitted on, and by recording from the development ones ``ads_fit.py`` chose the
decoder on). On the same files in the same run:

- Longwatch: the evidence pass (frames + audio, as the fitted model uses) timed afresh into a scratch database,
  then ``detect_ad_breaks`` timed alone on the stored evidence.
- ``--compare``: earlier model files, detection only on the same stored evidence (their seconds per hour are
  detection alone).
- Comskip 0.82 (``apt-get install comskip``), default detection (``detect_method=43``) and a tuned ini (adds
  silence, allows breaks and shows as short as the corpus has them; chosen on training recordings).

Scores: break precision / recall / F1 at IoU >= 0.5 (one-to-one), median boundary error of matched breaks (both
ends), advert-level F1 (Comskip's breaks count as single adverts: it cannot split them), break F1 on the films with
spliced adverts, false-alarm seconds per hour on the programme-only recordings, and seconds per hour of video.
``--throughput`` adds the full evidence pass (frames, audio, OCR, speech) on a 720p real-footage clip. The table is
printed and ``results.json`` written into the corpus folder; the numbers go into benchmarks/RESULTS.md by hand.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.ads_eval import CORPUS_OPTIONS, Recording, Tally, add_corpus_args, held_out, median, prepare
from core.evidence import EvidenceOptions, detect_ad_breaks, run_evidence
from core.evidence.ad_model import AdModel
from core.evidence.ads import load_model
from core.report.segments import parse_segments
from core.store import open_db

Span = tuple[float, float]
COMSKIP_INI = {
    "comskip default": "detect_method=43\noutput_edl=1\noutput_default=0\nverbose=0\n",
    # Picked on training recordings among four variants: silence as a cue (64), breaks from 9 s, shows from 20 s.
    "comskip tuned": ("detect_method=107\nmin_commercialbreak=9\nmin_show_segment_length=20\n"
                      "max_commercialbreak=400\noutput_edl=1\noutput_default=0\nverbose=0\n"),
}


def longwatch(rec: Recording, model: AdModel | None = None, fresh_pass: bool = True
              ) -> tuple[list[Span], list[Span], float, float]:
    """Breaks, adverts, seconds of a fresh evidence pass (0 without ``fresh_pass``), seconds of detection on the
    stored evidence; ``model``: another model file's than the shipped one."""
    pass_s = 0.0
    if fresh_pass:
        began = time.perf_counter()
        run_evidence(open_db(":memory:"), rec.path, CORPUS_OPTIONS)
        pass_s = time.perf_counter() - began
    db = rec.db()
    began = time.perf_counter()
    breaks = detect_ad_breaks(db, rec.fingerprint(), model=model)
    detect_s = time.perf_counter() - began
    return ([(b.start, b.end) for b in breaks], [(a.start, a.end) for b in breaks for a in b.adverts],
            pass_s, detect_s)


def comskip(rec: Recording, ini_text: str, work: Path) -> tuple[list[Span], float]:
    exe = shutil.which("comskip")
    if exe is None:
        raise SystemExit("comskip is not installed: apt-get install comskip")
    out = work / rec.name
    out.mkdir(parents=True, exist_ok=True)
    ini = out / "comskip.ini"
    ini.write_text(ini_text)
    began = time.perf_counter()
    subprocess.run([exe, f"--ini={ini}", f"--output={out}", str(rec.path)], capture_output=True, text=True)
    took = time.perf_counter() - began
    edl = out / (rec.path.stem + ".edl")
    spans = [(m.start, m.end) for m in parse_segments(edl.read_text(), "edl")] if edl.exists() else []
    return spans, took


def score(results: dict[str, list[dict]], recs: list[Recording]) -> dict[str, dict[str, float]]:  # type: ignore[type-arg]
    out = {}
    hours = sum(r.duration_s for r in recs) / 3600
    for who, rows in results.items():
        breaks, adverts, spliced, errors = Tally(), Tally(), Tally(), []
        false_s = programme_h = seconds = 0.0
        for rec, row in zip(recs, rows, strict=True):
            breaks.add(row["breaks"], list(rec.breaks), errors)
            adverts.add(row["adverts"], list(rec.adverts))
            if rec.kind == "film":
                spliced.add(row["breaks"], list(rec.breaks))
            if rec.kind == "programme":
                false_s += sum(b - a for a, b in row["breaks"])
                programme_h += rec.duration_s / 3600
            seconds += row["seconds"]
        out[who] = {"break_precision": breaks.precision, "break_recall": breaks.recall, "break_f1": breaks.f1,
                    "boundary_error_s": median(errors), "advert_f1": adverts.f1, "spliced_f1": spliced.f1,
                    "false_alarm_s_per_h": false_s / programme_h if programme_h else float("nan"),
                    "seconds_per_hour": seconds / hours,
                    "breaks": f"{breaks.tp}/{breaks.n_truth} ({breaks.n_pred} reported)",
                    "adverts": f"{adverts.tp}/{adverts.n_truth} ({adverts.n_pred} reported)"}
    return out


def throughput(rec: Recording, work: Path, runs: int = 1) -> dict[str, float]:
    """The full evidence pass (frames, audio, OCR, speech) on a 120 s 720p clip of the programme footage."""
    src = Path(rec.sources[0])
    clip = work / "clip720.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", "60", "-t", "120", "-i", str(src), "-c", "copy", str(clip)],
                   check=True)
    out: dict[str, float] = {}
    for name, opt in (("frames + audio", CORPUS_OPTIONS), ("all stages (+ OCR, speech)", EvidenceOptions())):
        times = []
        for _ in range(runs):
            began = time.perf_counter()
            summary = run_evidence(open_db(":memory:"), clip, opt)
            times.append(time.perf_counter() - began)
        out[name] = summary.duration_s / statistics.median(times)
    return out


def table(scores: dict[str, dict[str, float]]) -> str:
    head = ("| detector | break P | break R | break F1 | breaks found | median boundary error (s) | advert F1 | "
            "adverts found | spliced F1 | false alarms (s/h) | s per hour of video |")
    lines = [head, "|" + "---|" * 11]
    for who, s in scores.items():
        lines.append(f"| {who} | {s['break_precision']:.2f} | {s['break_recall']:.2f} | {s['break_f1']:.2f} | "
                     f"{s['breaks']} | {s['boundary_error_s']:.2f} | {s['advert_f1']:.2f} | {s['adverts']} | "
                     f"{s['spliced_f1']:.2f} | {s['false_alarm_s_per_h']:.0f} | {s['seconds_per_hour']:.0f} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_corpus_args(ap)
    ap.add_argument("--throughput", action="store_true", help="also time the full pass on a 720p clip")
    ap.add_argument("--stored-pass", action="store_true",
                    help="score on the stored evidence without timing a fresh pass (the seconds are detection only)")
    ap.add_argument("--compare", type=Path, nargs="*", default=[],
                    help="earlier model files, scored on the same stored evidence (rows 'longwatch, FILE')")
    args = ap.parse_args()
    recs = held_out(prepare(args), args.dev)
    others = {f"longwatch, {p.stem}": load_model(p) for p in args.compare}
    results: dict[str, list[dict]] = {  # type: ignore[type-arg]
        "longwatch": [], **{k: [] for k in others}, **{k: [] for k in COMSKIP_INI}}
    detect_per_h = []
    with tempfile.TemporaryDirectory() as tmp:
        for rec in recs:
            b, a, pass_s, detect_s = longwatch(rec, fresh_pass=not args.stored_pass)
            results["longwatch"].append({"breaks": b, "adverts": a, "seconds": pass_s + detect_s,
                                         "detect_s": detect_s})
            detect_per_h.append(detect_s / rec.duration_s * 3600)
            for name, model in others.items():
                ob, oa, _, o_detect_s = longwatch(rec, model, fresh_pass=False)
                results[name].append({"breaks": ob, "adverts": oa, "seconds": o_detect_s, "detect_s": o_detect_s})
            for name, ini in COMSKIP_INI.items():
                spans, took = comskip(rec, ini, Path(tmp) / name.replace(" ", "_"))
                results[name].append({"breaks": spans, "adverts": spans, "seconds": took})
            print(f"{rec.name}: truth {[(round(x), round(y)) for x, y in rec.breaks]} longwatch "
                  f"{[(round(x), round(y)) for x, y in b]} comskip {[(round(x), round(y)) for x, y in spans]}",
                  file=sys.stderr, flush=True)
        scores = score(results, recs)
        extra = {"detect_s_per_hour_median": statistics.median(detect_per_h),
                 "recordings": [r.name for r in recs], "minutes": sum(r.duration_s for r in recs) / 60}
        if args.throughput:
            extra["throughput_x_realtime_720p"] = throughput(recs[0], Path(tmp))
    (args.corpus / "results.json").write_text(json.dumps({"scores": scores, **extra, "raw": results}, indent=1))
    print(table(scores))
    print(json.dumps(extra, indent=1))


if __name__ == "__main__":
    main()
