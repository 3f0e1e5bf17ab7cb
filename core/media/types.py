"""What the media engine returns: probe facts, sampled frames, audio chunks, subtitle lines.

All times are seconds from the start of the file as a player shows them (the container's start time is
subtracted), floats. Images are numpy arrays ``(height, width, 3)`` uint8 RGB.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class VideoStreamInfo:
    index: int
    codec: str
    width: int  # as displayed, after rotation
    height: int  # as displayed, after rotation
    fps: float  # average frames per second
    variable_fps: bool
    rotation: int  # degrees clockwise the decoded picture must be turned for display: 0, 90, 180, 270
    frame_count: int | None  # from the container; None when unknown


@dataclass(frozen=True)
class AudioStreamInfo:
    index: int
    codec: str
    sample_rate: int
    channels: int
    language: str | None = None


@dataclass(frozen=True)
class SubtitleStreamInfo:
    index: int
    codec: str  # subrip, mov_text, ass, webvtt, ...
    language: str | None = None
    is_text: bool = True  # False for bitmap subtitles (PGS, DVB), which are listed but not read


@dataclass(frozen=True)
class VideoInfo:
    """Facts about one media file, from ``core.media.probe``."""

    path: str
    fingerprint: str  # content hash: same for a moved/renamed file, different for a different file
    size_bytes: int
    container: str
    duration_s: float
    video: VideoStreamInfo
    audio: tuple[AudioStreamInfo, ...] = ()
    subtitles: tuple[SubtitleStreamInfo, ...] = ()
    sidecar_subtitles: tuple[str, ...] = ()  # paths of .srt/.vtt files next to the video
    readable_s: float | None = None  # truncated/damaged file: data ends here (seconds); None = readable to the end

    @property
    def name(self) -> str:
        from pathlib import Path

        return Path(self.path).name

    def to_json(self) -> dict[str, Any]:
        from dataclasses import asdict

        d = asdict(self)
        d["name"] = self.name
        return d


@dataclass(frozen=True, eq=False)
class Frame:
    """One sampled frame.

    ``index`` is the position in the sampling plan (0..n-1), ``pts_s`` the exact presentation time of the
    decoded frame, ``target_s`` the time the plan asked for (``pts_s`` is the frame on screen at that time).
    """

    index: int
    pts_s: float
    target_s: float
    image: np.ndarray = field(repr=False)  # (height, width, 3) uint8 RGB


@dataclass(frozen=True)
class Gap:
    """A stretch that could not be decoded (damaged data); sampling skipped it and carried on."""

    start_s: float
    end_s: float
    reason: str


@dataclass(frozen=True, eq=False)
class AudioChunk:
    """Mono float32 PCM at ``sample_rate`` Hz, starting at ``start_s``."""

    start_s: float
    samples: np.ndarray = field(repr=False)  # (n,) float32 in -1..1
    sample_rate: int = 16000

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate


@dataclass(frozen=True)
class SubtitleLine:
    start_s: float
    end_s: float
    text: str  # markup stripped, lines joined with "\n"
    source: str  # "stream:<index>" or the sidecar file path
