"""Tiny generated recordings for the evidence tests (and benchmarks/evidence.py): a "programme" with adverts.

A recording is a list of parts; each part is drawn frame by frame with numpy (PIL for text) and its sound is a
tone or noise at a set level. Black parts are black frames with digital silence, the way broadcasters frame an
ad break. Encoded with PyAV (H.264 + AAC in MP4).
"""

from __future__ import annotations

import shutil
import subprocess
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

SAMPLE_RATE = 16000


@dataclass(frozen=True)
class Part:
    """``kind``: "show" (slowly drifting muted picture, soft noise, a new shot every ``shot_s``), "ad" (saturated
    colour, loud tone, fast cuts, optional text), "black" (black + silence)."""

    kind: str
    seconds: float
    colour: tuple[int, int, int] = (120, 100, 80)
    tone_hz: float = 0.0  # 0: noise
    level_db: float = -26.0
    text: str = ""
    shot_s: float = 6.0
    silent: bool = True  # black parts: digital silence (a broadcast break) or the programme's sound (a fade)
    logo: bool = False  # a semi-transparent channel logo in the top-right corner (programme parts of a channel)


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in ("DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


_NOISE: dict[tuple[int, int], np.ndarray] = {}


def _noise(w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    """Sensor-like noise, sigma 3: one of 8 precomputed fields (drawing fresh noise per 720p frame is slow)."""
    if (w, h) not in _NOISE:
        _NOISE[(w, h)] = rng.normal(0, 3, (8, h, w, 3)).astype(np.float32)
    return _NOISE[(w, h)][int(rng.integers(8))]


def _frame(part: Part, t: float, w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    if part.kind == "black":
        return np.zeros((h, w, 3), np.uint8)
    shot = int(t // part.shot_s)
    base = np.array(part.colour, np.float32)
    if part.kind == "show":  # a muted scene whose tint changes a little per shot, with a drifting gradient
        base = base * (0.85 + 0.3 * ((shot * 37) % 7) / 7)
        x = np.linspace(0, 1, w, dtype=np.float32)[None, :, None]
        y = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
        img = base * (0.6 + 0.4 * np.sin(6.0 * x + 3.0 * y + 0.4 * t + shot))
    else:  # adverts: flat saturated colour, rotating hue per shot
        img = np.broadcast_to(np.roll(base, shot % 3), (h, w, 3)).copy()
    img = np.clip(img + _noise(w, h, rng), 0, 255).astype(np.uint8)
    if part.logo:
        img = _with_logo(img)
    if part.text:
        pil = Image.fromarray(img)
        draw = ImageDraw.Draw(pil)
        size = max(10, h // 9)
        for i, line in enumerate(part.text.split("\n")):
            draw.text((w // 20, h // 5 + i * int(size * 1.6)), line, font=font(size), fill=(255, 255, 255),
                      stroke_width=max(1, size // 10), stroke_fill=(0, 0, 0))
        img = np.asarray(pil)
    return img


def _with_logo(img: np.ndarray) -> np.ndarray:
    """A white "TV1" in a rounded box, 60% opaque, in the top-right corner (about 1/8 of the width)."""
    h, w = img.shape[:2]
    lw, lh = max(16, w // 8), max(8, h // 12)
    mark = Image.new("L", (lw, lh), 0)
    draw = ImageDraw.Draw(mark)
    draw.rounded_rectangle((0, 0, lw - 1, lh - 1), radius=max(2, lh // 5), outline=255, width=max(1, lh // 12))
    draw.text((lw // 2, lh // 2), "TV1", font=font(int(lh * 0.6)), fill=255, anchor="mm")
    alpha = np.asarray(mark, np.float32)[..., None] / 255.0 * 0.6
    y0, x0 = max(2, h // 30), w - lw - max(2, w // 40)
    out = img.astype(np.float32)
    out[y0:y0 + lh, x0:x0 + lw] = out[y0:y0 + lh, x0:x0 + lw] * (1 - alpha) + 255.0 * alpha
    return out.astype(np.uint8)


def _sound(part: Part, n: int, t0: float, rng: np.random.Generator) -> np.ndarray:
    if (part.kind == "black" and part.silent) or n == 0:
        return np.zeros(n, np.float32)
    amp = 10 ** (part.level_db / 20) * np.sqrt(2)
    if part.tone_hz:
        t = t0 + np.arange(n) / SAMPLE_RATE
        return (amp * np.sin(2 * np.pi * part.tone_hz * t)).astype(np.float32)
    return (amp / np.sqrt(2) * rng.standard_normal(n)).clip(-1, 1).astype(np.float32)


def write_recording(path: Path, parts: Sequence[Part], *, size: tuple[int, int] = (160, 90), fps: int = 8,
                    speech: np.ndarray | None = None, speech_at_s: float = 0.0, seed: int = 0,
                    crf: int = 23) -> Path:
    """Encode the parts one after another; ``speech`` (16 kHz float32) is mixed in at ``speech_at_s``."""
    rng = np.random.default_rng(seed)
    total = sum(p.seconds for p in parts)
    audio = np.concatenate([_sound(p, round(p.seconds * SAMPLE_RATE), 0.0, rng) for p in parts])
    if speech is not None:
        i = round(speech_at_s * SAMPLE_RATE)
        seg = speech[: max(0, audio.size - i)]
        audio[i:i + seg.size] += seg
    w, h = size
    with av.open(str(path), "w") as out:
        vs = out.add_stream("libx264", rate=fps)
        vs.width, vs.height, vs.pix_fmt = w, h, "yuv420p"
        vs.options = {"preset": "ultrafast", "crf": str(crf), "g": str(2 * fps)}
        aus = out.add_stream("aac", rate=SAMPLE_RATE)
        aus.layout = "mono"
        starts = np.cumsum([0.0, *[p.seconds for p in parts]])
        for k in range(round(total * fps)):
            t = k / fps
            i = min(len(parts) - 1, int(np.searchsorted(starts, t, side="right") - 1))
            frame = av.VideoFrame.from_ndarray(_frame(parts[i], t - starts[i], w, h, rng), format="rgb24")
            frame.pts, frame.time_base = k, Fraction(1, fps)
            out.mux(vs.encode(frame))
        out.mux(vs.encode())
        step = 1024
        for k in range(0, audio.size, step):
            chunk = (np.clip(audio[k:k + step], -1, 1) * 32767).astype(np.int16)[None, :]
            af = av.AudioFrame.from_ndarray(chunk, format="s16", layout="mono")
            af.sample_rate, af.pts, af.time_base = SAMPLE_RATE, k, Fraction(1, SAMPLE_RATE)
            out.mux(aus.encode(af))
        out.mux(aus.encode())
    return path


def spoken(text: str, folder: Path) -> np.ndarray:
    """``text`` spoken by espeak-ng, as 16 kHz mono float32 (resampled with sox)."""
    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        raise RuntimeError("The speech tests need Debian's espeak-ng and sox: apt-get install espeak-ng sox")
    raw, wav = folder / "speech_raw.wav", folder / "speech.wav"
    subprocess.run(["espeak-ng", "-s", "140", "-w", str(raw), text], check=True, capture_output=True)
    subprocess.run(["sox", str(raw), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(wav)], check=True,
                   capture_output=True)
    with wave.open(str(wav)) as f:
        data = np.frombuffer(f.readframes(f.getnframes()), np.int16)
    return (data.astype(np.float32) / 32768.0) * 0.8


def ad_break_parts() -> tuple[list[Part], tuple[float, float]]:
    """Show 15 s, a break of black-framed adverts (12 s + 10 s), show 15 s; returns parts and the break's span.

    The show carries a channel logo, as on most channels (the shipped model's tick classifier reads no colours,
    so a generated show and generated adverts differ to it by the logo, the sound and the shot rate)."""
    parts = [
        Part("show", 15.0, logo=True),
        Part("black", 0.5),
        Part("ad", 12.0, colour=(230, 40, 40), tone_hz=880, level_db=-12, shot_s=2.0),
        Part("black", 0.5),
        Part("ad", 10.0, colour=(40, 60, 240), tone_hz=660, level_db=-12, shot_s=1.5),
        Part("black", 0.5),
        Part("show", 15.0, logo=True),
    ]
    return parts, (15.0, 15.0 + 0.5 + 12 + 0.5 + 10 + 0.5)


def inserted_ad_parts(text: str = "CALL 555-0199 NOW\nwww.example.com $19.99") -> tuple[list[Part], tuple[float, float]]:
    """A film with one advert cut in (no black frames, no silence): film 16 s, ad 11 s, film 16 s."""
    parts = [
        Part("show", 16.0, shot_s=7.0),
        Part("ad", 11.0, colour=(250, 200, 30), tone_hz=1000, level_db=-10, text=text, shot_s=3.5),
        Part("show", 16.0, shot_s=7.0),
    ]
    return parts, (16.0, 27.0)
