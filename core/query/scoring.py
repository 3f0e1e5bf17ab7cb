"""Question relevance over a whole memory: per-window P(yes) and per-VST attention, at any video length.

``score_windows`` sees the sink plus one window at a time, so it runs on any memory. ``vst_relevance`` needs the
question after all the VSTs, so it runs on the memory that fits the model's positions (``fit_memory``); VSTs of
windows left out get NaN, and the curve falls back to their window score there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.model import VideoXL
from core.model.memory import VideoMemory
from core.query.moments import RelevanceCurve, extract_moments, relevance_curve
from core.query.retrieval import fit_memory
from core.results import Moment


@dataclass(frozen=True)
class Relevance:
    window_scores: np.ndarray  # (n_windows,) P(yes) in 0..1
    vst: np.ndarray  # (n_vst_total,) attention mass per VST, NaN where not scored
    curve: RelevanceCurve


def relevance(model: VideoXL, memory: VideoMemory, question: str,
              window_scores: np.ndarray | None = None) -> Relevance:
    """Window scores, VST relevance and the per-frame curve of ``question`` over ``memory``."""
    scores = np.asarray(model.score_windows(memory, question) if window_scores is None else window_scores,
                        dtype=np.float64)
    fitted = fit_memory(model, memory, question, scores=scores)
    rel_kept = np.asarray(model.vst_relevance(fitted.memory, question), dtype=np.float64)
    offsets = np.cumsum([0] + [len(w.vst_frame) for w in memory.windows])
    vst = np.full(int(offsets[-1]), np.nan)
    pos = 0
    for i in fitted.kept:
        n = int(offsets[i + 1] - offsets[i])
        vst[offsets[i]:offsets[i + 1]] = rel_kept[pos:pos + n]
        pos += n
    return Relevance(scores, vst, relevance_curve(memory.windows, scores, vst))


def moments_for(model: VideoXL, memory: VideoMemory, question: str, *, label: str, top_k: int = 5,
                window_scores: np.ndarray | None = None) -> tuple[list[Moment], Relevance]:
    """Ranked moments for ``question`` and the relevance they came from."""
    rel = relevance(model, memory, question, window_scores)
    return extract_moments(rel.curve, label=label, top_k=top_k), rel
