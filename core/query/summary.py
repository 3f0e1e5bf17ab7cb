"""``summary``: chapters found in the memory itself, titled and described by the model, then an overview.

Chapter boundaries come from the memory: each window is represented by the mean of its VST values (all layers),
and the ``n - 1`` largest cosine distances between neighbouring windows cut the video into ``n`` chapters,
``n = duration / CHAPTER_S`` clamped to 1..max_chapters. Each chapter's title and text are answers over that
chapter's windows; the overview is an answer over the whole (fitted) memory with the chapter lines as context.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import torch

from core.errors import UsageError
from core.model import VideoXL
from core.model.memory import VideoMemory, WindowMemory
from core.progress import CancelToken, Progress, ProgressCallback, RateMeter, no_progress
from core.query.memory import LoadedMemory
from core.query.retrieval import fit_memory
from core.results import Chapter, Summary
from core.timefmt import clock

CHAPTER_S = 300.0  # about one chapter per five minutes
TITLE_Q = "Give a short title, at most six words, for this part of the video."
TEXT_Q = "Describe what happens in this part of the video in one or two sentences."
OVERVIEW_Q = "Summarize the whole video in a few sentences."


@dataclass(frozen=True)
class SummaryOptions:
    max_chapters: int = 8

    def __post_init__(self) -> None:
        if self.max_chapters < 1:
            raise UsageError(f"max_chapters must be at least 1, got {self.max_chapters}.")


def chapter_bounds(windows: tuple[WindowMemory, ...], n_chapters: int) -> list[tuple[int, int]]:
    """``[(first, last_exclusive), ...]`` window ranges cut at the largest changes between neighbours."""
    n = len(windows)
    n_chapters = max(1, min(n_chapters, n))
    if n_chapters == 1:
        return [(0, n)]
    feats = torch.stack([torch.cat([v.float().mean(dim=1).flatten() for v in w.values]) for w in windows])
    feats = torch.nn.functional.normalize(feats, dim=1)  # (n_windows, layers * heads * head_dim)
    change = (1.0 - (feats[1:] * feats[:-1]).sum(dim=1)).numpy()  # (n_windows - 1,)
    cuts = sorted(int(i) + 1 for i in np.argsort(-change, kind="stable")[: n_chapters - 1])
    edges = [0, *cuts, n]
    return [(a, b) for a, b in itertools.pairwise(edges) if b > a]


def _say(model: VideoXL, memory: VideoMemory, question: str, *, context: str | None, max_new_tokens: int,
         cancel: CancelToken | None) -> str:
    fitted = fit_memory(model, memory, question, context=context, max_new_tokens=max_new_tokens)
    text = "".join(model.answer(fitted.memory, question, context=context, max_new_tokens=max_new_tokens,
                                cancel=cancel))
    return " ".join(text.split())


def summarize(model: VideoXL, loaded: LoadedMemory, *, options: SummaryOptions | None = None,
              progress: ProgressCallback | None = None, cancel: CancelToken | None = None) -> Summary:
    """Chapters (title, start, end, text) and an overview from the memory ``loaded``."""
    opts = options or SummaryOptions()
    report = progress or no_progress
    memory = loaded.memory
    wanted = round(loaded.duration_s / CHAPTER_S) or 1
    bounds = chapter_bounds(memory.windows, min(wanted, opts.max_chapters))
    chapters: list[Chapter] = []
    meter = RateMeter("chapters", total=len(bounds) + 1, unit="parts")  # each chapter, then the overview
    for i, (a, b) in enumerate(bounds):
        report(meter.update(i))
        part = memory.select(tuple(range(a, b)))
        title = _say(model, part, TITLE_Q, context=None, max_new_tokens=16, cancel=cancel)
        text = _say(model, part, TEXT_Q, context=None, max_new_tokens=80, cancel=cancel)
        start = memory.windows[a].start_s
        end = memory.windows[b].start_s if b < len(memory.windows) else max(memory.windows[-1].end_s,
                                                                           loaded.duration_s)
        chapters.append(Chapter(start=start, end=end, title=title or f"Part {i + 1}", text=text))
    p = meter.update(len(bounds))
    report(Progress("overview", p.done, p.total, p.unit, p.rate, p.eta_s))
    context = "Chapters:\n" + "\n".join(f"[{clock(c.start)}-{clock(c.end)}] {c.title}: {c.text}"
                                        for c in chapters)
    overview = _say(model, memory, OVERVIEW_Q, context=context, max_new_tokens=200, cancel=cancel)
    return Summary(chapters=tuple(chapters), overview=overview, sources=("video-llm",))
