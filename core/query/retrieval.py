"""Fitting a memory into the model's positions: keep the sink and the most relevant windows, in time order.

RoPE is applied over the contiguous positions of what is kept (sink, VSTs, then the question), so a prompt of
``n_sink + sum(n_vst of kept windows) + reserve`` positions must fit in ``max_positions`` (32768 for Qwen2).
Worked example: ratio 2 keeps 720 VSTs per window; with a 30-token sink and 1024 positions reserved for the
question, evidence and answer, (32768 - 30 - 1024) // 720 = 44 windows (440 frames) fit; a 2048-frame index
then answers from the 44 windows ``score_windows`` ranks highest, read in time order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.model import VideoXL
from core.model.memory import VideoMemory

DEFAULT_RESERVE = 1024  # positions kept for the chat template, question, evidence and answer


@dataclass(frozen=True)
class Fitted:
    """The memory to prompt with, the window indices it keeps and the per-window scores (None: all kept)."""

    memory: VideoMemory
    kept: tuple[int, ...]
    scores: np.ndarray | None  # (n_windows,) P(yes) per window when they had to be ranked


def select_windows(n_vst: Sequence[int], scores: np.ndarray, budget: int) -> tuple[int, ...]:
    """Indices of the highest-scoring windows whose VSTs fit in ``budget`` positions, in time order.

    Ties keep the earlier window. A window that does not fit is skipped and smaller ones are still tried.

    >>> select_windows([10, 10, 10, 10], np.array([0.1, 0.9, 0.5, 0.8]), 20)
    (1, 3)
    """
    if len(n_vst) != len(scores):
        raise ValueError(f"{len(n_vst)} windows but {len(scores)} scores")
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    kept: list[int] = []
    used = 0
    for i in order:
        if used + n_vst[i] <= budget:
            kept.append(int(i))
            used += n_vst[i]
    return tuple(sorted(kept))


def max_positions(model: VideoXL) -> int:
    """The model's position limit (``max_position_embeddings``: 32768 for Video-XL's Qwen2)."""
    return int(model.spec.max_position_embeddings)


def count_tokens(model: VideoXL, text: str) -> int:
    """Tokens of ``text`` with the model's tokenizer."""
    return len(model.tokenize(text))


def fit_memory(model: VideoXL, memory: VideoMemory, question: str, *, context: str | None = None,
               max_new_tokens: int = 256, reserve: int = DEFAULT_RESERVE,
               scores: np.ndarray | None = None, positions: int | None = None) -> Fitted:
    """``memory`` when it fits with the question, else the sink plus the windows most relevant to ``question``.

    ``positions`` overrides the model's position limit (tests and benchmarks use it to force retrieval).
    """
    n_sink = int(memory.sink.keys[0].shape[1]) if memory.sink.keys else 0
    need_text = count_tokens(model, question) + (count_tokens(model, context) if context else 0)
    budget = (positions or max_positions(model)) - n_sink - reserve - need_text - max_new_tokens
    n_vst = [len(w.vst_time_s) for w in memory.windows]
    if sum(n_vst) <= budget:
        return Fitted(memory, tuple(range(len(memory.windows))), scores)
    if scores is None:
        scores = np.asarray(model.score_windows(memory, question), dtype=np.float64)
    kept = select_windows(n_vst, scores, max(budget, 0))
    return Fitted(memory.select(kept), kept, scores)
