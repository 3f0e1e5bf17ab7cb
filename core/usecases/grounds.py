"""What one answer may use for a video (``Grounds``), and the sentences answers share.

Light on purpose (no torch): the service builds ``Grounds`` and ``core.usecases.answering`` answers from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.errors import LongwatchError
from core.usecases.videos import VideoRef

if TYPE_CHECKING:
    from core.model import VideoXL
    from core.query import LoadedMemory

NO_MODEL = ("No video-LLM was used: this comes from speech, subtitles, on-screen text and the picture's "
            "statistics. A video-LLM (Settings > Model folder, or --model DIR) adds answers about what is seen.")
AD_QUESTION = "Find the ads"
SUMMARY_QUESTION = "Summarise"


class NoEvidence(LongwatchError):
    """A video has neither a video-LLM memory nor evidence, and its file is not there to analyse."""


@dataclass(frozen=True)
class Grounds:
    """What one answer may use for a video."""

    video: VideoRef
    evidence: bool  # the evidence pass has finished for the video (and its lines are embedded)
    model: VideoXL | None = None
    memory: LoadedMemory | None = None  # a video-LLM memory (with ``model``), or None
    notes: tuple[str, ...] = ()  # what could not be used and why

    def __post_init__(self) -> None:
        if (self.model is None) != (self.memory is None):
            raise ValueError("Grounds needs both a model and its memory, or neither")
        if self.memory is None and not self.evidence:
            raise NoEvidence(f"{self.video.name} has no video-LLM index and no evidence yet, and its file is not at "
                             f"{self.video.path}; open the file from where it is now.")

    @property
    def all_notes(self) -> tuple[str, ...]:
        extra: tuple[str, ...] = ()
        if self.memory is None:
            extra = (NO_MODEL,)
        elif not self.memory.complete:
            done, total = self.memory.run.windows_done, self.memory.run.windows_total or 0
            extra = (f"The video-LLM index is not finished ({done} of {total} windows): the answer covers the "
                     "indexed part only; index again to finish it.",)
        return (*self.notes, *extra)
