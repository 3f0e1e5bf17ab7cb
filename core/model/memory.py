"""The compressed video memory: immutable values the index persists and every question reuses.

A video is encoded window by window (10 frames = 1440 visual tokens per window). Inside a window one Visual
Summarization Token (VST) follows every ``ratio`` raw tokens; after the window the raw tokens' keys/values are
dropped and only the VSTs' are kept. ``WindowMemory`` holds one window's VST keys/values per decoder layer,
``SinkMemory`` the uncompressed text before the video, and ``VideoMemory`` a sink plus any windows in time order.

Keys are stored **before RoPE**: the model rotates them at contiguous positions over whatever is kept
([sink; VSTs of the selected windows; current input]), so any subset of windows is a valid memory.

Index arithmetic, worked example (ratio r = 4, 144 tokens per frame, 10 frames per window):

* window w covers frames 10w .. 10w+9 and visual tokens 1440w .. 1440w+1439;
* VST j of a window (j = 0 .. 1440//r - 1 = 359) follows raw tokens j*r .. j*r+r-1 of the window; it is said to
  come from the frame of its last raw token: frame 10w + (j*r + r - 1)//144. VST 0 and VST 35 come from frame
  10w (last tokens 3 and 143); VST 36 comes from frame 10w+1 (last token 147); VST 359 from frame 10w+9;
* a partial last window of 3 frames has 432 raw tokens and 432//4 = 108 VSTs; with r = 32 it would have
  432//32 = 13 VSTs and its last 432 - 13*32 = 16 raw tokens are summarised by none;
* ``vst_time_s[j]`` is the presentation time (seconds) of ``vst_frame[j]``; ``start_s``/``end_s`` are the times of
  the window's first and last frames.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import torch

from core.model.errors import MemoryMismatch


def _check_kv(keys: tuple[torch.Tensor, ...], values: tuple[torch.Tensor, ...], what: str) -> int:
    """Checks per-layer (kv_heads, n, head_dim) tensors agree; returns n."""
    if len(keys) != len(values) or not keys:
        raise MemoryMismatch(f"{what}: {len(keys)} key layers but {len(values)} value layers; rebuild the memory.")
    n = keys[0].shape[1]
    for k, v in zip(keys, values, strict=True):
        if k.dim() != 3 or k.shape != v.shape or k.shape[1] != n:
            raise MemoryMismatch(
                f"{what}: keys {tuple(k.shape)} and values {tuple(v.shape)} must both be (kv_heads, {n}, head_dim)."
            )
    return int(n)


@dataclass(frozen=True, eq=False)
class SinkMemory:
    """K/V of the fixed text before the video (system prompt and the user turn's opening), per layer.

    ``keys[l]`` and ``values[l]``: (kv_heads, n_sink, head_dim), pre-RoPE, at positions 0 .. n_sink-1.
    """

    keys: tuple[torch.Tensor, ...]
    values: tuple[torch.Tensor, ...]

    def __post_init__(self) -> None:
        _check_kv(self.keys, self.values, "sink memory")

    @property
    def n_tokens(self) -> int:
        return int(self.keys[0].shape[1])


@dataclass(frozen=True, eq=False)
class WindowMemory:
    """One encoded window: its VSTs' keys/values per layer and where in the video each VST comes from.

    ``keys[l]``/``values[l]``: (kv_heads, n_vst, head_dim), pre-RoPE. ``vst_frame[j]`` is the index (in the
    sampling plan) of the frame whose tokens VST j follows, ``vst_time_s[j]`` that frame's time in seconds.
    ``n_frames`` is 10 except for a partial last window.
    """

    index: int
    keys: tuple[torch.Tensor, ...]
    values: tuple[torch.Tensor, ...]
    vst_frame: tuple[int, ...]
    vst_time_s: tuple[float, ...]
    start_s: float
    end_s: float
    n_frames: int

    def __post_init__(self) -> None:
        n = _check_kv(self.keys, self.values, f"window {self.index}")
        if len(self.vst_frame) != n or len(self.vst_time_s) != n:
            raise MemoryMismatch(
                f"window {self.index}: {n} VSTs but {len(self.vst_frame)} frames and {len(self.vst_time_s)} times."
            )
        if self.index < 0 or self.n_frames < 1 or self.end_s < self.start_s:
            raise MemoryMismatch(
                f"window {self.index}: bad span (n_frames={self.n_frames}, {self.start_s}..{self.end_s} s)."
            )

    @property
    def n_vst(self) -> int:
        return int(self.keys[0].shape[1])


@dataclass(frozen=True, eq=False)
class VideoMemory:
    """A sink plus windows in time order: everything a question attends to.

    ``ratio`` is the compression ratio the windows were encoded with and ``model_identity`` the ``VideoXL.identity``
    of the model that made them (a memory is only valid for that model).
    """

    sink: SinkMemory
    windows: tuple[WindowMemory, ...]
    ratio: int
    model_identity: str

    def __post_init__(self) -> None:
        indices = [w.index for w in self.windows]
        if indices != sorted(indices) or len(set(indices)) != len(indices):
            raise MemoryMismatch(f"windows must be distinct and in time order, got indices {indices[:20]}.")
        layers = len(self.sink.keys)
        for w in self.windows:
            if len(w.keys) != layers:
                raise MemoryMismatch(f"window {w.index} has {len(w.keys)} layers but the sink has {layers}.")

    @property
    def n_vst(self) -> int:
        """VSTs over all windows (the memory length is ``sink.n_tokens + n_vst``)."""
        return sum(w.n_vst for w in self.windows)

    def select(self, indices: Iterable[int]) -> VideoMemory:
        """A memory with only the windows at the given positions of ``windows``, kept in time order.

        >>> # positions [5, 2, 2] of a 10-window memory -> windows (2, 5), in that order
        """
        chosen = sorted(set(int(i) for i in indices))
        for i in chosen:
            if not 0 <= i < len(self.windows):
                raise MemoryMismatch(f"window position {i} is outside 0..{len(self.windows) - 1}.")
        return VideoMemory(self.sink, tuple(self.windows[i] for i in chosen), self.ratio, self.model_identity)
