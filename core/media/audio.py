"""``decode_audio``: the first audio stream as mono float32 PCM at a fixed rate, in chunks (libswresample)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import av.error
import numpy as np

from core.errors import UsageError
from core.media.container import StreamClock, open_media, start_time_s, time_base_s
from core.media.errors import NoAudioStream
from core.media.types import AudioChunk


def decode_audio(
    path: str | Path,
    *,
    sample_rate: int = 16000,
    chunk_s: float = 30.0,
    start_s: float = 0.0,
    end_s: float | None = None,
) -> Iterator[AudioChunk]:
    """Chunks of ``chunk_s`` seconds (the last may be shorter) covering ``start_s..end_s`` (or to the end).

    Raises ``NoAudioStream`` (and the other ``MediaError``s) at once, before the first chunk is asked for.
    Chunk ``start_s`` values are exact sample positions: chunk k starts at ``first + k * chunk_s`` where
    ``first`` is the time of the first kept sample. Damaged packets are skipped (the timeline stays anchored to
    the decoded frames' timestamps, so later chunks keep their true times).
    """
    if sample_rate < 1000 or chunk_s <= 0:
        raise UsageError(f"decode_audio(sample_rate={sample_rate}, chunk_s={chunk_s}): give a rate >= 1000 Hz and a "
                         "positive chunk length.")
    with open_media(path) as container:
        if not container.streams.audio:
            raise NoAudioStream(f"{Path(path).name} has no audio track; speech and sound analysis are skipped for it.")
    return _chunks(Path(path), sample_rate, chunk_s, start_s, end_s)


def _chunks(path: Path, sample_rate: int, chunk_s: float, start_s: float, end_s: float | None) -> Iterator[AudioChunk]:
    chunk_n = max(1, round(chunk_s * sample_rate))  # samples per chunk
    with open_media(path) as container:
        stream = container.streams.audio[0]
        offset = start_time_s(container)
        clock = StreamClock(container, stream)
        if start_s > 0:
            container.seek(int((start_s + offset) / time_base_s(stream)), stream=stream, backward=True)
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
        pending: list[np.ndarray] = []
        pending_n = 0
        chunk_start: float | None = None  # time of pending[0][0]
        for frame in _frames(container, stream):
            if frame is not None and frame.pts is not None:
                frame.pts = clock.ticks(frame.pts)  # MPEG-TS wrap undone before the resampler rescales it
            out_frames = resampler.resample(None) if frame is None else resampler.resample(frame)
            for out in out_frames:
                samples = out.to_ndarray().reshape(-1).astype(np.float32, copy=False)  # (n,)
                t0 = out.pts / sample_rate - offset if out.pts is not None else None  # resampler pts tick = 1/rate
                if chunk_start is None:
                    if t0 is None:
                        continue
                    skip = max(0, round((start_s - t0) * sample_rate))
                    samples, t0 = samples[skip:], t0 + skip / sample_rate
                    if len(samples) == 0:
                        continue
                    chunk_start = t0
                pending.append(samples)
                pending_n += len(samples)
                while pending_n >= chunk_n:
                    block = np.concatenate(pending)
                    chunk, rest = block[:chunk_n], block[chunk_n:]
                    done = _emit(chunk_start, chunk, sample_rate, end_s)
                    if done is not None:
                        yield done
                    chunk_start += chunk_n / sample_rate
                    pending, pending_n = ([rest] if len(rest) else []), len(rest)
                    if end_s is not None and chunk_start >= end_s:
                        return
        if pending and chunk_start is not None:
            done = _emit(chunk_start, np.concatenate(pending), sample_rate, end_s)
            if done is not None:
                yield done


def _emit(start: float, samples: np.ndarray, rate: int, end_s: float | None) -> AudioChunk | None:
    if end_s is not None:
        samples = samples[: max(0, round((end_s - start) * rate))]
    if len(samples) == 0:
        return None
    return AudioChunk(start_s=start, samples=np.ascontiguousarray(samples, dtype=np.float32), sample_rate=rate)


def _frames(container: av.container.InputContainer, stream: av.AudioStream) -> Iterator[av.AudioFrame | None]:
    """Decoded audio frames, skipping packets libav cannot decode; ``None`` last (flush the resampler)."""
    errors = 0
    for packet in container.demux(stream):
        try:
            yield from stream.decode(packet)
        except av.error.ExitError:
            raise
        except av.error.FFmpegError:
            errors += 1
            if errors > 1000:
                break
    yield None
