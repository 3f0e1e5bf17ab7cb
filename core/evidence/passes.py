"""The two decode passes of the evidence run: one over sampled frames, one over audio; each feeds every consumer.

Frame pass: ``core.media.sample_frames`` at ``fps`` (at the OCR width when OCR is on, else the analysis width)
-> ``FrameAnalyzer`` (statistics + PySceneDetect cuts) for every frame and OCR for every ``ocr_stride``-th frame
(a frame that barely changed since the last OCR'd one reuses its reads) and ``core.vision.FrameEmbedder`` for the
vision stage (one frame per shot, one every few seconds inside long shots) and ``core.vision.ObjectStage`` for the
objects stage (the COCO detector on the same frames). Audio pass: ``core.media.decode_audio``
-> ``LevelMeter`` (loudness, silences) and ``SpeechBuffer`` -> faster-whisper. Rows are committed every
``CHECKPOINT_S`` seconds of media together with the stage's ``done_s``, so a killed pass resumes where it stopped.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np
import sqlite_utils

from core.evidence import store
from core.evidence.audio import LevelMeter
from core.evidence.frames import FrameAnalyzer, black_runs, resize_to_width, shots_from_cuts
from core.evidence.logo import LOGO_STRIDE, LOGO_WIDTH, CornerEdges, corner_edges
from core.evidence.ocr import OcrObservation, OcrReader, merge_observations
from core.evidence.options import EvidenceOptions
from core.evidence.speech import SpeechBuffer, load_model, transcribe
from core.evidence.types import BlackFrames, FrameStat, Level, Silence
from core.media.types import Frame, VideoInfo
from core.progress import CancelToken, Progress, RateMeter
from core.vision import FrameEmbedder, ObjectStage, load_detector
from core.vision import load_model as load_vision_model

CHECKPOINT_WALL_S = 5.0  # commit at least this often (wall-clock seconds) while a pass runs
OCR_REUSE_MOTION = 4.0  # mean |grey difference| (0..255) below which a frame reuses the previous OCR reads
SAMPLE_RATE = 16000  # Hz, audio for levels and speech
EPS = 1e-6
DENSE_FPS = 25.0  # frames per second checked for black around near-digital silences
DENSE_SILENCE_DB = -70.0  # dBFS: silences this quiet (breaks are digital silence; room tone is louder)
DENSE_MARGIN_S = 0.3  # seconds checked on each side of such a silence
MAX_DENSE_WINDOWS = 5000  # bound on the extra decoding for a pathological file
VISION_WIDTH = 448  # px, at least this wide when the vision stage runs (the image-text model crops 224 px)
OBJECTS_WIDTH = 416  # px, at least this wide when the objects stage runs (the detector's input side)

Report = Callable[[Progress], None]


@dataclass
class _FrameBuffers:
    stats: list[FrameStat] = field(default_factory=list)
    cuts: list[float] = field(default_factory=list)
    obs: list[OcrObservation] = field(default_factory=list)
    logo: list[CornerEdges] = field(default_factory=list)
    last_t: float = -1.0


def frame_pass(db: sqlite_utils.Database, run_id: int, path: Path, info: VideoInfo, options: EvidenceOptions,
               todo: dict[str, float], report: Report, cancel: CancelToken | None) -> None:
    """Run the frame stages in ``todo`` (stage -> done_s to resume after) in one decode."""
    from core.media import FrameSize, PerSecond, sample_frames

    # Resume on the same sampling grid: slot k covers [k/fps, (k+1)/fps) and is sampled at its middle, so
    # the pass restarts at the slot after the last one committed (done_s is that slot's target time).
    done = min(todo.values())
    start = math.floor(done * options.fps + 0.5) / options.fps if done > 0 else 0.0
    width = options.ocr_width if "ocr" in todo else options.analysis_width
    if "frames" in todo:
        width = max(width, LOGO_WIDTH)  # the logo's corner edges need more pixels than the statistics
    if "vision" in todo:
        width = max(width, VISION_WIDTH)
    if "objects" in todo:
        width = max(width, OBJECTS_WIDTH)
    embedder = _embedder(db, info, options, todo)
    objects = _object_stage(db, info, options, todo)
    max_frames = int(info.duration_s * options.fps) + 16
    stream = sample_frames(path, PerSecond(options.fps, max_frames=max_frames), size=FrameSize.fit(width, width),
                           start_s=start if start > 0 else None, cancel=cancel, info=info)
    analyzer = FrameAnalyzer(options.fps, options.analysis_width, options.cut_threshold)
    reader = OcrReader(options.ocr_min_score) if "ocr" in todo else None
    meter = RateMeter("frames", total=info.duration_s, unit="s")
    buf = _FrameBuffers()
    last_ocr: tuple[np.ndarray, list[OcrObservation]] | None = None
    last_commit = time.monotonic()
    for frame in _past_the_last_picture_ends(stream, start):
        if cancel is not None:
            cancel.raise_if_cancelled()
        t, slot = frame.pts_s, math.floor(frame.target_s * options.fps)
        if "frames" in todo and frame.target_s > todo["frames"] + EPS:
            stat, cuts = analyzer.add(t, frame.image)
            buf.stats.append(stat)
            buf.cuts.extend(cuts)
            if slot % LOGO_STRIDE == 0:
                buf.logo.append(corner_edges(t, frame.image))
        if reader is not None and frame.target_s > todo["ocr"] + EPS and slot % options.ocr_stride == 0:
            last_ocr = _ocr_frame(reader, t, frame.image, options.analysis_width, last_ocr)
            buf.obs.extend(last_ocr[1])
        if embedder is not None and frame.target_s > todo["vision"] + EPS:
            embedder.add(t, frame.image)
        if objects is not None and frame.target_s > todo["objects"] + EPS:
            objects.add(t, frame.image)
        buf.last_t = frame.target_s
        if time.monotonic() - last_commit >= CHECKPOINT_WALL_S:
            _commit_frames(db, run_id, todo, buf, embedder, objects)
            last_commit = time.monotonic()
            report(meter.update(t, "", frames=float(slot + 1), **_vision_detail(embedder, objects)))
    _commit_frames(db, run_id, todo, buf, embedder, objects)
    report(meter.update(info.duration_s, "", **_vision_detail(embedder, objects)))
    _finish_frames(db, run_id, path, options, info, todo, cancel)
    if embedder is not None:
        _finish_vision(db, run_id, info, embedder)
    if objects is not None:
        _finish_objects(db, run_id, info, objects)


def _past_the_last_picture_ends(stream: Iterable[Frame], start_s: float) -> Iterator[Frame]:
    """The frames of a (resumed) pass. A pass resumed after ``start_s`` > 0 whose remaining slots all lie past
    the last picture of the file (a cancel in the last second of a recording whose sound outlasts its picture)
    decodes nothing there; that is the end of the pass, not a damaged file (a fresh pass still raises)."""
    from core.media.errors import DamagedMedia

    try:
        yield from stream
    except DamagedMedia:  # raised only when the plan yielded no picture at all
        if start_s <= 0:
            raise


def _embedder(db: sqlite_utils.Database, info: VideoInfo, options: EvidenceOptions,
              todo: dict[str, float]) -> FrameEmbedder | None:
    """The vision stage's frame embedder (the image-text model is loaded here), or None when not in ``todo``."""
    if "vision" not in todo:
        return None
    vopts = options.vision_options()
    return FrameEmbedder(db, info.fingerprint, load_vision_model(vopts), vopts, resume_after_s=todo["vision"])


def _object_stage(db: sqlite_utils.Database, info: VideoInfo, options: EvidenceOptions,
                  todo: dict[str, float]) -> ObjectStage | None:
    """The objects stage (the detector is loaded here), or None when not in ``todo``."""
    if "objects" not in todo:
        return None
    oopts = options.object_options()
    return ObjectStage(db, info.fingerprint, load_detector(oopts.model, oopts.threads), oopts,
                       resume_after_s=todo["objects"])


def _vision_detail(embedder: FrameEmbedder | None, objects: ObjectStage | None = None) -> dict[str, float]:
    detail = {} if embedder is None else {"vision_frames": float(embedder.embedded)}
    if objects is not None:
        detail["object_frames"] = float(objects.frames)
    return detail


def _finish_vision(db: sqlite_utils.Database, run_id: int, info: VideoInfo, embedder: FrameEmbedder) -> None:
    """Shots (from the frames stage, now done) and the vocabulary's vectors, then the stage is done."""
    shots = [(s.start_s, s.end_s) for s in store.read_shots(db, info.fingerprint)]
    embedder.finish(shots)
    with db.atomic():
        store.mark_stage(db, run_id, "vision", info.duration_s, "done")


def _finish_objects(db: sqlite_utils.Database, run_id: int, info: VideoInfo, objects: ObjectStage) -> None:
    """Shots (from the frames stage, now done) for the shot descriptions, then the stage is done."""
    objects.finish([(s.start_s, s.end_s) for s in store.read_shots(db, info.fingerprint)])
    with db.atomic():
        store.mark_stage(db, run_id, "objects", info.duration_s, "done")


def _ocr_frame(reader: OcrReader, t: float, image: np.ndarray, width: int,
               last: tuple[np.ndarray, list[OcrObservation]] | None) -> tuple[np.ndarray, list[OcrObservation]]:
    """OCR one frame, or reuse the previous reads (at the new time) when the picture has barely changed."""
    small = resize_to_width(image, width).astype(np.int16)
    if last is not None and last[0].shape == small.shape and float(np.abs(small - last[0]).mean()) < OCR_REUSE_MOTION:
        return small, [replace(o, t_s=t) for o in last[1]]
    return small, reader.read(t, image)


def _commit_frames(db: sqlite_utils.Database, run_id: int, todo: dict[str, float], buf: _FrameBuffers,
                   embedder: FrameEmbedder | None = None, objects: ObjectStage | None = None) -> None:
    if buf.last_t < 0:
        return
    with db.atomic():
        if embedder is not None:
            embedder.commit()
            store.mark_stage(db, run_id, "vision", max(todo["vision"], buf.last_t))
        if objects is not None:
            objects.commit()
            store.mark_stage(db, run_id, "objects", max(todo["objects"], buf.last_t))
        if "frames" in todo:
            store.write_frame_stats(db, run_id, buf.stats, buf.cuts)
            store.write_logo_edges(db, run_id, buf.logo)
            store.mark_stage(db, run_id, "frames", max(todo["frames"], buf.last_t))
        if "ocr" in todo:
            store.write_ocr_obs(db, run_id, buf.obs)
            store.mark_stage(db, run_id, "ocr", max(todo["ocr"], buf.last_t))
    buf.stats.clear()
    buf.cuts.clear()
    buf.obs.clear()
    buf.logo.clear()


def _finish_frames(db: sqlite_utils.Database, run_id: int, path: Path, options: EvidenceOptions, info: VideoInfo,
                   todo: dict[str, float], cancel: CancelToken | None) -> None:
    """Derive shots, black-frame runs and de-duplicated OCR lines from the committed per-frame rows."""
    sample_s = 1.0 / options.fps
    with db.atomic():
        if "frames" in todo:
            stats = store.read_frame_stats_run(db, run_id)
            db.execute("DELETE FROM ev_shots WHERE run_id = ?", [run_id])
            db.execute("DELETE FROM ev_black WHERE run_id = ?", [run_id])
            store.write_spans(db, run_id, "ev_shots", shots_from_cuts(store.read_cuts_run(db, run_id), info.duration_s))
            coarse = black_runs(stats, options.black_luma, options.black_luma_p99, sample_s)
            fine = dense_black_runs(path, info, store.read_silences_run(db, run_id), options, cancel)
            store.write_spans(db, run_id, "ev_black", merge_runs([*coarse, *fine], gap_s=0.5 * sample_s))
            store.mark_stage(db, run_id, "frames", info.duration_s, "done")
        if "ocr" in todo:
            db.execute("DELETE FROM ev_ocr WHERE run_id = ?", [run_id])
            lines = merge_observations(store.read_ocr_obs(db, run_id), options.ocr_stride * sample_s,
                                       max_gap_s=2.5 * options.ocr_stride * sample_s)
            store.write_text_lines(db, run_id, lines)
            store.mark_stage(db, run_id, "ocr", info.duration_s, "done")


def dense_black_runs(path: Path, info: VideoInfo, silences: list[Silence], options: EvidenceOptions,
                     cancel: CancelToken | None) -> list[BlackFrames]:
    """Black frames too short for the 4 fps pass: every frame around each near-digital silence.

    Broadcasters separate adverts with as few as 3-5 black frames (0.1-0.2 s), which samples 0.25 s apart can
    miss. The audio pass finds silences at 50 ms resolution; around each one quieter than ``DENSE_SILENCE_DB``
    the frames are sampled at ``DENSE_FPS`` (a small, seeked decode) and checked for black.
    """
    from core.media import FrameSize, PerSecond, sample_frames
    from core.media.errors import DamagedMedia

    windows: list[list[float]] = []
    for si in silences:
        if si.rms_db > DENSE_SILENCE_DB:
            continue
        a, b = max(0.0, si.start_s - DENSE_MARGIN_S), min(info.duration_s, si.end_s + DENSE_MARGIN_S)
        if windows and a <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], b)
        elif b > a:
            windows.append([a, b])
    runs: list[BlackFrames] = []
    size = FrameSize.fit(options.analysis_width, options.analysis_width)
    for a, b in windows[:MAX_DENSE_WINDOWS]:
        n = int((b - a) * DENSE_FPS) + 2
        stats = []
        try:
            for frame in sample_frames(path, PerSecond(DENSE_FPS, max_frames=n), size=size, start_s=a, end_s=b,
                                       cancel=cancel, info=info):
                grey = cv2.cvtColor(resize_to_width(frame.image, options.analysis_width), cv2.COLOR_RGB2GRAY)
                stats.append(FrameStat(frame.pts_s, float(grey.mean()), float(np.percentile(grey, 99)), 0.0, 0,
                                       np.zeros(12, np.float32)))
        except DamagedMedia:
            continue  # no picture in this window (e.g. sound running past the last frame): the coarse runs stay
        runs += black_runs(stats, options.black_luma, options.black_luma_p99, 1.0 / DENSE_FPS)
    return runs


def merge_runs(runs: list[BlackFrames], gap_s: float) -> list[BlackFrames]:
    """Union of black runs from both samplings: runs that overlap or nearly touch become one."""
    out: list[BlackFrames] = []
    for r in sorted(runs, key=lambda r: r.start_s):
        if out and r.start_s <= out[-1].end_s + gap_s:
            last = out[-1]
            out[-1] = BlackFrames(last.start_s, max(last.end_s, r.end_s), min(last.luma_mean, r.luma_mean))
        else:
            out.append(r)
    return out


@dataclass
class _AudioState:
    levels: list[Level] = field(default_factory=list)
    silences: list[Silence] = field(default_factory=list)
    audio_done: float = 0.0


def audio_pass(db: sqlite_utils.Database, run_id: int, path: Path, info: VideoInfo, options: EvidenceOptions,
               todo: dict[str, float], report: Report, cancel: CancelToken | None) -> None:
    """Run the audio stages in ``todo`` (stage -> done_s) in one decode; a file without audio has none to find."""
    from core.media import decode_audio
    from core.media.errors import MediaError

    model = load_model(options.speech_model) if "speech" in todo else None
    start = min(todo.values())
    meter = LevelMeter(SAMPLE_RATE, options.silence_db, options.min_silence_s)
    speech = SpeechBuffer(SAMPLE_RATE)
    state = _AudioState(audio_done=todo.get("audio", 0.0))
    rate = RateMeter("audio", total=info.duration_s, unit="s")
    try:
        for chunk in decode_audio(path, sample_rate=SAMPLE_RATE, start_s=start):
            if cancel is not None:
                cancel.raise_if_cancelled()
            end = chunk.start_s + chunk.duration_s
            if "audio" in todo:
                part = _after(chunk.start_s, chunk.samples, todo["audio"])
                if part is not None:
                    lv, si = meter.feed(*part)
                    state.levels += lv
                    state.silences += si
                    state.audio_done = end
                    _commit_audio(db, run_id, state)
            if model is not None:
                part = _after(chunk.start_s, chunk.samples, todo["speech"])
                for piece_start, piece in speech.feed(*part) if part is not None else ():
                    _commit_speech(db, run_id, model, options, piece_start, piece)
            report(rate.update(min(end, info.duration_s)))
    except MediaError as e:
        if type(e).__name__ != "NoAudioStream":
            raise
    _finish_audio(db, run_id, info, todo, meter, speech, model, options, state)
    report(rate.update(info.duration_s))


def _after(start_s: float, samples: np.ndarray, done_s: float) -> tuple[float, np.ndarray] | None:
    """The part of a chunk after ``done_s`` (None when all of it was processed before)."""
    if start_s >= done_s - EPS:
        return start_s, samples
    skip = round((done_s - start_s) * SAMPLE_RATE)
    if skip >= samples.size:
        return None
    return done_s, samples[skip:]


def _commit_audio(db: sqlite_utils.Database, run_id: int, state: _AudioState) -> None:
    with db.atomic():
        store.write_levels(db, run_id, state.levels)
        store.write_spans(db, run_id, "ev_silences", state.silences)
        store.mark_stage(db, run_id, "audio", state.audio_done)
    state.levels, state.silences = [], []


def _commit_speech(db: sqlite_utils.Database, run_id: int, model: object, options: EvidenceOptions,
                   start_s: float, samples: np.ndarray) -> None:
    segments = transcribe(model, samples, start_s, options.speech_language)
    with db.atomic():
        store.write_transcript(db, run_id, segments)
        store.mark_stage(db, run_id, "speech", start_s + samples.size / SAMPLE_RATE)


def _finish_audio(db: sqlite_utils.Database, run_id: int, info: VideoInfo, todo: dict[str, float],
                  meter: LevelMeter, speech: SpeechBuffer, model: object | None, options: EvidenceOptions,
                  state: _AudioState) -> None:
    if "audio" in todo:
        lv, si = meter.finish()
        state.levels += lv
        state.silences += si
        state.audio_done = info.duration_s
        _commit_audio(db, run_id, state)
        with db.atomic():
            store.mark_stage(db, run_id, "audio", info.duration_s, "done")
    if "speech" in todo:
        if model is not None:
            for piece_start, piece in speech.finish():
                _commit_speech(db, run_id, model, options, piece_start, piece)
        with db.atomic():
            store.mark_stage(db, run_id, "speech", info.duration_s, "done")
