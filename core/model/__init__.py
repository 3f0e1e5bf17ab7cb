"""The Video-XL compatible compressed-context video-LLM: loading, encoding to VST memory, answering.

Public API (see docs in each module): ``ModelOptions``, ``MemoryEstimate``, ``estimate_memory``, ``load_model``,
``VideoXL``, ``WindowMemory``, ``SinkMemory``, ``VideoMemory``, ``write_tiny_checkpoint``, ``download_model``,
``ModelError``. Names are imported on first use (PEP 562): the options, the hub-id pattern and the errors are
light, while the loader imports torch and transformers, which the command line's help never needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.model.download import download_model
    from core.model.errors import DoesNotFit, MemoryMismatch, ModelError, ModelNotFound, UnsafeWeights
    from core.model.loader import estimate_memory, load_model
    from core.model.memory import SinkMemory, VideoMemory, WindowMemory
    from core.model.options import MemoryEstimate, ModelOptions
    from core.model.tiny import write_tiny_checkpoint
    from core.model.videoxl import FrameLike, VideoXL

_WHERE = {
    "download_model": "download", "DoesNotFit": "errors", "MemoryMismatch": "errors", "ModelError": "errors",
    "ModelNotFound": "errors", "UnsafeWeights": "errors", "estimate_memory": "loader", "load_model": "loader",
    "SinkMemory": "memory", "VideoMemory": "memory", "WindowMemory": "memory", "MemoryEstimate": "options",
    "ModelOptions": "options", "write_tiny_checkpoint": "tiny", "FrameLike": "videoxl", "VideoXL": "videoxl",
}

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


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'core.model' has no attribute {name!r}")
    return getattr(importlib.import_module(f"core.model.{_WHERE[name]}"), name)
