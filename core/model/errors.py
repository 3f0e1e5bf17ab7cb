"""Errors of the video model: loading, fitting in memory, and using it.

Every message is one line that names the thing at fault and what to do (``LongwatchError`` folds lines).
"""

from __future__ import annotations

from core.errors import LongwatchError


class ModelError(LongwatchError):
    """The video model cannot be found, loaded or run."""


class ModelNotFound(ModelError):
    """The model folder, a file in it, or the CLIP vision tower folder is missing."""


class UnsafeWeights(ModelError):
    """The checkpoint holds only pickled weights (.bin/.pt), which Longwatch never unpickles."""


class DoesNotFit(ModelError):
    """The model needs more memory than the chosen device has."""


class MemoryMismatch(ModelError):
    """A memory was built by another model, another ratio, or is inconsistent with this model's shapes."""
