"""The use-case layer: what the command line and the app ask of the engine, in one place.

``Longwatch`` (the service) opens videos, runs the evidence pass and the video-LLM index, answers ask / find /
ads / summary from the best source a video has, keeps history, timeline segments and exports, and writes
reports. ``Settings`` holds every option and its default. This package, with ``core.results``,
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
from core.store.segments import SEGMENT_KINDS, Segment
from core.usecases.grounds import NO_MODEL, NoEvidence
from core.usecases.progress_state import IndexProgress
from core.usecases.service import IndexOutcome, Longwatch, Overlays, default_database
from core.usecases.settings import DEFAULT_HUB_MODEL, Settings
from core.usecases.sources import ModelMoved
from core.usecases.videos import VideoRef

__all__ = [
    "DEFAULT_HUB_MODEL",
    "DEVICES",
    "DTYPES",
    "NO_MODEL",
    "QUANT_MODES",
    "RATIOS",
    "REPORT_FORMATS",
    "SEGMENT_EXTENSIONS",
    "SEGMENT_FORMATS",
    "SEGMENT_KINDS",
    "STORAGE_CODECS",
    "AnswerRecord",
    "DownloadPlan",
    "IndexOutcome",
    "IndexProgress",
    "LibraryEntry",
    "Longwatch",
    "ModelEntry",
    "ModelMoved",
    "NoEvidence",
    "Overlays",
    "Segment",
    "Settings",
    "VideoInfo",
    "VideoRef",
    "default_database",
    "looks_like_hub_id",
]
