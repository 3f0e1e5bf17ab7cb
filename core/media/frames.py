"""``sample_frames``: the frames on screen at planned times, decoded with as little work as possible.

Strategy (measured in benchmarks/sampling.py): for each target time ``t`` the decoder either keeps decoding
forward from where it is, or seeks to the keyframe at or before ``t``. The demuxer's own keyframe index
(``stream.index_entries``: MP4 sample tables, Matroska cues, AVI idx1) tells where that keyframe is, so the rule is
exact: seek when it lies more than ``SEEK_COST_FRAMES`` frames past the last decoded frame (the seek then skips
at least that much decoding), otherwise decode forward. Dense plans (several targets per GOP) therefore decode
sequentially through each GOP and jump over GOPs with no target; sparse plans seek once per target. Files
without an index fall back to a distance rule (``NO_INDEX_SEEK_GAP_S``).

While decoding forward, non-reference pictures (most B-frames) more than ``SKIP_MARGIN_FRAMES`` before the
next target are not decoded at all (libav's ``skip_frame = NONREF``): on x264 content with B-frames that removes
a third or more of the decoding work between targets.

Each target gets the frame displayed at that time: the last decoded frame whose pts is <= t (one frame of
look-ahead proves it). Undecodable stretches are skipped and recorded as ``Gap``; work per file is bounded by
``MAX_DECODE_ERRORS`` and a few seek retries per target.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import av.error
import numpy as np
from av.container import InputContainer
from av.video.stream import VideoStream

from core.media.container import StreamClock, open_media, start_time_s, time_base_s
from core.media.errors import DamagedMedia
from core.media.plan import SamplingPolicy, plan_times
from core.media.probe import probe
from core.media.resize import FrameSize, to_rgb
from core.media.types import Frame, Gap, VideoInfo
from core.progress import CancelToken

SEEK_COST_FRAMES = 4  # a seek + flush costs 2.2-4.3 decoded 720p frames (benchmarks/sampling.py --crossover)
NO_INDEX_SEEK_GAP_S = 8.0  # without a keyframe index: seek when the next target is this far ahead
MAX_DECODE_ERRORS = 300  # libav errors tolerated per file before giving up on the rest
SKIP_MARGIN_FRAMES = 8  # non-reference pictures this many frames before a target are not decoded
SEEK_BACKOFF_S = (0.0, 5.0, 30.0)  # seek this far before t when a seek lands after t (no usable index)
TIME_EPS_S = 1e-6


class FrameStream:
    """An iterator of ``Frame`` in time order; ``len()`` is the planned count, ``gaps`` grows as it goes.

    Frames for targets inside undecodable stretches are skipped (their ``index`` is missing from the output)
    and the stretch is recorded in ``gaps``. Memory is bounded: one decoded frame plus one of look-ahead.
    """

    def __init__(self, path: Path, info: VideoInfo, times: tuple[float, ...], size: FrameSize | None,
                 cancel: CancelToken | None) -> None:
        self.path, self.info, self.times, self.size = path, info, times, size
        self.gaps: list[Gap] = []
        self._cancel = cancel
        self._gen = self._run()

    def __len__(self) -> int:
        return len(self.times)

    def __iter__(self) -> Iterator[Frame]:
        return self

    def __next__(self) -> Frame:
        return next(self._gen)

    def close(self) -> None:
        self._gen.close()

    def __enter__(self) -> FrameStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self) -> Generator[Frame, None, None]:
        readable = self.info.readable_s
        limit = len(self.times) if readable is None else bisect.bisect_right(self.times, readable)
        if limit < len(self.times):
            self._add_gap(readable or 0.0, self.info.duration_s,
                          f"the file ends early (truncated): {readable:.1f} of {self.info.duration_s:.1f} s readable")
        if limit == 0:
            return
        with open_media(self.path) as container:
            vs = container.streams.video[_stream_pos(container, self.info.video.index)]
            vs.thread_type = "AUTO"
            yield from _Sampler(container, vs, self).frames(self.times[:limit])

    def _add_gap(self, start_s: float, end_s: float, reason: str) -> None:
        if self.gaps and self.gaps[-1].reason == reason and start_s <= self.gaps[-1].end_s + TIME_EPS_S:
            self.gaps[-1] = Gap(self.gaps[-1].start_s, max(end_s, self.gaps[-1].end_s), reason)
        else:
            self.gaps.append(Gap(start_s, end_s, reason))


def _stream_pos(container: InputContainer, index: int) -> int:
    for pos, s in enumerate(container.streams.video):
        if s.index == index:
            return pos
    return 0


@dataclass(slots=True)
class _Decoded:
    frame: av.VideoFrame
    pts_s: float
    errors: int  # libav errors counted before this frame came out
    skips: int  # packets decoded with non-reference frames skipped, before this frame came out


class _Sampler:
    """Decoder state for one pass over a plan: current position, candidate frame, one frame of look-ahead."""

    def __init__(self, container: InputContainer, vs: VideoStream, stream: FrameStream) -> None:
        self.container, self.vs, self.stream = container, vs, stream
        self.tb = time_base_s(vs)
        self.offset = start_time_s(container)
        self.clock = StreamClock(container, vs)  # frame timestamps in s, MPEG-TS wrap undone
        self.rotation = stream.info.video.rotation
        self.keyframes = _keyframe_times(vs, self.offset)  # refreshed when a seek grows the index
        self._index_len = len(vs.index_entries)
        self.errors = 0
        self.skips = 0
        self._skipping = False
        self._target_s = -math.inf  # the target being decoded towards
        self._it: Iterator[_Decoded | None] | None = None
        self.pos_s = -math.inf  # pts of the last decoded frame (or the keyframe a seek went to)
        self.cand: _Decoded | None = None  # last decoded frame with pts <= current target
        self.look: _Decoded | None = None  # first decoded frame after the current target
        self._last_image: tuple[_Decoded, np.ndarray] | None = None  # holds the frame, so identity is safe

    def frames(self, times: tuple[float, ...]) -> Iterator[Frame]:
        emitted = 0
        last_ok_s = 0.0
        for i, t in enumerate(times):
            if self.stream._cancel is not None:
                self.stream._cancel.raise_if_cancelled()
            found = self._frame_at(t)
            if found is None:
                reason = "undecodable data (damaged stretch)"
                self.stream._add_gap(last_ok_s, t, reason)
                if self.errors > MAX_DECODE_ERRORS:
                    break
                continue
            emitted += 1
            last_ok_s = found.pts_s
            yield Frame(index=i, pts_s=found.pts_s, target_s=t, image=self._image(found))
        if self.errors > MAX_DECODE_ERRORS:
            self.stream._add_gap(last_ok_s, self.stream.info.duration_s,
                                 f"gave up after {self.errors} decoding errors")
        if emitted == 0:
            readable = self.stream.info.readable_s
            raise DamagedMedia(f"{self.stream.path.name} is damaged: no picture could be decoded at any planned time; "
                               "re-download the file or repair it with ffmpeg.", readable_s=readable or 0.0)

    def _frame_at(self, t: float) -> _Decoded | None:
        """The frame displayed at ``t`` (pts <= t < next pts), seeking first when that saves decoding."""
        if self._it is None or self._should_seek(t):
            return self._seek_and_find(t)
        found = self._advance(t)
        if found is None and self.errors <= MAX_DECODE_ERRORS:
            return self._seek_and_find(t)  # the stream broke before t: jump over the damage
        return self._not_stale(found, t)

    def _not_stale(self, found: _Decoded | None, t: float) -> _Decoded | None:
        """None when ``found`` is only "on screen" at ``t`` because the frames after it were lost (libav errors,
        or a constant-rate stream whose next decoded frame comes over 3 frame durations later)."""
        if found is None or self.look is None or not self._lost_data(found, self.look):
            return found
        return found if t - found.pts_s <= 1.5 / max(self.stream.info.video.fps, 1.0) else None

    def _should_seek(self, t: float) -> bool:
        if self.cand is not None and t + TIME_EPS_S < self.cand.pts_s:
            return True  # behind us (plans are sorted, so only after a late seek landing)
        if self.keyframes:
            k = self.keyframes[max(0, bisect.bisect_right(self.keyframes, t + TIME_EPS_S) - 1)]
            return (k - self.pos_s) * self.stream.info.video.fps > SEEK_COST_FRAMES
        return t - self.pos_s > NO_INDEX_SEEK_GAP_S

    def _seek_and_find(self, t: float) -> _Decoded | None:
        for back in SEEK_BACKOFF_S:
            target = max(0.0, t - back)
            if not self._seek(target):
                return None
            found = self._advance(t)
            if found is not None or self.look is None:
                return self._not_stale(found, t)  # found it, or no data at all around t
            # The seek landed after t (coarse or missing index): back off and try again.
        return self.look if self.look is not None else None

    def _seek(self, t: float) -> bool:
        self.cand = self.look = None
        try:
            self.container.seek(max(0, int((t + self.offset) / self.tb)), stream=self.vs, backward=True)
        except av.error.FFmpegError:
            self.errors += 1
            self._it = None
            return False
        if len(self.vs.index_entries) != self._index_len:  # Matroska loads its cues on the first seek
            self._index_len = len(self.vs.index_entries)
            self.keyframes = _keyframe_times(self.vs, self.offset)
        if self.keyframes:
            self.pos_s = self.keyframes[max(0, bisect.bisect_right(self.keyframes, t + TIME_EPS_S) - 1)]
        else:
            self.pos_s = t
        self._it = self._decode()
        return True

    def _advance(self, t: float) -> _Decoded | None:
        """Decode forward until a frame after ``t`` shows up; return the one on screen at ``t``."""
        self._target_s = t
        if self.look is not None and self.look.pts_s <= t + TIME_EPS_S:
            self.cand, self.look = self.look, None
        assert self._it is not None
        while self.look is None:
            d = next(self._it, None)
            if d is None:
                break  # end of the file (or of what is readable)
            self.pos_s = max(self.pos_s, d.pts_s)
            if d.pts_s <= t + TIME_EPS_S:
                self.cand = d
            else:
                self.look = d
        return self.cand

    def _decode(self) -> Iterator[_Decoded]:
        """Decoded frames from the current demux position; libav errors are counted and skipped.

        A demuxer error ends this iterator (the demuxer cannot resync by itself; the caller seeks past it);
        a decoder error skips that packet.
        """
        demux = self.container.demux(self.vs)
        last: _Decoded | None = None
        resync = True  # after a seek, start at a keyframe (a seek into damaged data may land mid-GOP)
        while self.errors <= MAX_DECODE_ERRORS:
            try:
                packet = next(demux)
            except StopIteration:
                return
            except av.error.ExitError:
                raise
            except av.error.FFmpegError:
                self.errors += 1
                return
            self._set_skip(packet)
            try:
                frames = self.vs.decode(packet)
            except av.error.ExitError:
                raise
            except av.error.FFmpegError:
                self.errors += 1
                resync = True
                continue
            for f in frames:
                if f.pts is None:
                    continue
                d = _Decoded(f, self.clock.seconds(f.pts), self.errors, self.skips)
                if self._lost_data(last, d):
                    resync = True  # pictures predicted across lost data are garbage until the next keyframe
                if resync and not f.key_frame:
                    continue
                resync, last = False, d
                yield d

    def _set_skip(self, packet: av.Packet) -> None:
        """Skip decoding non-reference pictures (most B-frames) well before the current target.

        Such a picture with pts < t - ``SKIP_MARGIN_FRAMES`` frames cannot be the one on screen at t: a reference
        picture follows it within a few frames. Constant-rate streams only (a VFR stream may hold a frame long).
        """
        info = self.stream.info.video
        skip = (not info.variable_fps and packet.pts is not None
                and packet.pts * self.tb - self.offset < self._target_s - SKIP_MARGIN_FRAMES / max(info.fps, 1.0))
        if skip != self._skipping:
            self.vs.codec_context.skip_frame = "NONREF" if skip else "DEFAULT"
            self._skipping = skip
        self.skips += skip

    def _lost_data(self, last: _Decoded | None, d: _Decoded) -> bool:
        """Frames were lost between ``last`` and ``d``: libav errors, or a constant-rate stream that jumps
        (not counting pictures skipped on purpose)."""
        if last is None:
            return False
        if d.errors != last.errors:
            return True
        frame_s = 1.0 / max(self.stream.info.video.fps, 1.0)
        jumped = d.pts_s - last.pts_s > 3 * frame_s
        return not self.stream.info.video.variable_fps and jumped and d.skips == last.skips

    def _image(self, d: _Decoded) -> np.ndarray:
        if self._last_image is None or self._last_image[0] is not d:
            self._last_image = (d, to_rgb(d.frame, self.rotation, self.stream.size))
        return self._last_image[1]


def _keyframe_times(vs: VideoStream, offset: float) -> list[float]:
    """Sorted keyframe times (seconds, player time) from the demuxer's index; empty when there is none."""
    tb = time_base_s(vs)
    try:
        entries = vs.index_entries
        times = sorted({e.timestamp * tb - offset for e in entries if e.is_keyframe and not e.is_discard})
    except (AttributeError, av.error.FFmpegError):
        return []
    return times


def sample_frames(
    path: str | Path,
    policy: SamplingPolicy,
    *,
    size: FrameSize | None = None,
    start_s: float | None = None,
    end_s: float | None = None,
    cancel: CancelToken | None = None,
    info: VideoInfo | None = None,
) -> FrameStream:
    """Frames at the times ``policy`` plans (see ``plan_times``), upright, scaled as ``size`` says.

    ``info`` is the file's ``probe`` result when the caller already has it (saves a probe).
    """
    info = info or probe(path)
    times = plan_times(policy, info, start_s=start_s, end_s=end_s)
    return FrameStream(Path(info.path), info, times, size, cancel)
