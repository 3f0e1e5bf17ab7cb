"""Which memory answers a video, and how to load the model that made it.

A finished index records how its model was loaded (``index_runs.model_json``: folder or hub id, quantization,
precision), so a question needs no ``--model``: the newest memory with at least one window answers (finished
runs first), loaded with the recorded options and the device of today's settings. ``--model`` (or the app's
model setting) picks the memory that model made instead. A recorded folder that is no longer there gives one line
saying which folder is expected and how to point to it. No memory at all: the evidence answers.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import sqlite_utils

from core.errors import LongwatchError
from core.model.download import looks_like_hub_id
from core.model.options import ModelOptions

if TYPE_CHECKING:
    from core.index import RunRow


class ModelMoved(LongwatchError):
    """The model that indexed a video is not where the index says it was loaded from."""


@dataclass(frozen=True)
class MemoryChoice:
    """The run that answers, and the options that load the model it was made with."""

    run: RunRow
    options: ModelOptions


_FIELDS = {f.name for f in dataclasses.fields(ModelOptions)}


def recorded_options(run: RunRow, device: str) -> ModelOptions | None:
    """How ``run``'s model was loaded (on ``device`` today), or None for a run made before runs recorded it."""
    if not run.model:
        return None
    known = {k: v for k, v in run.model.items() if k in _FIELDS}
    return ModelOptions(**{**known, "device": device})


def identity_of(options: ModelOptions) -> str | None:
    """The identity a local model folder loads with (from its files, nothing loaded); None for a hub id whose
    files are not here, or a folder that cannot be read."""
    from core.model.loader import model_identity
    from core.model.paths import resolve_model_folder

    if looks_like_hub_id(options.model):
        return None
    try:
        return model_identity(resolve_model_folder(options.model), options.quant)
    except (OSError, LongwatchError):
        return None


def _missing(options: ModelOptions) -> bool:
    return not looks_like_hub_id(options.model) and not Path(options.model).expanduser().exists()


def choose_memory(db: sqlite_utils.Database, video: str, *, requested: ModelOptions | None = None,
                  configured: ModelOptions | None = None, device: str = "auto") -> MemoryChoice | None:
    """The memory that answers ``video``; None when there is none (the evidence answers).

    ``requested``: a model asked for explicitly (``--model``): only its memory answers. ``configured``: the
    model of the settings, used for runs that did not record their model.
    """
    from core.index import list_runs

    runs = [r for r in list_runs(db, video) if r.windows_done > 0]  # finished first, newest first
    if not runs:
        return None
    if requested is not None:  # its memory; made with the same weights at another quantization will do
        from core.model.options import QUANT_MODES

        for wanted in [requested, *(dataclasses.replace(requested, quant=q) for q in QUANT_MODES
                                    if q != requested.quant)]:
            ident = identity_of(wanted)
            for r in runs:
                if (ident is not None and r.settings.get("model") == ident) or _same_hub_model(r, wanted):
                    return MemoryChoice(r, wanted)
        return None
    moved: list[tuple[RunRow, ModelOptions]] = []
    for r in runs:
        recorded = recorded_options(r, device)
        if recorded is None:
            if configured is not None and identity_of(configured) == r.settings.get("model"):
                return MemoryChoice(r, configured)
            continue
        if _missing(recorded):
            moved.append((r, recorded))
            continue
        return MemoryChoice(r, recorded)
    if moved:
        _, options = moved[0]
        raise ModelMoved(f"This video was indexed with the model in {options.model}, which is not there any more; "
                         "pass --model DIR with that model's new folder (or set it in Settings > Model folder).")
    return None


def _same_hub_model(run: RunRow, requested: ModelOptions) -> bool:
    """A hub id asked for matches a run loaded from the same hub id with the same quantization."""
    if not looks_like_hub_id(requested.model) or not run.model:
        return False
    return run.model.get("model") == requested.model and run.model.get("quant") == requested.quant
