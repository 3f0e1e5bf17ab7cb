"""Refining a moment: sample densely around it, encode that stretch, rescore, and narrow start and end.

The index samples sparsely (1 fps or less); a moment found there is as coarse as its frames. Refinement decodes
``DENSE_FRAMES`` frames spread over the moment plus ``pad_s`` on each side, encodes them as a fresh memory (one
or two windows), scores them with the same question and keeps the part of the dense curve above its threshold.
Worked example: a moment [40, 44) from 1 fps frames is padded to [38, 46); 20 dense frames are 0.4 s apart, so
the narrowed span is good to about 0.4 s.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from core.media import FrameSize, Uniform, sample_frames
from core.model import VideoXL
from core.model.memory import VideoMemory
from core.progress import CancelToken
from core.query.moments import extract_moments
from core.query.scoring import relevance
from core.results import Moment
from core.timefmt import clock

DENSE_FRAMES = 20
CLIP_SIZE = 336


def refine_moment(model: VideoXL, path: str | Path, moment: Moment, question: str, *, ratio: int,
                  pad_s: float = 2.0, frames: int = DENSE_FRAMES, cancel: CancelToken | None = None) -> Moment:
    """``moment`` with start/end narrowed on densely sampled frames and its score averaged with the dense peak."""
    lo = max(0.0, moment.start - pad_s)
    hi = moment.end + pad_s
    fps = frames / max(hi - lo, 1e-3)
    stream = sample_frames(path, Uniform(frames), size=FrameSize.clip(CLIP_SIZE), start_s=lo, end_s=hi,
                           cancel=cancel)
    windows = tuple(model.encode(stream, ratio, cancel=cancel))
    if not windows:
        return moment
    memory = VideoMemory(sink=model.sink(), windows=windows, ratio=ratio, model_identity=model.identity)
    rel = relevance(model, memory, question)
    best = extract_moments(rel.curve, label=moment.label, top_k=1)
    if not best:
        return moment
    b = best[0]
    start, end = max(lo, b.start), min(hi, max(b.end, b.start))
    n = sum(w.n_frames for w in windows)
    why = (*moment.why, f"refined on {n} frames {clock(lo)}-{clock(hi)} ({fps:.1f} fps): "
                        f"{start:.1f}-{end:.1f} s, dense peak {b.score:.2f}")
    return dataclasses.replace(moment, start=start, end=end, score=(moment.score + b.score) / 2, why=why)
