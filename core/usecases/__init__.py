"""The use-case layer: what the command line and the app ask of the engine, in one place.

``Longwatch`` (the service) opens videos, runs the evidence pass and the video-LLM index, answers ask / find /
ads / summary from the best source a video has, keeps history, timeline segments and exports, and writes
reports; the whole library is a job queue (``core.usecases.library``: enqueue, jobs, pause / resume / cancel /
retry / move, search_all, find_all) run by a ``Worker`` (or a ``RayDriver`` on a cluster), fed by a
``WatchService`` and by DVR ``postprocess``. ``Settings`` holds every option and its default. This package, with ``core.results``,
``core.errors``, ``core.progress`` and ``core.timefmt``, is the engine's public API: the app imports nothing else
from core (enforced by import-linter).
"""

from core.index.options import RATIOS, STORAGE_CODECS
from core.media.types import VideoInfo
from core.model.download import DownloadPlan, looks_like_hub_id
from core.model.options import DEVICES, DTYPES, QUANT_MODES
from core.models_catalog import ModelEntry
from core.report.segments import SEGMENT_EXTENSIONS, SEGMENT_FORMATS
from core.report.write import REPORT_FORMATS
from core.store import LibraryEntry
from core.store.answers import AnswerRecord
from core.store.jobs import JOB_KINDS, JOB_STATES, Job, JobEvent
from core.store.segments import SEGMENT_KINDS, Segment
from core.usecases.cluster import RayDriver
from core.usecases.grounds import NO_MODEL, NoEvidence
from core.usecases.index_now import INTERACTIVE_PRIORITY, index_now
from core.usecases.library import Enqueued, LibraryHit, LibraryMoment
from core.usecases.postprocess import PostprocessOptions, PostprocessOutcome, postprocess
from core.usecases.progress_state import IndexProgress
from core.usecases.service import IndexOutcome, Longwatch, Overlays, default_database
from core.usecases.settings import DEFAULT_HUB_MODEL, VISION_MODES, Settings
from core.usecases.sources import ModelMoved
from core.usecases.videos import VideoRef
from core.usecases.watch import WatchEvent, WatchService
from core.usecases.worker import JobUpdate, Worker, WorkerStats

__all__ = [
    "DEFAULT_HUB_MODEL",
    "DEVICES",
    "DTYPES",
    "INTERACTIVE_PRIORITY",
    "JOB_KINDS",
    "JOB_STATES",
    "NO_MODEL",
    "QUANT_MODES",
    "RATIOS",
    "REPORT_FORMATS",
    "SEGMENT_EXTENSIONS",
    "SEGMENT_FORMATS",
    "SEGMENT_KINDS",
    "STORAGE_CODECS",
    "VISION_MODES",
    "AnswerRecord",
    "DownloadPlan",
    "Enqueued",
    "IndexOutcome",
    "IndexProgress",
    "Job",
    "JobEvent",
    "JobUpdate",
    "LibraryEntry",
    "LibraryHit",
    "LibraryMoment",
    "Longwatch",
    "ModelEntry",
    "ModelMoved",
    "NoEvidence",
    "Overlays",
    "PostprocessOptions",
    "PostprocessOutcome",
    "RayDriver",
    "Segment",
    "Settings",
    "VideoInfo",
    "VideoRef",
    "WatchEvent",
    "WatchService",
    "Worker",
    "WorkerStats",
    "default_database",
    "index_now",
    "looks_like_hub_id",
    "postprocess",
]
