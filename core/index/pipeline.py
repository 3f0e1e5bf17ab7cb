"""Index once: probe -> sample frames -> encode windows -> commit each window's VST memory to SQLite.

Resumable by construction: every window is committed with the run counter in one transaction, and a new run
starts the encoder at ``windows_done`` with the stored windows as ``previous``. The encoder's ``keep`` hook
round-trips each fresh window through the storage codec before later windows attend to it, so the memory an
uninterrupted run builds is exactly the one a resumed run reads back: the final memory is byte-identical.

Worked example (10 frames per window): 25 planned frames are windows 0 (frames 0-9), 1 (10-19) and 2 (20-24,
partial). Killed after window 1 committed, ``windows_done`` is 2: the next run reads windows 0-1 back as
``previous``, decodes only frames 20-24 (the last stored VST belongs to frame 19) and encodes them as window 2.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from core.errors import Cancelled, LongwatchError
from core.index import store
from core.index.codec import EncodedWindow, roundtrip
from core.index.options import IndexOptions, settings_key
from core.media import FrameSize, FrameStream, plan_times, probe
from core.media.types import Frame, VideoInfo
from core.model import ModelOptions, VideoXL, load_model
from core.model.loader import model_identity
from core.model.memory import WindowMemory
from core.progress import CancelToken, Progress, ProgressCallback, RateMeter, no_progress
from core.store import upsert_video

log = logging.getLogger(__name__)

CLIP_SIZE = 336  # the vision tower's input; frames are resized while decoding so few bytes travel


@dataclass(frozen=True)
class IndexResult:
    """What ``index_video`` left in the store."""

    video: str  # fingerprint
    run_id: int
    settings_key: str
    frames: int
    windows: int
    bytes: int
    memory_sha256: str
    resumed_from: int  # windows already stored when this call started
    reused: bool  # the index was complete already: nothing was decoded or encoded
    elapsed_s: float

    def to_json(self) -> dict[str, Any]:
        return {"video": self.video, "frames": self.frames, "windows": self.windows, "bytes": self.bytes,
                "memory_sha256": self.memory_sha256}


def index_video(
    db: sqlite_utils.Database,
    path: str | Path,
    options: IndexOptions,
    *,
    model: VideoXL | ModelOptions,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    loader: Callable[[ModelOptions, ProgressCallback], VideoXL] = load_model,
    fresh: bool = False,
) -> IndexResult:
    """Index ``path`` (or resume its interrupted index, or return the finished one at once; ``fresh``: drop
    what the run with these settings holds and encode it all again).

    ``model`` is a loaded ``VideoXL`` or the ``ModelOptions`` to load one with (through ``loader``, e.g. a cache
    that keeps it for the next video); given the options of a local folder, a finished index is found from the
    folder's identity without loading the model.
    """
    report = progress or no_progress
    t0 = time.monotonic()
    report(Progress("probe", 0, 1, unit="files", message=str(path)))
    info = probe(path)
    upsert_video(db, info)
    identity = model.identity if isinstance(model, VideoXL) else _identity_without_loading(model)
    done = None if fresh else _finished_run(db, info.fingerprint, options, identity)
    if done is not None:
        if isinstance(model, ModelOptions):  # the model may have moved: later answers load it from here
            store.remember_model(db, done.id, _recordable(model))
        stats = store.run_stats(db, done.id)
        report(Progress("done", stats.frames, stats.frames, unit="frames", message="already indexed"))
        return _result(info, done, stats, resumed_from=done.windows_done, reused=True, t0=t0)
    if isinstance(model, ModelOptions):
        report(Progress("load model", 0, None, message=model.model))
        model = loader(model, report)
    plan = plan_run(info, options, model)
    key = plan.key
    if fresh:
        store.clear_run(db, info.fingerprint, key)
    run = store.start_run(db, info.fingerprint, key, plan.settings, plan.frames_total, plan.windows_total,
                          plan.model)
    try:
        _encode_into(db, run, info, options, model, plan.frames_total, report, cancel)
    except (Cancelled, KeyboardInterrupt) as e:
        store.finish_run(db, run.id, "cancelled", str(e) or "interrupted")
        raise
    except Exception as e:
        store.finish_run(db, run.id, "failed", str(e) or type(e).__name__)
        raise
    store.finish_run(db, run.id, "done")
    stats = store.run_stats(db, run.id)
    final = store.find_run(db, info.fingerprint, key) or run
    report(Progress("done", stats.frames, stats.frames, unit="frames"))
    return _result(info, final, stats, resumed_from=run.windows_done, reused=False, t0=t0)


@dataclass(frozen=True)
class RunPlan:
    """What an index run of one file is before any window: its settings and key, and how big it will be."""

    settings: dict[str, Any]
    key: str
    frames_total: int
    windows_total: int
    model: dict[str, Any] | None  # how the model was loaded (ModelOptions fields)


def plan_run(info: VideoInfo, options: IndexOptions, model: VideoXL) -> RunPlan:
    settings = options.settings(model_identity=model.identity)
    frames_total = len(plan_times(options.policy(), info))
    return RunPlan(settings, settings_key(settings), frames_total, math.ceil(frames_total / model.frames_per_window),
                   dataclasses.asdict(model.options) if model.options is not None else None)


def existing_run(db: sqlite_utils.Database, video: str, options: IndexOptions,
                 model: ModelOptions) -> store.RunRow | None:
    """The run of ``video`` (complete or not) with these options and the model of a local folder, found without
    loading the model; None when there is none or the identity needs the model loaded (a hub id)."""
    identity = _identity_without_loading(model)
    if identity is None:
        return None
    return store.find_run(db, video, settings_key(options.settings(model_identity=identity)))


def _recordable(options: ModelOptions) -> dict[str, Any]:
    """``options`` as a run records them: a local model folder as an absolute path, a hub id as it is."""
    from core.model.download import looks_like_hub_id

    if looks_like_hub_id(options.model):
        return dataclasses.asdict(options)
    return dataclasses.asdict(dataclasses.replace(options, model=str(Path(options.model).expanduser().resolve())))


def _identity_without_loading(options: ModelOptions) -> str | None:
    """The identity a local model folder will load with (hashed from its files, no weights loaded), else None."""
    folder = Path(options.model).expanduser()
    if not folder.is_dir():
        return None  # a hub id: its files may not be here yet
    try:
        return model_identity(folder, options.quant)
    except (OSError, LongwatchError):
        return None  # load_model will say what is wrong with the folder


def _finished_run(db: sqlite_utils.Database, video: str, options: IndexOptions,
                  identity: str | None) -> store.RunRow | None:
    """The complete run with these settings, if any."""
    if identity is None:
        return None
    run = store.find_run(db, video, settings_key(options.settings(model_identity=identity)))
    return run if run is not None and run.complete else None


def _encode_into(db: sqlite_utils.Database, run: store.RunRow, info: VideoInfo, options: IndexOptions,
                 model: VideoXL, frames_total: int, report: ProgressCallback, cancel: CancelToken | None) -> None:
    """Encode the windows the run lacks and commit each one as it comes out."""
    start = run.windows_done
    windows_total = math.ceil(frames_total / model.frames_per_window)
    previous = store.read_windows(db, run.id, limit=start) if start else []
    frames_done = sum(w.n_frames for w in previous)
    if start:
        log.info("resuming %s at window %d of %d", info.name, start, windows_total)
    meter = RateMeter("encode", total=max(frames_total - frames_done, 0), unit="frames")
    resumed_frames = frames_done
    report(_offset(meter.update(0), frames_done, frames_total, start, windows_total))
    for window, enc in encode_windows(info, options, model, previous, cancel):
        store.commit_window(db, run.id, enc)
        frames_done += window.n_frames
        p = meter.update(frames_done - resumed_frames)
        report(_offset(p, frames_done, frames_total, window.index + 1, windows_total))


def encode_windows(info: VideoInfo, options: IndexOptions, model: VideoXL, previous: list[WindowMemory],
                   cancel: CancelToken | None = None) -> Iterator[tuple[WindowMemory, EncodedWindow]]:
    """The windows after ``previous`` (the run's stored windows, decoded), each with the row it is stored as.

    A pure function of (file, options, model, previous): the local index commits what it yields, and a Ray worker
    yields the same rows to the driver, which commits them (``core.usecases.cluster``).
    """
    # The next frame follows the last one stored (not simply 10 * start: undecodable frames leave holes). With
    # ratio <= 144 the last VST of a full window sits on its last frame.
    first = previous[-1].vst_frame[-1] + 1 if previous else 0
    encoded: dict[int, EncodedWindow] = {}

    def keep(window: WindowMemory) -> WindowMemory:
        back, enc = roundtrip(window, options.storage)
        encoded[window.index] = enc
        return back

    frames = _frames_from(info, options, first, cancel)
    for window in model.encode(frames, options.ratio, previous=previous, keep=keep, cancel=cancel):
        enc = encoded.pop(window.index, None)
        yield window, enc if enc is not None else roundtrip(window, options.storage)[1]


def _frames_from(info: VideoInfo, options: IndexOptions, first: int, cancel: CancelToken | None) -> Iterator[Frame]:
    """The planned frames from plan index ``first`` on, numbered as in the whole plan.

    The frames before ``first`` are in the stored windows already, so a resumed run does not decode them: the
    stream is built over the rest of the plan and its indices shifted back.
    """
    times = plan_times(options.policy(), info)
    stream = FrameStream(Path(info.path), info, times[first:], FrameSize.clip(CLIP_SIZE), cancel)
    for f in stream:
        yield dataclasses.replace(f, index=f.index + first)


def _offset(p: Progress, frames_done: int, frames_total: int, windows_done: int, windows_total: int) -> Progress:
    return dataclasses.replace(
        p, done=frames_done, total=frames_total,
        message=f"window {windows_done}/{windows_total}",
        detail=(("windows_done", windows_done), ("windows_total", windows_total)),
    )


def _result(info: VideoInfo, run: store.RunRow, stats: store.StoredStats, *, resumed_from: int, reused: bool,
            t0: float) -> IndexResult:
    return IndexResult(
        video=info.fingerprint, run_id=run.id, settings_key=run.settings_key, frames=stats.frames,
        windows=stats.windows, bytes=stats.bytes, memory_sha256=stats.memory_sha256,
        resumed_from=resumed_from, reused=reused, elapsed_s=time.monotonic() - t0,
    )
