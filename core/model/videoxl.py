"""``VideoXL``: one loaded model; encodes frames into window memories and answers from a memory.

The object holds weights, tokenizer and settings only. Each call builds its own ``Session`` (the cache), so
memories are values: answering never changes one, and two videos never share state.

Frame <-> token <-> VST <-> seconds, worked example (ratio 8, 25 frames sampled at 2 s intervals, pts 0, 2, ...):
windows hold frames 0-9, 10-19, 20-24; window 1 = visual tokens 1440..2879 (frame 10 = tokens 1440..1583);
window 1 has 1440/8 = 180 VSTs, VST j follows window tokens 8j..8j+7 and comes from frame 10 + (8j+7)//144, so
VST 17 (tokens 136..143) is frame 10 at 20 s and VST 18 (tokens 144..151) frame 11 at 22 s. The partial window 2
(5 frames, 720 tokens) has 90 VSTs. Memory length for a question: sink + 180 + 180 + 90 VSTs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import torch

from core.model.config import FRAMES_PER_WINDOW, TOKENS_PER_FRAME, VideoXLSpec
from core.model.errors import MemoryMismatch, ModelError
from core.model.memory import SinkMemory, VideoMemory, WindowMemory
from core.model.session import Runtime, Session, embed_ids, greedy, interleave_beacons
from core.model.tokenizer import prompt_prefix, prompt_suffix
from core.model.vision import VisionEncoder
from core.progress import CancelToken

if TYPE_CHECKING:
    from core.model.options import ModelOptions

SCORE_QUESTION = "Does this part of the video show {question}? Answer yes or no."
SCORE_BATCH = 8  # windows scored per forward


class FrameLike(Protocol):
    """What ``encode`` needs of a frame (``core.media.types.Frame`` fits)."""

    @property
    def index(self) -> int: ...
    @property
    def pts_s(self) -> float: ...
    @property
    def image(self) -> np.ndarray: ...


@dataclass(frozen=True, eq=False)
class _Stub:
    """A frame whose visual tokens are already known (``encode_features``)."""

    index: int
    pts_s: float
    tokens: torch.Tensor  # (144, hidden)

    @property
    def image(self) -> np.ndarray:
        raise ModelError("internal: a pre-encoded frame has no image")


def _windows(frames: Iterable[FrameLike]) -> Iterator[list[FrameLike]]:
    """Groups frames 10 at a time (the last group may be shorter)."""
    group: list[FrameLike] = []
    for frame in frames:
        group.append(frame)
        if len(group) == FRAMES_PER_WINDOW:
            yield group
            group = []
    if group:
        yield group


def check_ratio(ratio: int) -> None:
    if not isinstance(ratio, int) or not 2 <= ratio <= TOKENS_PER_FRAME:
        raise ModelError(f"ratio={ratio!r}: the compression ratio must be an integer 2..144 (Video-XL: 2, 4, 8, 12, 16).")


class VideoXL:
    """A loaded Video-XL compatible model (see module docstring); create with ``core.model.load_model``."""

    frames_per_window = FRAMES_PER_WINDOW
    tokens_per_frame = TOKENS_PER_FRAME

    def __init__(self, runtime: Runtime, vision: VisionEncoder, tokenizer: Any, identity: str,
                 stop_ids: frozenset[int], options: ModelOptions | None = None) -> None:
        self.rt = runtime
        self.vision = vision
        self.tokenizer = tokenizer  # a transformers tokenizer, or None for a checkpoint without one (tests)
        self.identity = identity
        self.stop_ids = stop_ids
        self.options = options  # how it was loaded: an index records it so later answers can load it again
        self._sink: SinkMemory | None = None  # model-level constant (depends on weights + template only)

    @property
    def spec(self) -> VideoXLSpec:
        return self.rt.spec

    # ----- text -----
    def tokenize(self, text: str) -> list[int]:
        if self.tokenizer is None:
            raise ModelError("this checkpoint folder has no tokenizer files; add the model's tokenizer.json/"
                             "tokenizer_config.json (or vocab.json + merges.txt) to it.")
        return list(self.tokenizer.encode(text, add_special_tokens=False))

    # ----- sink -----
    def sink(self) -> SinkMemory:
        """K/V of the text before the video (system prompt + user turn opening), per layer, pre-RoPE."""
        if self._sink is None:
            self._sink = self.sink_for_ids(self.tokenize(prompt_prefix()))
        return self._sink

    @torch.no_grad()
    def sink_for_ids(self, ids: Sequence[int]) -> SinkMemory:
        """The sink of an explicit id sequence (positions 0..n-1, plain projections)."""
        out = Session(self.rt).forward(embed_ids(self.rt, ids))
        return SinkMemory(tuple(kv.keys[0].cpu() for kv in out.kv), tuple(kv.values[0].cpu() for kv in out.kv))

    # ----- encoding -----
    def encode(
        self,
        frames: Iterable[FrameLike],
        ratio: int,
        *,
        previous: Sequence[WindowMemory] = (),
        keep: Callable[[WindowMemory], WindowMemory] | None = None,
        cancel: CancelToken | None = None,
        sink: SinkMemory | None = None,
    ) -> Iterator[WindowMemory]:
        """Yields one immutable WindowMemory per 10 frames (the last may be partial).

        ``previous``: windows already encoded (the frames given then start at window ``len(previous)``);
        ``keep``: applied to each new window before later windows attend to it; ``sink``: defaults to ``sink()``.
        """
        check_ratio(ratio)
        session = Session(self.rt)
        sink = sink if sink is not None else self.sink()
        session.keep([k[None] for k in sink.keys], [v[None] for v in sink.values])
        for w in previous:
            session.keep([k[None] for k in w.keys], [v[None] for v in w.values])
        index = len(previous)
        for group in _windows(frames):
            if cancel is not None:
                cancel.raise_if_cancelled()
            window = self._encode_window(session, group, index, ratio)
            if keep is not None:
                window = keep(window)
            session.keep([k[None] for k in window.keys], [v[None] for v in window.values])
            yield window
            index += 1

    def visual_tokens(self, images: Sequence[np.ndarray]) -> torch.Tensor:
        """Frames (H, W, 3) uint8 -> (n, 144, hidden) visual tokens (vision micro-batches inside)."""
        return self.vision.tokens(self.vision.frames_to_pixels(images))

    def encode_features(
        self, features: torch.Tensor, ratio: int, *, times_s: Sequence[float] | None = None,
        sink: SinkMemory | None = None, previous: Sequence[WindowMemory] = (),
        keep: Callable[[WindowMemory], WindowMemory] | None = None,
    ) -> Iterator[WindowMemory]:
        """Like ``encode`` from visual tokens computed earlier, (n_frames, 144, hidden); frame i has index i.

        The same loop as ``encode`` without the vision tower (as LLaVA's ``mm_encoder_outputs``): for features
        already computed, tests and benchmarks.
        """
        times = list(times_s) if times_s is not None else [float(i) for i in range(features.shape[0])]
        frames = [_Stub(i, times[i], features[i]) for i in range(features.shape[0])]
        yield from self.encode(frames, ratio, sink=sink, previous=previous, keep=keep)

    @torch.no_grad()
    def _encode_window(self, session: Session, group: list[FrameLike], index: int, ratio: int) -> WindowMemory:
        if isinstance(group[0], _Stub):
            tokens = torch.stack([f.tokens for f in group])  # type: ignore[attr-defined]
        else:
            tokens = self.visual_tokens([f.image for f in group])  # (n, 144, hidden)
        raw = tokens.reshape(-1, tokens.shape[-1]).to(self.rt.device)  # (n*144, hidden)
        beacon = self.rt.network.model.beacon_embed_tokens.weight[0]
        chunk, rows = interleave_beacons(raw.to(self.rt.dtype), ratio, beacon)
        out = session.forward(chunk[None], rows)
        keys = tuple(kv.keys[0][:, rows].cpu() for kv in out.kv)  # (kv_heads, n_vst, head_dim) pre-RoPE
        values = tuple(kv.values[0][:, rows].cpu() for kv in out.kv)
        frame_of = [((j + 1) * ratio - 1) // TOKENS_PER_FRAME for j in range(rows.numel())]
        return WindowMemory(
            index=index, keys=keys, values=values,
            vst_frame=tuple(group[i].index for i in frame_of),
            vst_time_s=tuple(float(group[i].pts_s) for i in frame_of),
            start_s=float(group[0].pts_s), end_s=float(group[-1].pts_s), n_frames=len(group),
        )

    # ----- answering -----
    def _check_memory(self, memory: VideoMemory) -> None:
        if memory.model_identity != self.identity:
            raise MemoryMismatch(f"this memory was made by model {memory.model_identity[:12]}, not by the loaded "
                                 f"model {self.identity[:12]}; re-index the video with this model.")

    def _session_over(self, memory: VideoMemory) -> Session:
        session = Session(self.rt)
        parts: list[SinkMemory | WindowMemory] = [memory.sink, *memory.windows]
        session.keep([torch.cat([p.keys[i] for p in parts], dim=1)[None] for i in range(len(memory.sink.keys))],
                     [torch.cat([p.values[i] for p in parts], dim=1)[None] for i in range(len(memory.sink.keys))])
        return session

    def answer_ids(self, memory: VideoMemory, suffix_ids: Sequence[int], *, max_new_tokens: int = 256,
                   cancel: CancelToken | None = None, logits_out: list[torch.Tensor] | None = None) -> Iterator[int]:
        """Greedy ids after [sink; VSTs of memory; suffix_ids] (the stop id, when reached, is yielded last)."""
        self._check_memory(memory)
        session = self._session_over(memory)
        check = cancel.raise_if_cancelled if cancel is not None else (lambda: None)
        yield from greedy(session, suffix_ids, max_new_tokens, self.stop_ids, check, logits_out)

    def answer(self, memory: VideoMemory, question: str, *, context: str | None = None,
               max_new_tokens: int = 256, cancel: CancelToken | None = None) -> Iterator[str]:
        """Streams the decoded answer text piece by piece (greedy); never mutates ``memory``."""
        suffix = self.tokenize(prompt_suffix(question, context))
        ids: list[int] = []
        emitted = ""
        for token in self.answer_ids(memory, suffix, max_new_tokens=max_new_tokens, cancel=cancel):
            if token in self.stop_ids:
                break
            ids.append(token)
            text = self.tokenizer.decode(ids, skip_special_tokens=True)
            if text.endswith("\ufffd"):
                continue  # an unfinished UTF-8 sequence: wait for its next byte
            if len(text) > len(emitted):
                yield text[len(emitted):]
                emitted = text

    # ----- scoring -----
    def _yes_no_ids(self) -> tuple[int, int]:
        return self.tokenize("Yes")[0], self.tokenize("No")[0]

    @torch.no_grad()
    def score_windows(self, memory: VideoMemory, question: str) -> np.ndarray:
        """(n_windows,) P(yes) for "Does this part of the video show {question}?" given sink + one window."""
        self._check_memory(memory)
        suffix = embed_ids(self.rt, self.tokenize(prompt_suffix(SCORE_QUESTION.format(question=question.strip()))))
        yes, no = self._yes_no_ids()
        scores = np.zeros(len(memory.windows), dtype=np.float64)
        by_size: dict[int, list[int]] = {}
        for pos, w in enumerate(memory.windows):
            by_size.setdefault(w.n_vst, []).append(pos)
        for positions in by_size.values():
            for start in range(0, len(positions), SCORE_BATCH):
                batch = positions[start : start + SCORE_BATCH]
                session = Session(self.rt, batch=len(batch))
                layers = range(len(memory.sink.keys))
                session.keep(
                    [torch.stack([torch.cat((memory.sink.keys[i], memory.windows[p].keys[i]), 1) for p in batch])
                     for i in layers],
                    [torch.stack([torch.cat((memory.sink.values[i], memory.windows[p].values[i]), 1) for p in batch])
                     for i in layers],
                )
                out = session.forward(suffix.expand(len(batch), -1, -1))
                logits = session.logits(out.hidden[:, -1])  # (B, vocab + 1)
                pair = torch.stack((logits[:, yes], logits[:, no]), dim=-1).softmax(dim=-1)[:, 0]
                scores[batch] = pair.cpu().double().numpy()
        return scores

    @torch.no_grad()
    def vst_relevance(self, memory: VideoMemory, question: str) -> np.ndarray:
        """(n_vst,) mean attention probability from the question tokens to each VST (layers, heads, rows)."""
        self._check_memory(memory)
        session = self._session_over(memory)
        out = session.forward(embed_ids(self.rt, self.tokenize(prompt_suffix(question))), want_probs=True)
        n_sink, n_vst = memory.sink.n_tokens, memory.n_vst
        mass = torch.zeros(n_vst, dtype=torch.float64)
        for probs in out.probs:  # (1, heads, T, M+T)
            mass += probs[0, :, :, n_sink : n_sink + n_vst].double().mean(dim=(0, 1)).cpu()
        return (mass / max(len(out.probs), 1)).numpy()
