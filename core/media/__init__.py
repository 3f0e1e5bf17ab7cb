"""The media engine on PyAV: probe, frame sampling with exact timestamps, audio, subtitles, thumbnails."""

from core.media.audio import decode_audio
from core.media.errors import (
    AbsurdResolution,
    DamagedMedia,
    FileMissing,
    MediaError,
    MediaTimeout,
    NoAudioStream,
    NoPermission,
    NotAFile,
    NotMedia,
    NoVideoStream,
    UnsupportedCodec,
    ZeroDuration,
)
from core.media.frames import FrameStream, sample_frames
from core.media.plan import PerSecond, SamplingPolicy, Uniform, plan_times
from core.media.probe import fingerprint, probe
from core.media.resize import FrameSize
from core.media.subtitles import read_subtitles
from core.media.thumbnails import thumbnails
from core.media.types import (
    AudioChunk,
    AudioStreamInfo,
    Frame,
    Gap,
    SubtitleLine,
    SubtitleStreamInfo,
    VideoInfo,
    VideoStreamInfo,
)

__all__ = [
    "AbsurdResolution", "AudioChunk", "AudioStreamInfo", "DamagedMedia", "FileMissing", "Frame", "FrameSize",
    "FrameStream", "Gap", "MediaError", "MediaTimeout", "NoAudioStream", "NoPermission", "NoVideoStream", "NotAFile",
    "NotMedia", "PerSecond", "SamplingPolicy", "SubtitleLine", "SubtitleStreamInfo", "Uniform", "UnsupportedCodec",
    "VideoInfo", "VideoStreamInfo", "ZeroDuration", "decode_audio", "fingerprint", "plan_times", "probe",
    "read_subtitles", "sample_frames", "thumbnails",
]
