"""Evidence that needs no video-LLM: shots, black frames, colour / motion statistics, loudness and silences,
speech (faster-whisper), on-screen text (RapidOCR), subtitles, frame embeddings (core.vision, when an image-text
model is installed); ad detection. Full-text search over the text lines is ``core.semantic.search_text``.

``run_evidence`` computes it in one frame decode and one audio decode, resumably and incrementally, into the
library database; the readers and ``detect_ad_breaks`` / ``detect_ads`` work from what is stored.
"""

from core.evidence.ad_model import AdModelError
from core.evidence.ads import ModelScores, detect_ad_breaks, detect_ads
from core.evidence.frames import stats_of_frames
from core.evidence.options import STAGES, EvidenceOptions
from core.evidence.run import run_evidence
from core.evidence.speech import SpeechError
from core.evidence.store import (
    EvidenceMissing,
    evidence_state,
    find_run,
    read_black_frames,
    read_cuts,
    read_done_stages,
    read_frame_stats,
    read_levels,
    read_ocr_lines,
    read_shots,
    read_silences,
    read_subtitles,
    read_transcript,
)
from core.evidence.types import (
    BlackFrames,
    EvidenceSummary,
    FrameStat,
    Level,
    Silence,
    Span,
    TextHit,
    TextLine,
    TranscriptSegment,
    Word,
)

__all__ = [
    "STAGES",
    "AdModelError",
    "BlackFrames",
    "EvidenceMissing",
    "EvidenceOptions",
    "EvidenceSummary",
    "FrameStat",
    "Level",
    "ModelScores",
    "Silence",
    "Span",
    "SpeechError",
    "TextHit",
    "TextLine",
    "TranscriptSegment",
    "Word",
    "detect_ad_breaks",
    "detect_ads",
    "evidence_state",
    "find_run",
    "read_black_frames",
    "read_cuts",
    "read_done_stages",
    "read_frame_stats",
    "read_levels",
    "read_ocr_lines",
    "read_shots",
    "read_silences",
    "read_subtitles",
    "read_transcript",
    "run_evidence",
    "stats_of_frames",
]
