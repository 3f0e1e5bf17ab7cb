"""Evidence pass throughput and ad-segment accuracy, compared with Comskip on the same files.

    .venv/bin/python benchmarks/evidence.py [--workdir /tmp/longwatch-bench-evidence] [--runs 3]

1. Throughput (multiples of real time) on a generated 720p file (2 min, 25 fps, H.264 + AAC, with an ad break,
   on-screen text and espeak-ng speech): the frame pass + audio pass alone, and with OCR and speech; next to
   PySceneDetect's own ``detect()`` on the same file (its own full decode, shots only), to show what sharing
   one decode saves.
2. Ad segments on a generated 20-minute recording with three black-framed breaks (3-4 ads each) and on a
   10-minute "film" with one advert inserted without black frames: time precision / recall, breaks found
   (IoU >= 0.5) and boundary error, for Longwatch (``detect_ads``) and Comskip (Debian package, default
   detection, EDL output).

Generated files are cached in the work folder. Prints a Markdown table and writes results.json there.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.evidence import EvidenceOptions, detect_ads, run_evidence
from core.report.segments import parse_segments
from core.store import open_db
from tests.core.evidence.gen import Part, spoken, write_recording

Span = tuple[float, float]
AD_TEXTS = ["CALL 555-0199 NOW", "www.example.com\n$19.99", "ORDER TODAY\n1-800-555-0142", "SALE 50% OFF",
            "shop.example.net", "ONLY $9.99"]
BLACK_S = 0.12  # 3 frames at 25 fps between spots, as broadcasters do (shorter than the 4 fps sampling step)
COLOURS = [(230, 40, 40), (40, 60, 240), (250, 200, 30), (40, 200, 90), (200, 40, 200), (30, 200, 220)]


def ad_spot(i: int, seconds: float) -> Part:
    return Part("ad", seconds, colour=COLOURS[i % len(COLOURS)], tone_hz=500 + 120 * (i % 5), level_db=-12,
                text=AD_TEXTS[i % len(AD_TEXTS)], shot_s=2.0 + (i % 3))


def show(seconds: float, i: int) -> list[Part]:
    """A show segment with a mid fade to black that keeps its sound (a scene transition, not a break)."""
    tint = (120 + 10 * (i % 3), 100, 80 - 5 * (i % 3))
    half = seconds / 2
    return [Part("show", half, colour=tint, shot_s=8.0), Part("black", 0.5, silent=False),
            Part("show", seconds - half - 0.5, colour=tint, shot_s=8.0)]


def broadcast_parts() -> tuple[list[Part], list[Span]]:
    """20 minutes: show, three breaks of 3-4 spots (15-30 s) framed by 3 black frames + silence, shows between."""
    parts: list[Part] = []
    truth: list[Span] = []
    spots = [[20, 15, 30], [15, 25, 20, 15], [30, 15, 20]]
    shows = [240.0, 300.0, 250.0]
    k = 0
    for b, lengths in enumerate(spots):
        parts += show(shows[b], b)
        t0 = sum(p.seconds for p in parts)
        for s in lengths:
            parts += [Part("black", BLACK_S), ad_spot(k, float(s))]
            k += 1
        parts.append(Part("black", BLACK_S))
        truth.append((t0, sum(p.seconds for p in parts)))
    rest = 1200.0 - sum(p.seconds for p in parts)
    parts += show(rest, 3)
    return parts, truth


def film_parts() -> tuple[list[Part], list[Span]]:
    """10 minutes of film with a 30 s advert cut in at 5:00 (no black frames, no silence around it)."""
    film = [Part("show", 300.0, shot_s=9.0), ad_spot(0, 30.0), Part("show", 270.0, shot_s=9.0)]
    return film, [(300.0, 330.0)]


def bench_720p_parts() -> list[Part]:
    return [*show(40.0, 0), Part("black", 0.5), ad_spot(1, 15.0), Part("black", 0.5), ad_spot(2, 15.0),
            Part("black", 0.5), *show(48.5, 1)]


def make_files(work: Path) -> dict[str, Path]:
    """Generate the three files once (written under a temporary name, so an interrupted run regenerates)."""
    work.mkdir(parents=True, exist_ok=True)
    files = {"720p": work / "bench720.mp4", "broadcast": work / "broadcast20_3frames.mp4", "film": work / "film_insert.mp4"}
    for name, path in files.items():
        if path.exists():
            continue
        tmp = path.with_suffix(".part.mp4")
        if name == "720p":
            speech = spoken("Welcome back to the show. Tonight we talk about the weather and the harvest. "
                            "Call now and order today.", work)
            write_recording(tmp, bench_720p_parts(), size=(1280, 720), fps=25, speech=speech, speech_at_s=5.0)
        else:
            parts = broadcast_parts()[0] if name == "broadcast" else film_parts()[0]
            write_recording(tmp, parts, size=(320, 240), fps=25)
        tmp.rename(path)
    return files


def time_pass(path: Path, options: EvidenceOptions) -> float:
    db = open_db(":memory:")
    began = time.perf_counter()
    run_evidence(db, path, options)
    return time.perf_counter() - began


def time_scenedetect(path: Path) -> float:
    from scenedetect import ContentDetector, detect

    began = time.perf_counter()
    detect(str(path), ContentDetector())
    return time.perf_counter() - began


def throughput(path: Path, runs: int) -> dict[str, float]:
    from core.media import probe

    duration = probe(path).duration_s
    base = EvidenceOptions(ocr=False, speech=False)
    out = {
        "duration_s": duration,
        "frames+audio_s": statistics.median(time_pass(path, base) for _ in range(runs)),
        "with_ocr_s": time_pass(path, EvidenceOptions(speech=False)),
        "all_stages_s": statistics.median(time_pass(path, EvidenceOptions()) for _ in range(max(1, runs // 2))),
        "scenedetect_detect_s": statistics.median(time_scenedetect(path) for _ in range(runs)),
    }
    return out


def overlap(a: Span, b: Span) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def score_segments(found: list[Span], truth: list[Span]) -> dict[str, float]:
    tp = sum(overlap(f, t) for f in found for t in truth)
    found_s = sum(b - a for a, b in found)
    truth_s = sum(b - a for a, b in truth)
    matched, errors = 0, []
    for t in truth:
        best = max(found, key=lambda f: overlap(f, t) / max(1e-9, max(f[1], t[1]) - min(f[0], t[0])), default=None)
        if best is not None and overlap(best, t) / (max(best[1], t[1]) - min(best[0], t[0])) >= 0.5:
            matched += 1
            errors += [abs(best[0] - t[0]), abs(best[1] - t[1])]
    return {
        "precision": tp / found_s if found_s else 0.0,
        "recall": tp / truth_s if truth_s else 0.0,
        "found": float(matched),
        "of": float(len(truth)),
        "n_segments": float(len(found)),
        "boundary_err_s": statistics.median(errors) if errors else float("nan"),
    }


def longwatch_ads(path: Path, ocr: bool = True) -> tuple[list[Span], float]:
    db = open_db(":memory:")
    began = time.perf_counter()
    fp = run_evidence(db, path, EvidenceOptions(speech=False, ocr=ocr)).fingerprint
    spans = [(m.start, m.end) for m in detect_ads(db, fp)]
    return spans, time.perf_counter() - began


def comskip_ads(path: Path, work: Path) -> tuple[list[Span] | None, float, str]:
    exe = shutil.which("comskip")
    if exe is None:
        return None, 0.0, "comskip not installed (apt-get install comskip)"
    out = work / "comskip"
    out.mkdir(exist_ok=True)
    ini = out / "comskip.ini"
    ini.write_text("detect_method=43\noutput_edl=1\noutput_default=0\nverbose=0\n")
    began = time.perf_counter()
    proc = subprocess.run([exe, f"--ini={ini}", f"--output={out}", str(path)], capture_output=True, text=True)
    took = time.perf_counter() - began
    edl = out / (path.stem + ".edl")
    if not edl.exists():
        return [], took, f"exit {proc.returncode}, no EDL ({proc.stdout.strip().splitlines()[-1:]})"
    return [(m.start, m.end) for m in parse_segments(edl.read_text(), "edl")], took, f"exit {proc.returncode}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/longwatch-bench-evidence"))
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    began = time.perf_counter()
    files = make_files(args.workdir)
    print(f"files ready in {time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)
    results: dict[str, object] = {"throughput_720p": throughput(files["720p"], args.runs)}
    print(json.dumps(results, indent=1), file=sys.stderr, flush=True)
    truths = {"broadcast": broadcast_parts()[1], "film": film_parts()[1]}
    for name, truth in truths.items():
        ours, ours_s = longwatch_ads(files[name])
        plain, plain_s = longwatch_ads(files[name], ocr=False)
        theirs, theirs_s, note = comskip_ads(files[name], args.workdir)
        results[name] = {
            "truth": truth,
            "longwatch": {"segments": ours, "seconds": ours_s, **score_segments(ours, truth)},
            "longwatch, no OCR": {"segments": plain, "seconds": plain_s, **score_segments(plain, truth)},
            "comskip": {"segments": theirs, "seconds": theirs_s, "note": note,
                        **(score_segments(theirs, truth) if theirs is not None else {})},
        }
        print(json.dumps(results[name], indent=1), file=sys.stderr, flush=True)
    (args.workdir / "results.json").write_text(json.dumps(results, indent=1))
    print(table(results))


def table(r: dict) -> str:
    t = r["throughput_720p"]
    d = t["duration_s"]
    lines = [
        f"| 720p, 25 fps, {d:.0f} s | seconds | x real time |",
        "|---|---:|---:|",
        f"| evidence pass: frames (stats, shots, black) + audio (levels, silences) | {t['frames+audio_s']:.1f} | "
        f"{d / t['frames+audio_s']:.1f} |",
        f"| evidence pass: frames + audio + OCR every 2 s | {t['with_ocr_s']:.1f} | {d / t['with_ocr_s']:.1f} |",
        f"| evidence pass: all stages (+ OCR every 2 s, + speech) | {t['all_stages_s']:.1f} | "
        f"{d / t['all_stages_s']:.1f} |",
        f"| PySceneDetect `detect()` alone (own decode, shots only) | {t['scenedetect_detect_s']:.1f} | "
        f"{d / t['scenedetect_detect_s']:.1f} |",
        "",
        "| file | detector | precision | recall | breaks found | segments | median boundary error (s) | seconds |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in ("broadcast", "film"):
        for who in ("longwatch", "longwatch, no OCR", "comskip"):
            s = r[name][who]
            if "precision" not in s:
                lines.append(f"| {name} | {who} | - | - | - | - | - | {s.get('note', '')} |")
                continue
            lines.append(f"| {name} | {who} | {s['precision']:.2f} | {s['recall']:.2f} | {s['found']:.0f}/"
                         f"{s['of']:.0f} | {s['n_segments']:.0f} | {s['boundary_err_s']:.1f} | {s['seconds']:.1f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
