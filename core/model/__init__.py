"""The Video-XL compatible compressed-context video-LLM: loading, encoding to VST memory, answering.

Public API (see docs in each module): ``ModelOptions``, ``MemoryEstimate``, ``estimate_memory``, ``load_model``,
``VideoXL``, ``WindowMemory``, ``SinkMemory``, ``VideoMemory``, ``write_tiny_checkpoint``, ``download_model``,
``ModelError``.
"""

from __future__ import annotations

from core.model.download import download_model
from core.model.errors import DoesNotFit, MemoryMismatch, ModelError, ModelNotFound, UnsafeWeights
from core.model.loader import estimate_memory, load_model
from core.model.memory import SinkMemory, VideoMemory, WindowMemory
from core.model.options import MemoryEstimate, ModelOptions
from core.model.tiny import write_tiny_checkpoint
from core.model.videoxl import FrameLike, VideoXL

__all__ = [
    "DoesNotFit",
    "FrameLike",
    "MemoryEstimate",
    "MemoryMismatch",
    "ModelError",
    "ModelNotFound",
    "ModelOptions",
    "SinkMemory",
    "UnsafeWeights",
    "VideoMemory",
    "VideoXL",
    "WindowMemory",
    "download_model",
    "estimate_memory",
    "load_model",
    "write_tiny_checkpoint",
]
