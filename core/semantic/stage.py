"""Embedding as a resumable stage: ``embed_evidence`` after the text evidence of a video exists.

Lines are first synced into ``semantic_lines`` (cheap, one transaction), then embedded in batches; every batch
is committed on its own, so a killed or cancelled run keeps what it did and the next call embeds only the rest.
Changing the embedding model re-embeds every line (the model identity is stored with each vector).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import sqlite_utils

from core.progress import CancelToken, ProgressCallback, RateMeter, no_progress
from core.semantic import store
from core.semantic.embedder import get_embedder
from core.semantic.sources import read_lines
from core.semantic.types import EmbedOptions, EmbedSummary, EvidenceLine

STAGE = "embed"


def embed_evidence(
    db: sqlite_utils.Database,
    fingerprint: str,
    options: EmbedOptions | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    *,
    lines: Sequence[EvidenceLine] | None = None,
) -> EmbedSummary:
    """Embed every transcript segment, subtitle line and on-screen text span of the video.

    ``lines`` defaults to what the evidence layer stored (``core.semantic.sources.read_lines``). Progress is
    counted in lines (stage "embed"). Raises ``Cancelled`` between batches when ``cancel`` is set.
    """
    t0 = time.monotonic()
    progress = progress or no_progress
    options = options or EmbedOptions()
    lines = read_lines(db, fingerprint) if lines is None else lines
    store.sync_lines(db, fingerprint, lines)  # also what full-text search reads (core.semantic.search)
    total = store.count_lines(db, fingerprint)
    if total == 0:  # nothing said or written: no need to load the model (seconds, hundreds of MB)
        return EmbedSummary(0, 0, "", 0, time.monotonic() - t0)
    embedder = get_embedder(options)
    done = store.count_lines(db, fingerprint, embedder.identity)
    meter = RateMeter(STAGE, total=total, unit="lines")
    progress(meter.update(done, "embedding evidence lines"))
    embedded = 0
    while True:
        if cancel is not None:
            cancel.raise_if_cancelled()
        batch = store.pending(db, fingerprint, embedder.identity, options.batch_size)
        if not batch:
            break
        vecs = embedder.encode([text for _, text in batch], batch_size=options.batch_size)  # (batch, dim)
        store.store_vectors(db, [i for i, _ in batch], embedder.identity, vecs)
        embedded += len(batch)
        progress(meter.update(done + embedded, "embedding evidence lines"))
    return EmbedSummary(total, embedded, embedder.identity, embedder.dim, time.monotonic() - t0)
