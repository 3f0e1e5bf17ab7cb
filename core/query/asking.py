"""``ask``: answer a question from the persisted memory (never re-encoding), streamed, with grounding moments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.errors import UsageError
from core.model import VideoXL
from core.progress import CancelToken
from core.query.evidence import EvidenceContext, EvidenceLine
from core.query.memory import LoadedMemory
from core.query.retrieval import fit_memory
from core.query.scoring import moments_for
from core.results import Answer, AnswerStats, Moment


@dataclass(frozen=True)
class AskOptions:
    max_new_tokens: int = 256
    moments: int = 3  # grounding moments returned with the answer (0: none, saves two scoring passes)
    evidence: bool = True  # put relevant transcript / subtitle / OCR lines into the prompt when they exist

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1:
            raise UsageError(f"max_new_tokens must be at least 1, got {self.max_new_tokens}.")
        if self.moments < 0:
            raise UsageError(f"moments must be 0 or more, got {self.moments}.")


def ask(model: VideoXL, loaded: LoadedMemory, question: str, *, evidence: EvidenceContext | None = None,
        options: AskOptions | None = None, on_text: Callable[[str], None] | None = None,
        cancel: CancelToken | None = None) -> Answer:
    """Answer ``question`` from the memory ``loaded``; ``evidence`` (transcript / subtitle / OCR lines relevant to
    the question, ``core.query.evidence_context``) goes into the prompt; ``on_text`` receives the answer as it
    streams."""
    opts = options or AskOptions()
    if not question.strip():
        raise UsageError("The question is empty; ask something about the video.")
    ev = evidence if opts.evidence else None
    context = ev.text if ev else None
    fitted = fit_memory(model, loaded.memory, question, context=context, max_new_tokens=opts.max_new_tokens)
    pieces: list[str] = []
    for piece in model.answer(fitted.memory, question, context=context, max_new_tokens=opts.max_new_tokens,
                              cancel=cancel):
        pieces.append(piece)
        if on_text is not None:
            on_text(piece)
    moments: list[Moment] = []
    if opts.moments:
        moments, _ = moments_for(model, loaded.memory, question, label=question, top_k=opts.moments,
                                 window_scores=fitted.scores)
    if ev and ev.lines:
        moments = [_with_evidence(m, ev.overlapping(m.start, m.end)) for m in moments]
    answer = Answer(
        question=question,
        text="".join(pieces).strip(),
        moments=tuple(moments),
        sources=("video-llm", *(ev.sources if ev else ())),
        evidence=tuple(line.why() for line in ev.lines) if ev else (),
        stats=AnswerStats(len(fitted.kept), len(loaded.memory.windows), loaded.complete),
    )
    return answer


def _with_evidence(moment: Moment, lines: tuple[EvidenceLine, ...]) -> Moment:
    extra = tuple(f"prompt used {line.why()}" for line in lines)
    return Moment(moment.start, moment.end, moment.score, moment.label, (*moment.why, *extra))
