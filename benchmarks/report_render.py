"""Report export timings: collect (with thumbnails) and render each format, for a film-sized report.

A generated 640x360 clip (25 fps, GOP 2 s) stands in for the film; 24 chapters, 12 ad breaks and 40 questions
are stored as the query layer stores them. Prints one markdown table row per step: median of --repeats runs.

    .venv/bin/python benchmarks/report_render.py --seconds 240 --repeats 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.media import probe
from core.report.collect import ReportOptions, collect_report
from core.report.segments import SEGMENT_FORMATS, format_segments, parse_segments
from core.report.write import write_report
from core.results import Answer, Chapter, Moment, Summary
from core.store import open_db, upsert_video


def make_clip(path: Path, seconds: int) -> None:
    with av.open(str(path), "w") as out:
        s = out.add_stream("libx264", rate=25, options={"preset": "ultrafast", "g": "50"})
        s.width, s.height, s.pix_fmt = 640, 360, "yuv420p"
        yy, xx = np.mgrid[0:360, 0:640]
        for i in range(seconds * 25):
            t = i / 25
            img = np.empty((360, 640, 3), np.uint8)
            img[..., 0] = (xx + 7 * t) % 256
            img[..., 1] = (yy * 0.7 + 40 * int(t // 10)) % 256
            img[..., 2] = (128 + 100 * np.sin(t / 5)) % 256
            f = av.VideoFrame.from_ndarray(img, format="rgb24")
            f.pts = i
            for p in s.encode(f):
                out.mux(p)
        for p in s.encode():
            out.mux(p)


def store(db, fp: str, duration: float) -> None:  # type: ignore[no-untyped-def]
    step = duration / 24
    chapters = tuple(Chapter(i * step, (i + 1) * step, f"Chapter {i + 1}: the part where things happen",
                             "Two sentences of model text describing the scene in some detail. " * 2)
                     for i in range(24))
    rows = [("summary", "", Summary(chapters, "An overall summary paragraph. " * 12, ("video-llm",)).to_json()),
            ("ads", "", {"moments": [Moment(i * duration / 12, i * duration / 12 + 5, 0.8, "ad", ("black frames",))
                                     .to_json() for i in range(12)]})]
    for q in range(40):
        rows.append(("ask", f"Question {q}?", Answer(f"Question {q}?", "An answer of a few sentences. " * 4,
                                                    tuple(Moment(j * 7.0, j * 7.0 + 3, 0.6, "m") for j in range(4)),
                                                    ("video-llm",)).to_json()))
    for kind, question, result in rows:
        db.execute("INSERT INTO queries (video, kind, question, result_json) VALUES (?, ?, ?, ?)",
                   [fp, kind, question, json.dumps(result)])


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=240)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        clip = tmp / "film.mp4"
        make_clip(clip, args.seconds)
        db = open_db(tmp / "lib.db")
        info = probe(clip)
        upsert_video(db, info)
        store(db, info.fingerprint, info.duration_s)
        print(f"clip {args.seconds} s 640x360 25 fps; 24 chapters, 12 ads, 40 questions; median of {args.repeats}")
        print("| step | median ms | output |")
        print("|---|---:|---|")
        no_thumbs = ReportOptions(thumbnails=False)
        ms = median_ms(lambda: collect_report(db, info.fingerprint, options=no_thumbs), args.repeats)
        print(f"| collect_report, no thumbnails | {ms:.1f} | |")
        data = collect_report(db, info.fingerprint)
        ms = median_ms(lambda: collect_report(db, info.fingerprint), args.repeats)
        print(f"| collect_report + 24 thumbnails (320 px JPEG) | {ms:.1f} | |")
        for fmt in ("json", "md", "html", "pdf"):
            out = tmp / f"report.{fmt}"
            ms = median_ms(lambda out=out: write_report(data, out), args.repeats)
            print(f"| write {fmt} | {ms:.1f} | {out.stat().st_size / 1000:.0f} kB |")
        moments = [Moment(i * 3.0, i * 3.0 + 2, 0.5, f"moment {i}") for i in range(1000)]
        for fmt in SEGMENT_FORMATS:
            if fmt == "youtube":
                continue
            ms = median_ms(lambda fmt=fmt: parse_segments(format_segments(moments, fmt, duration_s=3000), fmt),
                           args.repeats)
            print(f"| {fmt}: format + parse 1000 moments | {ms:.1f} | |")


if __name__ == "__main__":
    main()
