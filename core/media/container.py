"""Opening a media file safely: path checks, bounded probing, libav errors mapped to ``MediaError``.

Every other module in ``core.media`` opens files through ``open_media`` so that garbage input fails fast with one
line (bounded probe size and an interrupt timeout on blocking reads) and never leaks a libav traceback.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import av
import av.error
from av.container import InputContainer

from core.media.errors import (
    DamagedMedia,
    FileMissing,
    MediaError,
    MediaTimeout,
    NoPermission,
    NotAFile,
    NotMedia,
)

PROBE_SIZE_BYTES = 10_000_000  # libav reads at most this much to find the streams
ANALYZE_DURATION_US = 10_000_000  # ... and at most this much media time
OPEN_TIMEOUT_S = 20.0  # a blocking open/read that stalls longer than this is interrupted
READ_TIMEOUT_S = 20.0

# Demuxers that libav accepts but that are not videos: single images and text "art".
IMAGE_FORMATS = ("image2",)
IMAGE_CODECS = frozenset({"png", "mjpeg", "bmp", "gif", "webp", "tiff", "jpegls", "jpeg2000", "qoi"})
TEXT_ART_FORMATS = ("tty", "bin", "adf", "idf", "xbin")  # libav renders text/ANSI art files as "video"


def check_path(path: str | Path) -> Path:
    """The path as a ``Path`` if it is a readable regular file, else the matching ``MediaError``."""
    p = Path(path).expanduser()
    if not p.exists():
        raise FileMissing(f"{p} does not exist; check the path (was the file moved or renamed?).")
    if p.is_dir():
        raise NotAFile(f"{p} is a folder, not a video file; give the path of a video inside it.")
    if not p.is_file():
        raise NotAFile(f"{p} is not a regular file (a device or pipe?); give the path of a video file.")
    if not os.access(p, os.R_OK):
        raise NoPermission(f"No permission to read {p}; change its permissions (chmod +r) or copy it somewhere readable.")
    return p


def is_image_format(container: InputContainer) -> bool:
    name = container.format.name
    return name in IMAGE_FORMATS or name.endswith("_pipe")


def is_text_art(container: InputContainer) -> bool:
    return any(n in TEXT_ART_FORMATS for n in container.format.name.split(","))


@contextmanager
def open_media(path: str | Path) -> Iterator[InputContainer]:
    """``with open_media(path) as container``: a checked path opened by PyAV with bounded probing.

    libav errors raised while the container is open are turned into ``MediaError`` (raised ``from`` the cause);
    ``MediaError`` raised inside the block passes through unchanged.
    """
    p = check_path(path)
    try:
        container = av.open(
            str(p),
            timeout=(OPEN_TIMEOUT_S, READ_TIMEOUT_S),
            options={"probesize": str(PROBE_SIZE_BYTES), "analyzeduration": str(ANALYZE_DURATION_US)},
        )
    except PermissionError as e:
        raise NoPermission(f"No permission to read {p}; change its permissions or copy it somewhere readable.") from e
    except av.error.ExitError as e:
        raise MediaTimeout(f"Opening {p} took longer than {OPEN_TIMEOUT_S:.0f} s; is it on a stalled network drive?") from e
    except (av.error.InvalidDataError, av.error.PatchWelcomeError, av.error.DecoderNotFoundError,
            av.error.EOFError) as e:
        kind = sniff_container(p)
        if kind:
            raise DamagedMedia(f"{p.name} looks like {kind} but is damaged or incomplete ({_reason(e)}), so nothing "
                               "in it can be read; re-download or re-copy the file.", readable_s=0.0) from e
        raise NotMedia(
            f"{p.name} is not a video file libav can read ({_reason(e)}); if it should be one, it may be damaged "
            "or incomplete: re-download it or convert it with ffmpeg."
        ) from e
    except (av.error.FFmpegError, OSError) as e:
        raise NotMedia(f"Cannot open {p.name} as media ({_reason(e)}); check that it is a video file.") from e
    with container:
        try:
            yield container
        except MediaError:
            raise
        except av.error.ExitError as e:
            raise MediaTimeout(f"Reading {p.name} stalled for over {READ_TIMEOUT_S:.0f} s; copy the file to a local disk.") from e
        except av.error.FFmpegError as e:
            raise DamagedMedia(f"Cannot read {p.name} ({_reason(e)}); the file is damaged: re-download it or repair "
                               "it with ffmpeg (ffmpeg -i in -c copy out.mkv).") from e


def sniff_container(p: Path) -> str | None:
    """The container family named by the file's first bytes (MP4/MOV, Matroska/WebM, AVI), or None."""
    with p.open("rb") as f:
        head = f.read(12)
    if head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide"):
        return "an MP4/MOV file"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "a Matroska/WebM file"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "an AVI file"
    return None


def _reason(e: BaseException) -> str:
    strerror = getattr(e, "strerror", None)
    return str(strerror or e).rstrip(".")


def start_time_s(container: InputContainer) -> float:
    """The container's start time in seconds (subtracted from every timestamp so that 0 is the first frame)."""
    st = container.start_time
    return float(st) / av.time_base if st is not None else 0.0


PTS_WRAP_TICKS = 1 << 33  # MPEG-TS / MPEG-PS timestamps are 33-bit: they wrap every 26.5 h at 90 kHz
WRAPPING_FORMATS = frozenset({"mpegts", "mpeg", "mpegtsraw"})
PTS_WRAP_S = PTS_WRAP_TICKS / 90_000  # 26.5 h: the 90 kHz clock's wrap


class StreamClock:
    """One stream's timestamps as seconds from the container's start, with MPEG-TS's 33-bit wrap undone.

    A broadcast recording's first audio frame often carries a slightly negative timestamp written modulo 2**33
    (e.g. 8589928832 for -5760 ticks), and a recording that crosses the broadcaster's wrap point jumps back by
    2**33 ticks mid-file; either would put the sound 26 hours away from the picture. Each timestamp is moved by
    the multiple of 2**33 that brings it nearest the previous one (the start time for the first).
    """

    def __init__(self, container: InputContainer, stream: av.stream.Stream) -> None:
        self.tb = time_base_s(stream)  # seconds per tick
        self.offset = start_time_s(container)  # s
        self._wraps = container.format.name in WRAPPING_FORMATS
        self._last = round(self.offset / self.tb)  # ticks of the previous timestamp

    def ticks(self, pts: int) -> int:
        """``pts`` unwrapped (ticks of the stream's time base)."""
        if self._wraps:
            pts += round((self._last - pts) / PTS_WRAP_TICKS) * PTS_WRAP_TICKS
            self._last = pts
        return pts

    def seconds(self, pts: int) -> float:
        """``pts`` as seconds from the container's start."""
        return self.ticks(pts) * self.tb - self.offset


def time_base_s(stream: av.stream.Stream) -> float:
    """Seconds per timestamp tick of ``stream`` (libav always sets one on opened input streams)."""
    tb = stream.time_base
    if tb is None:
        raise MediaError(f"Stream #{stream.index} has no time base; the file is damaged, convert it with ffmpeg.")
    return float(tb)
