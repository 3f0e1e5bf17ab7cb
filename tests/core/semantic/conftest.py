"""Shared media for the semantic tests: a generated video of three spoken topics (espeak-ng -> faster-whisper),
a subtitle file and rendered on-screen text (rapidocr). Built once per session, kept tiny (64x36 at 5 fps)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import pytest
import sqlite_utils

from core.evidence import FrameStat, stats_of_frames
from core.semantic import EvidenceLine
from core.store import open_db

TOPICS = [
    ["The old lighthouse stands on the rocky cliff above the harbour.",
     "Every night the keeper climbs one hundred and twelve steps to light the lamp.",
     "Ships at sea watch for its beam to avoid the dangerous reef.",
     "Storms often batter the tower with enormous waves.",
     "The keeper writes the weather in a logbook each morning.",
     "Seabirds nest on the ledges below the lantern room."],
    ["To bake bread you first mix flour, water, yeast and salt.",
     "Knead the dough for ten minutes until it feels smooth.",
     "Let it rise in a warm kitchen for about two hours.",
     "Then shape the loaf and bake it in a hot oven.",
     "The crust should be golden brown and crisp.",
     "Slice the bread only after it has cooled on a rack."],
    ["The football match started at three o'clock in the afternoon.",
     "The home team scored twice in the first half.",
     "The goalkeeper made a brilliant save from a penalty kick.",
     "Fans in the stadium sang and cheered loudly.",
     "The final score was four goals to one.",
     "The coach praised his players after the game."],
]
# Two backgrounds per topic: a shot cut at each topic start and one in the middle of each topic.
COLOURS = [("0x3050a0", "0x6080d0"), ("0xa06030", "0xd09060"), ("0x30a050", "0x70d090")]
SUBTITLES = [(2.0, 5.0, "The spacecraft landed safely on the surface of Mars."),
             (20.0, 23.0, "Our company sold 42 thousand umbrellas last year."),
             (40.0, 43.0, "Please remember to water the tomato plants.")]


@dataclass(frozen=True)
class Clip:
    video: Path
    db_path: Path  # the evidence pass (speech + sidecar subtitles, no OCR) of ``video``, already run
    fingerprint: str
    topic_starts: tuple[float, ...]  # seconds, start of topics 2 and 3
    speech: tuple[EvidenceLine, ...]
    stats: tuple[FrameStat, ...]
    duration_s: float


def _run(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True)


def _wav_seconds(path: Path) -> float:
    with av.open(str(path)) as c:
        s = c.streams.audio[0]
        return float(s.duration * s.time_base) if s.duration else float(c.duration / 1e6)


def _speak(tmp: Path) -> tuple[Path, list[float], list[float]]:
    """One wav of the three topics (0.6 s between sentences, 1.5 s between topics); topic starts; durations."""
    parts: list[Path] = []
    starts, t = [], 0.0
    for k, topic in enumerate(TOPICS):
        starts.append(t)
        for j, sentence in enumerate(topic):
            w = tmp / f"s{k}_{j}.wav"
            _run("espeak-ng", "-s", "150", "-w", str(w), sentence)
            _run("sox", str(w), "-r", "16000", "-c", "1", str(w.with_suffix(".r.wav")), "pad", "0", "0.6")
            parts.append(w.with_suffix(".r.wav"))
            t += _wav_seconds(parts[-1])
        gap = tmp / f"gap{k}.wav"
        _run("sox", "-n", "-r", "16000", "-c", "1", str(gap), "trim", "0", "1.5")
        parts.append(gap)
        t += 1.5
    out = tmp / "speech.wav"
    _run("sox", *map(str, parts), str(out))
    ends = [*starts[1:], t]
    return out, starts, [b - a for a, b in zip(starts, ends, strict=True)]


def _video(tmp: Path, wav: Path, durations: list[float]) -> Path:
    inputs, labels = [], []
    for k, d in enumerate(durations):
        for h, shade in enumerate(COLOURS[k]):
            inputs += ["-f", "lavfi", "-i", f"color=c={shade}:s=64x36:r=5:d={d / 2:.3f}"]
            labels.append(f"[{2 * k + h}:v]")
    out = tmp / "topics.mp4"
    n = len(labels)
    _run("ffmpeg", "-y", "-loglevel", "error", *inputs, "-i", str(wav), "-filter_complex",
         f"{''.join(labels)}concat=n={n}:v=1:a=0[v]", "-map", "[v]", "-map", f"{n}:a", "-c:v", "libx264",
         "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(out))
    return out


def srt(lines: list[tuple[float, float, str]]) -> str:
    def ts(t: float) -> str:
        ms = round(t * 1000)
        return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"

    return "\n".join(f"{i}\n{ts(a)} --> {ts(b)}\n{t}\n" for i, (a, b, t) in enumerate(lines, 1))


def evidence_pass(video: Path, db_path: Path) -> tuple[str, list[EvidenceLine]]:
    """Run the real evidence pass (faster-whisper speech, subtitles; no OCR) and read the speech lines back."""
    from core.evidence import EvidenceOptions, run_evidence
    from core.semantic.sources import read_lines

    db = open_db(db_path)
    try:
        summary = run_evidence(db, video, EvidenceOptions(fps=2.0, ocr=False, speech_language="en"))
        return summary.fingerprint, [ln for ln in read_lines(db, summary.fingerprint) if ln.source == "speech"]
    finally:
        db.close()


def decode_stats(path: Path) -> list[FrameStat]:
    with av.open(str(path)) as c:
        frames = [(float(f.time), f.to_ndarray(format="rgb24")) for f in c.decode(video=0)]
    return stats_of_frames(frames, fps=5.0)


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Clip:
    tmp = tmp_path_factory.mktemp("topics")
    wav, starts, durations = _speak(tmp)
    video = _video(tmp, wav, durations)
    (tmp / "topics.srt").write_text(srt(SUBTITLES))
    fingerprint, speech = evidence_pass(video, tmp / "lib.db")
    return Clip(video, tmp / "lib.db", fingerprint, tuple(starts[1:]), tuple(speech), tuple(decode_stats(video)),
                sum(durations))


@pytest.fixture(scope="session")
def ocr_lines() -> list[EvidenceLine]:
    """On-screen text rendered with Pillow and read back by rapidocr."""
    from PIL import Image, ImageDraw, ImageFont
    from rapidocr import RapidOCR

    engine = RapidOCR()
    out = []
    for t, text in ((30.0, "CALL 555-0199 NOW"), (50.0, "GRAND OPENING SALE")):
        img = Image.new("RGB", (480, 96), "white")
        font = ImageFont.load_default(size=40)
        ImageDraw.Draw(img).text((12, 24), text, fill="black", font=font)
        result = engine(np.asarray(img))
        read = " ".join(result.txts or ())
        out.append(EvidenceLine(t, t + 4.0, read, "ocr"))
    return out


def new_db(fingerprint: str = "vid", duration_s: float = 100.0) -> sqlite_utils.Database:
    db = open_db(":memory:")
    db["videos"].insert({"fingerprint": fingerprint, "path": "/x.mp4", "name": "x.mp4", "size_bytes": 1,
                         "duration_s": duration_s, "container": "mp4", "width": 64, "height": 36, "fps": 5.0,
                         "probe_json": "{}"})
    return db
