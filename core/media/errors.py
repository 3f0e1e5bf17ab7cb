"""The ``MediaError`` family: one line saying what is wrong with a file and what to do."""

from __future__ import annotations

from core.errors import LongwatchError


class MediaError(LongwatchError):
    """Any problem reading a media file."""


class FileMissing(MediaError):
    pass


class NotAFile(MediaError):
    pass


class NoPermission(MediaError):
    pass


class NotMedia(MediaError):
    pass


class NoVideoStream(MediaError):
    pass


class ZeroDuration(MediaError):
    pass


class DamagedMedia(MediaError):
    """The file is truncated or damaged; ``readable_s`` says how much of it could be read."""

    def __init__(self, message: str, readable_s: float | None = None) -> None:
        super().__init__(message)
        self.readable_s = readable_s


class UnsupportedCodec(MediaError):
    pass


class AbsurdResolution(MediaError):
    pass


class MediaTimeout(MediaError):
    pass


class NoAudioStream(MediaError):
    pass
