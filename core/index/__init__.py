"""Index once: frames -> VST memory per window -> SQLite, resumable after any interruption.

Public API: ``index_video``, ``IndexOptions``, ``IndexResult``; the storage codec (``encode_window``,
``decode_window``, ``STORAGE_CODECS``); the store readers (``read_windows``, ``list_runs``, ``run_stats``).
Names are imported on first use (PEP 562) so ``longwatch-cli --help`` and the light commands never load torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.index.codec import EncodedWindow, decode_window, encode_window, memory_digest
    from core.index.options import STORAGE_CODECS, IndexOptions, resolve_model_dir, settings_key
    from core.index.pipeline import IndexResult, RunPlan, encode_windows, existing_run, index_video, plan_run
    from core.index.store import RunRow, list_runs, read_windows, run_stats, window_rows

_WHERE = {
    "EncodedWindow": "codec", "decode_window": "codec", "encode_window": "codec", "memory_digest": "codec",
    "STORAGE_CODECS": "options", "IndexOptions": "options", "resolve_model_dir": "options",
    "settings_key": "options", "IndexResult": "pipeline", "index_video": "pipeline", "RunPlan": "pipeline",
    "plan_run": "pipeline", "encode_windows": "pipeline", "existing_run": "pipeline", "RunRow": "store",
    "list_runs": "store", "read_windows": "store", "run_stats": "store", "window_rows": "store",
}
__all__ = [
    "STORAGE_CODECS",
    "EncodedWindow",
    "IndexOptions",
    "IndexResult",
    "RunPlan",
    "RunRow",
    "decode_window",
    "encode_window",
    "encode_windows",
    "existing_run",
    "index_video",
    "list_runs",
    "memory_digest",
    "plan_run",
    "read_windows",
    "resolve_model_dir",
    "run_stats",
    "settings_key",
    "window_rows",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'core.index' has no attribute {name!r}")
    return getattr(importlib.import_module(f"core.index.{_WHERE[name]}"), name)
