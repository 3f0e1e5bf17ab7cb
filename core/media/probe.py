"""``probe``: what a file holds (container, duration, streams, fps, rotation) and its content fingerprint."""

from __future__ import annotations

import hashlib
import statistics
from itertools import islice, pairwise
from pathlib import Path

import av.error
from av.container import InputContainer
from av.video.stream import VideoStream

from core.media.container import (
    IMAGE_CODECS,
    PTS_WRAP_S,
    WRAPPING_FORMATS,
    check_path,
    is_image_format,
    is_text_art,
    open_media,
    start_time_s,
    time_base_s,
)
from core.media.errors import (
    AbsurdResolution,
    DamagedMedia,
    NotMedia,
    NoVideoStream,
    UnsupportedCodec,
    ZeroDuration,
)
from core.media.types import AudioStreamInfo, SubtitleStreamInfo, VideoInfo, VideoStreamInfo

FINGERPRINT_SLICE_BYTES = 64 * 1024  # bytes hashed at each of the fixed positions
FINGERPRINT_SLICES = 9  # positions at 0, 1/8, ..., 8/8 of the file (the last slice ends at the end of file)
MAX_SIDE_PX = 16384  # wider or taller than this is not a real video (or a corrupt header)
MIN_SIDE_PX = 8
VFR_PACKETS = 240  # packet timestamps read to tell constant from variable frame rate
VFR_TOLERANCE = 0.02  # relative spread of frame durations still called constant
VFR_ODD_FRACTION = 0.1  # variable when more than this share of frame durations differ from the median
TEXT_SUBTITLE_CODECS = frozenset({"subrip", "srt", "mov_text", "ass", "ssa", "webvtt", "text", "microdvd", "sami",
                                  "realtext", "subviewer", "jacosub", "mpl2", "pjs", "vplayer", "stl"})
SIDECAR_SUFFIXES = (".srt", ".vtt")
END_SLACK_S = 2.0  # data must reach this close to the stated duration, else the file is cut short
SEEK_SCAN_PACKETS = 2000  # packets demuxed after a seek while looking for data at the target time


def fingerprint(path: str | Path) -> str:
    """A content hash that does not depend on the file's name or location.

    BLAKE2b over the size and ``FINGERPRINT_SLICES`` slices of 64 KiB at fixed fractions of the size, so it
    reads at most 576 KiB whatever the file size. Two different videos of the same size differ in their
    headers (first slice) and their sampled data.
    """
    p = check_path(path)
    size = p.stat().st_size
    h = hashlib.blake2b(digest_size=16)
    h.update(size.to_bytes(8, "little"))
    with p.open("rb") as f:
        for i in range(FINGERPRINT_SLICES):
            offset = max(0, min(size - FINGERPRINT_SLICE_BYTES, size * i // (FINGERPRINT_SLICES - 1)))
            f.seek(offset)
            h.update(f.read(FINGERPRINT_SLICE_BYTES))
    return h.hexdigest()


def probe(path: str | Path) -> VideoInfo:
    """Facts about a video file; raises a ``MediaError`` subclass saying what is wrong and what to do."""
    p = check_path(path)
    try:
        return _probe(p)
    except (av.error.FFmpegError, ValueError) as e:
        raise NotMedia(f"{p.name} cannot be read as a video ({e}); it is damaged or not a video file.") from e


def _probe(p: Path) -> VideoInfo:
    with open_media(p) as container:
        vs = _pick_video_stream(container, p)
        video = _video_info(container, vs, p)
        duration = _duration_s(container, vs)
        if duration <= 0:
            raise ZeroDuration(f"{p.name} has a video stream but no frames (duration 0 s); it is empty or its "
                               "recording never finished; use a complete copy.")
        audio = tuple(
            AudioStreamInfo(index=s.index, codec=s.codec_context.name, sample_rate=int(s.sample_rate or 0),
                            channels=int(s.channels or 0), language=_language(s))
            for s in container.streams.audio if s.codec_context is not None
        )
        subs = tuple(
            SubtitleStreamInfo(index=s.index, codec=_codec_name(s), language=_language(s),
                               is_text=_codec_name(s) in TEXT_SUBTITLE_CODECS)
            for s in container.streams.subtitles
        )
        readable = readable_end_s(container, vs, duration)
        if readable is not None and readable < 1.0 / max(video.fps, 1.0):
            raise DamagedMedia(f"{p.name} is damaged or truncated: no picture can be read from it; re-download "
                               "or re-copy the file.", readable_s=0.0)
        return VideoInfo(
            path=str(p.resolve()), fingerprint=fingerprint(p), size_bytes=p.stat().st_size,
            container=container.format.name, duration_s=duration, video=video, audio=audio, subtitles=subs,
            sidecar_subtitles=tuple(str(s) for s in sidecar_subtitle_files(p)), readable_s=readable,
        )


def sidecar_subtitle_files(video: Path) -> list[Path]:
    """``movie.srt``, ``movie.en.srt``, ``movie.vtt`` ... next to ``movie.mkv``, sorted by name."""
    found = []
    for cand in video.parent.glob(f"{_glob_escape(video.stem)}*"):
        if cand.suffix.lower() in SIDECAR_SUFFIXES and cand.is_file():
            rest = cand.name[len(video.stem):-len(cand.suffix)]
            if rest == "" or rest.startswith("."):
                found.append(cand)
    return sorted(found)


def _glob_escape(s: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in s)


def _language(stream: object) -> str | None:
    """The stream's language tag; None for missing or "und" (undetermined)."""
    lang = getattr(stream, "language", None)
    return None if not lang or lang == "und" else str(lang)


def _codec_name(stream: object) -> str:
    ctx = getattr(stream, "codec_context", None)
    return str(getattr(ctx, "name", None) or "unknown")


def _pick_video_stream(container: InputContainer, p: Path) -> VideoStream:
    """The main video stream (not cover art); tells images, audio-only files and garbage apart."""
    streams = [s for s in container.streams.video if not s.disposition & 0x400]  # 0x400 = attached picture
    if is_text_art(container):
        raise NotMedia(f"{p.name} is text or unknown binary data, not a video; open a video file.")
    if is_image_format(container) or (streams and _codec_name(streams[0]) in IMAGE_CODECS
                                      and (streams[0].frames or 0) <= 1 and not container.duration):
        raise NotMedia(f"{p.name} is a still image ({container.format.name}), not a video; open a video file.")
    if not container.streams:
        raise ZeroDuration(f"{p.name} is an empty {container.format.name.split(',')[0]} file: no audio or video data "
                           "at all (a recording stopped at once?); use a complete copy.")
    if not streams:
        if container.streams.audio:
            raise NoVideoStream(f"{p.name} has audio but no video stream; Longwatch indexes videos, open one with "
                                "pictures (or convert the audio to a video with a still image).")
        raise NotMedia(f"{p.name} holds no video stream ({container.format.name}); it is not a video file.")
    vs = streams[0]
    name = _codec_name(vs)
    if vs.codec_context is None or name in ("unknown", "none") or vs.codec_context.codec is None:
        raise UnsupportedCodec(f"{p.name} uses a video codec this build of libav cannot decode; convert it to "
                               f"H.264 first, e.g. ffmpeg -i '{p.name}' -c:v libx264 out.mp4")
    return vs


def _video_info(container: InputContainer, vs: VideoStream, p: Path) -> VideoStreamInfo:
    w, h = int(vs.codec_context.width or 0), int(vs.codec_context.height or 0)
    if not (MIN_SIDE_PX <= w <= MAX_SIDE_PX and MIN_SIDE_PX <= h <= MAX_SIDE_PX):
        raise AbsurdResolution(f"{p.name} claims a picture of {w}x{h} pixels, which no real video has (allowed "
                               f"{MIN_SIDE_PX}..{MAX_SIDE_PX} per side); the header is probably corrupt: re-encode it.")
    pts, rotation = _scan_start(container, vs)
    if not pts:
        raise ZeroDuration(f"{p.name} has a video stream but no frames; it is empty or its recording never "
                           "finished; use a complete copy.")
    fps, variable = _frame_rate(vs, pts)
    if rotation in (90, 270):
        w, h = h, w
    return VideoStreamInfo(index=vs.index, codec=_codec_name(vs), width=w, height=h, fps=fps, variable_fps=variable,
                           rotation=rotation, frame_count=int(vs.frames) if vs.frames else None)


def _scan_start(container: InputContainer, vs: VideoStream) -> tuple[list[int], int]:
    """Packet pts of the first ``VFR_PACKETS`` packets (demux only) and the rotation from the first frame.

    Rotation: clockwise degrees (0/90/180/270) to turn decoded pictures, read from the display matrix that libav
    attaches to decoded frames (``frame.rotation`` is counter-clockwise, hence the minus).
    """
    pts: list[int] = []
    rotation: int | None = None
    for pkt in islice(container.demux(vs), VFR_PACKETS):
        if pkt.pts is not None:
            pts.append(pkt.pts)
        if rotation is None:
            try:
                frames = vs.decode(pkt)
            except av.error.FFmpegError:
                continue  # a damaged first packet: rotation comes from a later one
            if frames:
                rotation = (-round(frames[0].rotation / 90) * 90) % 360
    container.seek(0, stream=vs)
    return pts, rotation or 0


def _frame_rate(vs: VideoStream, pts: list[int]) -> tuple[float, bool]:
    """(average fps, variable?) from packet timestamps: variable when over 10 % of the frame durations differ
    from the median by over 2 %."""
    tb = float(vs.time_base) if vs.time_base else 0.0
    ordered = sorted(pts)
    steps = [b - a for a, b in pairwise(ordered) if b > a]
    avg = float(vs.average_rate) if vs.average_rate else 0.0
    variable = False
    if steps and tb:
        med = statistics.median(steps)
        odd = sum(abs(step - med) > VFR_TOLERANCE * med + 1 for step in steps)  # +1 tick: rounding
        variable = odd > VFR_ODD_FRACTION * len(steps)  # a few odd steps are lost frames, not a variable rate
        if not avg:
            avg = 1.0 / (med * tb)
    return avg or float(vs.guessed_rate or 0) or 25.0, variable


def readable_end_s(container: InputContainer, vs: VideoStream, duration_s: float) -> float | None:
    """Where the readable data ends when the file is cut short (truncated download), else None.

    ``_has_data_at(t)`` seeks to ``t`` and demuxes until a packet at or after ``t`` turns up; a bisection over
    the duration finds the last readable second in ~12 seeks without decoding anything.
    """
    probe_t = max(0.0, duration_s - END_SLACK_S)
    if _has_data_at(container, vs, probe_t):
        return None
    lo, hi = 0.0, probe_t
    while hi - lo > max(0.5, duration_s / 4096):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _has_data_at(container, vs, mid) else (lo, mid)
    container.seek(0, stream=vs)
    return lo


def _has_data_at(container: InputContainer, vs: VideoStream, t_s: float) -> bool:
    tb = time_base_s(vs)
    offset = start_time_s(container)
    try:
        container.seek(int((t_s + offset) / tb), stream=vs, backward=True)
        for pkt in islice(container.demux(vs), SEEK_SCAN_PACKETS):
            if pkt.pts is not None and pkt.pts * tb - offset >= t_s:
                return True
    except av.error.FFmpegError:
        return False
    return False


def _duration_s(container: InputContainer, vs: VideoStream) -> float:
    if container.duration and container.duration > 0:
        total = float(container.duration) / 1_000_000
        video = float(vs.duration * vs.time_base) if vs.duration and vs.time_base else None
        if container.format.name in WRAPPING_FORMATS and video and total > video + PTS_WRAP_S / 2:
            # An MPEG-TS whose first audio timestamp is slightly negative, written modulo 2**33 (8589928832 for
            # -5760), makes libav's container duration ~26.5 h; the picture's own extent is the recording's.
            return video
        return total
    if vs.duration and vs.time_base:
        return float(vs.duration * vs.time_base) - 0.0
    # No duration in the headers (raw streams, some AVI/TS): the last packet's end time.
    last = 0.0
    for pkt in container.demux(vs):
        if pkt.pts is not None and pkt.time_base is not None:
            last = max(last, float((pkt.pts + (pkt.duration or 0)) * pkt.time_base) - start_time_s(container))
    return last
