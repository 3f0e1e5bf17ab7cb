"""Test media made with PyAV: small videos whose frames carry their own frame number, plus hostile files.

Stable API (other test suites import it):

- ``make_video(path, *, duration_s, fps, size, codec, audio, subtitles, subtitle_codec, rotation, frame_times,
  gop, bframes, faststart, audio_codec) -> Path``: container from the suffix (.mp4 .mov .mkv .webm .avi).
  Frame ``k`` is displayed from ``frame_times[k]`` (default ``k / fps``) and shows ``k`` as a 4x4 grid of
  black/white cells in the middle of the picture (``read_frame_number``) and a red square in its top-left corner.
  ``size`` is the *displayed* (width, height); with ``rotation`` (clockwise degrees a player turns the stored
  picture) the stored picture is turned the other way, so a correct reader shows the same upright picture.
- Audio: a 440 Hz tone during the first half of every second (``tone_on(t)``), silence in the second half.
- ``vfr_times(duration_s, fps)``: alternating short/long frame durations (variable frame rate).
- Hostile files: ``make_random_bytes``, ``make_text``, ``make_png``, ``make_audio_only``, ``make_zero_duration``,
  ``make_truncated``, ``make_unsupported_codec``, ``make_absurd_resolution``.
- ``write_srt`` / ``write_vtt`` / ``write_ass`` write subtitle text files (sidecars or sources for muxing).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

Cue = tuple[float, float, str]  # (start_s, end_s, text)

CONTAINERS = {".mp4": "mp4", ".mov": "mov", ".mkv": "matroska", ".webm": "webm", ".avi": "avi"}
AUDIO_CODECS = {".mp4": "aac", ".mov": "aac", ".mkv": "aac", ".webm": "libopus", ".avi": "mp2"}  # libmp3lame in AVI shifts video pts by a frame
VIDEO_CODECS = {"h264": "libx264", "vp9": "libvpx-vp9", "mpeg4": "mpeg4", "mjpeg": "mjpeg"}
GRID = 4  # the frame number is a GRID x GRID bit pattern (0 .. 2**16 - 1)
TONE_HZ = 440.0
AUDIO_RATE = 48000
TIME_BASE = Fraction(1, 1000)  # stream time base when frame times are given explicitly (VFR)


# ---------------------------------------------------------------- frame pattern


def frame_image(k: int, width: int, height: int) -> np.ndarray:
    """The upright picture of frame ``k``: grey, a red corner square, ``k`` in a GRID x GRID cell grid."""
    img = np.full((height, width, 3), 128, np.uint8)
    img[: max(2, height // 5), : max(2, width // 6)] = (255, 0, 0)
    for bit, (y0, y1, x0, x1) in enumerate(_cells(width, height)):
        img[y0:y1, x0:x1] = 255 if (k >> bit) & 1 else 0
    return img


def read_frame_number(image: np.ndarray) -> int:
    """Inverse of ``frame_image`` on a decoded (possibly rescaled, same aspect) upright RGB picture."""
    h, w = image.shape[:2]
    grey = image.astype(np.float32).mean(axis=2)
    k = 0
    for bit, (y0, y1, x0, x1) in enumerate(_cells(w, h)):
        cy, cx, ry, rx = (y0 + y1) // 2, (x0 + x1) // 2, max(1, (y1 - y0) // 4), max(1, (x1 - x0) // 4)
        if grey[cy - ry: cy + ry + 1, cx - rx: cx + rx + 1].mean() > 128:
            k |= 1 << bit
    return k


def _cells(width: int, height: int) -> list[tuple[int, int, int, int]]:
    """Cell boxes (y0, y1, x0, x1) in the central region (30..70 % wide, 25..95 % high: inside a CLIP crop)."""
    x_lo, x_hi, y_lo, y_hi = 0.30 * width, 0.70 * width, 0.25 * height, 0.95 * height
    cw, ch = (x_hi - x_lo) / GRID, (y_hi - y_lo) / GRID
    return [
        (round(y_lo + r * ch), round(y_lo + (r + 1) * ch), round(x_lo + c * cw), round(x_lo + (c + 1) * cw))
        for r in range(GRID) for c in range(GRID)
    ]


def tone_on(t_s: float) -> bool:
    """Whether the generated audio is sounding at ``t_s`` (first half of every second)."""
    return (t_s % 1.0) < 0.5


def vfr_times(duration_s: float, fps: float) -> list[float]:
    """Frame start times with durations alternating 0.5/fps and 1.5/fps (average ``fps``)."""
    times, t, k = [], 0.0, 0
    while t < duration_s - 1e-9:
        times.append(round(t, 3))
        t += (0.5 if k % 2 == 0 else 1.5) / fps
        k += 1
    return times


# ---------------------------------------------------------------- videos


def make_video(
    path: str | Path,
    *,
    duration_s: float = 2.0,
    fps: float = 10,
    size: tuple[int, int] = (64, 48),
    codec: str = "h264",
    audio: bool = False,
    subtitles: Sequence[Cue] | None = None,
    subtitle_codec: str | None = None,
    rotation: int = 0,
    frame_times: Sequence[float] | None = None,
    gop: int | None = None,
    bframes: bool = True,
    faststart: bool = False,
    audio_codec: str | None = None,
) -> Path:
    """Write a small test video (see the module docstring) and return its path.

    ``subtitle_codec``: "subrip" or "ass" (.mkv), "webvtt" (.webm), "mov_text" (.mp4/.mov); default by suffix.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    width, height = size
    quarter = (rotation // 90) % 4
    stored_w, stored_h = (height, width) if quarter % 2 else (width, height)
    times = list(frame_times) if frame_times is not None else [k / fps for k in range(round(duration_s * fps))]
    explicit = frame_times is not None
    container_opts = {"movflags": "faststart"} if faststart and suffix in (".mp4", ".mov") else {}
    with av.open(str(path), "w", format=CONTAINERS[suffix], options=container_opts) as out:
        vs = _add_video_stream(out, codec, fps, stored_w, stored_h, gop, bframes, explicit)
        if rotation:
            vs.set_display_rotation(-rotation)  # PyAV takes counter-clockwise degrees
        aus = out.add_stream(audio_codec or AUDIO_CODECS[suffix], rate=AUDIO_RATE, layout="mono") if audio else None
        sub_src = _subtitle_source(subtitles, subtitle_codec, suffix) if subtitles else None
        sub_in = av.open(str(sub_src)) if sub_src else None
        sub_out = _add_subtitle_stream(out, sub_in, subtitle_codec, suffix) if subtitles else None
        tone = _Tone(out, aus) if aus is not None else None
        for k, t in enumerate(times):
            frame = av.VideoFrame.from_ndarray(np.rot90(frame_image(k, width, height), k=quarter).copy(), "rgb24")
            frame.pts = round(t / TIME_BASE) if explicit else k
            out.mux(vs.encode(frame))
            if tone is not None:
                tone.write_until(t)
        out.mux(vs.encode(None))
        if tone is not None:
            tone.finish(times[-1] + 1 / fps if times else duration_s)
        if subtitles and sub_out is not None:
            _write_subtitles(out, sub_out, sub_in, subtitles)
        if sub_in is not None:
            sub_in.close()
    if sub_src is not None:
        sub_src.unlink()
    return path


def _add_video_stream(out: av.container.OutputContainer, codec: str, fps: float, w: int, h: int,
                      gop: int | None, bframes: bool, explicit: bool) -> av.VideoStream:
    vs = out.add_stream(VIDEO_CODECS.get(codec, codec), rate=Fraction(fps).limit_denominator(1001))
    vs.width, vs.height = w, h
    vs.pix_fmt = "yuvj420p" if codec == "mjpeg" else "yuv420p"
    if explicit:
        vs.codec_context.time_base = TIME_BASE
        vs.time_base = TIME_BASE
    if gop:
        vs.codec_context.gop_size = gop
    opts: dict[str, str] = {}
    if codec == "h264":
        opts = {"preset": "veryfast", "crf": "20"}
        params = [f"keyint={gop}:min-keyint={gop}:scenecut=0"] if gop else []
        params.append("bframes=2" if bframes else "bframes=0")
        opts["x264-params"] = ":".join(params)
    elif codec == "vp9":
        opts = {"deadline": "realtime", "cpu-used": "8", "crf": "30", "b": "0"}
    elif codec in ("mpeg4", "mjpeg"):
        opts = {"qscale": "3"}
        vs.codec_context.qmax = 4
    vs.options = opts
    return vs


class _Tone:
    """Writes the test tone (440 Hz in the first half of every second) in encoder-sized frames, interleaved
    with the video (AVI and others want interleaved data)."""

    def __init__(self, out: av.container.OutputContainer, stream: av.AudioStream) -> None:
        self.out, self.stream, self.pos = out, stream, 0  # pos: samples written
        self.block = stream.codec_context.frame_size or 1024
        self.fmt = stream.codec_context.format.name if stream.codec_context.format else "fltp"

    def write_until(self, t_s: float) -> None:
        while self.pos < round(t_s * AUDIO_RATE):
            t = (self.pos + np.arange(self.block)) / AUDIO_RATE
            wave = 0.5 * np.sin(2 * np.pi * TONE_HZ * t) * ((t % 1.0) < 0.5)
            if self.fmt.startswith(("s16", "s32")):
                dtype, scale = (np.int16, 32767) if self.fmt.startswith("s16") else (np.int32, 2**31 - 1)
                arr = (wave * scale).astype(dtype).reshape(1, -1)
            else:
                arr = wave.astype(np.float32).reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(arr, format=self.fmt, layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = AUDIO_RATE, self.pos, Fraction(1, AUDIO_RATE)
            self.out.mux(self.stream.encode(frame))
            self.pos += self.block

    def finish(self, t_s: float) -> None:
        self.write_until(t_s)
        self.out.mux(self.stream.encode(None))


def _write_tone(out: av.container.OutputContainer, stream: av.AudioStream, duration_s: float) -> None:
    _Tone(out, stream).finish(duration_s)


def _default_sub_codec(suffix: str) -> str:
    return {".webm": "webvtt", ".mp4": "mov_text", ".mov": "mov_text"}.get(suffix, "subrip")


def _subtitle_source(cues: Sequence[Cue], codec: str | None, suffix: str) -> Path:
    codec = codec or _default_sub_codec(suffix)
    tmp = Path(tempfile.mkstemp(suffix={"ass": ".ass", "webvtt": ".vtt"}.get(codec, ".srt"))[1])
    {"ass": write_ass, "webvtt": write_vtt}.get(codec, write_srt)(tmp, cues)
    return tmp


def _add_subtitle_stream(out: av.container.OutputContainer, sub_in: av.container.InputContainer | None,
                         codec: str | None, suffix: str) -> av.stream.Stream:
    codec = codec or _default_sub_codec(suffix)
    if codec == "mov_text":
        st = out.add_stream("mov_text")
        st.codec_context.time_base = TIME_BASE
        assert sub_in is not None
        st.codec_context.subtitle_header = ASS_HEADER.encode()
        return st
    assert sub_in is not None
    return out.add_stream_from_template(sub_in.streams.subtitles[0])


def _write_subtitles(out: av.container.OutputContainer, st: av.stream.Stream,
                     sub_in: av.container.InputContainer | None, cues: Sequence[Cue]) -> None:
    assert sub_in is not None
    src = sub_in.streams.subtitles[0]
    if st.codec_context.name != "mov_text":
        for packet in sub_in.demux(src):
            if packet.dts is not None:
                packet.stream = st
                out.mux(packet)
        return
    for packet in sub_in.demux(src):
        if packet.dts is None or packet.time_base is None:
            continue
        for sub in src.decode(packet):
            pkt = st.codec_context.encode_subtitle(_subtitle_set(sub))
            pkt.pts = pkt.dts = round(packet.pts * packet.time_base / TIME_BASE)
            pkt.duration = round((packet.duration or 0) * packet.time_base / TIME_BASE)
            pkt.time_base = TIME_BASE
            pkt.stream = st
            out.mux(pkt)


def _subtitle_set(sub: object) -> av.subtitles.subtitle.SubtitleSet:
    from av.subtitles.subtitle import SubtitleSet

    return SubtitleSet.create(bytes(getattr(sub, "ass", b"")), 0, 0, pts=0, subtitle_format=1)


# ---------------------------------------------------------------- subtitle text files

ASS_HEADER = (
    "[Script Info]\nScriptType: v4.00+\nPlayResX: 384\nPlayResY: 288\n\n[V4+ Styles]\n"
    "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, "
    "Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, "
    "MarginR, MarginV, Encoding\n"
    "Style: Default,Arial,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0\n\n"
    "[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
)


def _ts(t: float, sep: str) -> str:
    ms = round(t * 1000)
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}{sep}{ms % 1000:03d}"


def write_srt(path: str | Path, cues: Sequence[Cue]) -> Path:
    body = "".join(f"{i}\n{_ts(a, ',')} --> {_ts(b, ',')}\n{text}\n\n" for i, (a, b, text) in enumerate(cues, 1))
    Path(path).write_text(body, encoding="utf-8")
    return Path(path)


def write_vtt(path: str | Path, cues: Sequence[Cue]) -> Path:
    body = "WEBVTT\n\n" + "".join(f"{_ts(a, '.')} --> {_ts(b, '.')}\n{text}\n\n" for a, b, text in cues)
    Path(path).write_text(body, encoding="utf-8")
    return Path(path)


def write_ass(path: str | Path, cues: Sequence[Cue]) -> Path:
    def ts(t: float) -> str:
        cs = round(t * 100)
        return f"{cs // 360000}:{cs // 6000 % 60:02d}:{cs // 100 % 60:02d}.{cs % 100:02d}"

    head = ASS_HEADER
    lines = "".join(f"Dialogue: 0,{ts(a)},{ts(b)},Default,,0,0,0,,{text.replace(chr(10), chr(92) + 'N')}\n"
                    for a, b, text in cues)
    Path(path).write_text(head + lines, encoding="utf-8")
    return Path(path)


# ---------------------------------------------------------------- hostile files


def make_random_bytes(path: str | Path, n_bytes: int = 200_000, seed: int = 0) -> Path:
    Path(path).write_bytes(np.random.default_rng(seed).integers(0, 256, n_bytes, dtype=np.uint8).tobytes())
    return Path(path)


def make_text(path: str | Path) -> Path:
    Path(path).write_text("This is a shopping list, not a video.\n" * 200, encoding="utf-8")
    return Path(path)


def make_png(path: str | Path, size: tuple[int, int] = (64, 48)) -> Path:
    from PIL import Image

    Image.fromarray(frame_image(7, *size)).save(path, format="PNG")
    return Path(path)


def make_audio_only(path: str | Path, duration_s: float = 2.0) -> Path:
    """An audio-only file (.m4a: AAC in MP4, or .mp3/.wav by suffix)."""
    path = Path(path)
    fmt = {".m4a": "mp4", ".mp3": "mp3", ".wav": "wav"}[path.suffix.lower()]
    codec = {".m4a": "aac", ".mp3": "libmp3lame", ".wav": "pcm_s16le"}[path.suffix.lower()]
    with av.open(str(path), "w", format=fmt) as out:
        _write_tone(out, out.add_stream(codec, rate=AUDIO_RATE, layout="mono"), duration_s)
    return path


def make_zero_duration(path: str | Path, size: tuple[int, int] = (64, 48)) -> Path:
    """A finished container with a video stream and no frames at all."""
    with av.open(str(path), "w", format=CONTAINERS[Path(path).suffix.lower()]) as out:
        vs = out.add_stream("mpeg4", rate=10)
        vs.width, vs.height, vs.pix_fmt = size[0], size[1], "yuv420p"
        out.start_encoding()  # writes the header although no frame follows
        out.mux(vs.encode(None))
    return Path(path)


def make_truncated(src: str | Path, dst: str | Path, keep_fraction: float = 0.5) -> Path:
    """The first ``keep_fraction`` of ``src``'s bytes (an interrupted download)."""
    data = Path(src).read_bytes()
    Path(dst).write_bytes(data[: int(len(data) * keep_fraction)])
    return Path(dst)


def make_unsupported_codec(path: str | Path) -> Path:
    """An AVI whose video FourCC names no codec libav knows (MPEG-4 data relabelled 'ZZZZ')."""
    path = Path(path)
    make_video(path.with_suffix(".tmp.avi"), codec="mpeg4", duration_s=1.0)
    data = path.with_suffix(".tmp.avi").read_bytes()
    path.with_suffix(".tmp.avi").unlink()
    for tag in (b"FMP4", b"fmp4", b"DIVX", b"XVID", b"xvid", b"divx", b"MP4V", b"mp4v"):
        data = data.replace(tag, b"ZZZZ")
    path.write_bytes(data)
    return path


def make_absurd_resolution(path: str | Path) -> Path:
    """A real MJPEG AVI whose picture is 20000 x 16 pixels (wider than any real video)."""
    path = Path(path)
    with av.open(str(path), "w", format="avi") as out:
        vs = out.add_stream("mjpeg", rate=10)
        vs.width, vs.height, vs.pix_fmt = 20000, 16, "yuvj420p"
        for k in range(3):
            frame = av.VideoFrame.from_ndarray(np.full((16, 20000, 3), 60 * k, np.uint8), "rgb24")
            frame.pts = k
            out.mux(vs.encode(frame))
        out.mux(vs.encode(None))
    return path
