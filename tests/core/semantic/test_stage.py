"""embed_evidence as a resumable stage: progress, cancel, resume, changed lines, another model."""

from __future__ import annotations

import pytest

from core.errors import Cancelled
from core.progress import CancelToken, Progress
from core.semantic import EmbedOptions, EvidenceLine, embed_evidence
from core.semantic import store as sem_store
from core.semantic.embedder import EmbeddingModelMissing, get_embedder

from .conftest import new_db

LINES = [EvidenceLine(float(i), i + 1.0, f"Sentence number {i} about topic {i % 3}.", "speech") for i in range(10)]


def test_progress_counts_lines_and_second_run_does_nothing() -> None:
    db = new_db()
    events: list[Progress] = []
    s = embed_evidence(db, "vid", EmbedOptions(batch_size=4), events.append, lines=LINES)
    assert (s.lines_total, s.lines_embedded, s.model, s.dim) == (10, 10, "all-MiniLM-L6-v2:384", 384)
    assert [e.done for e in events] == [0, 4, 8, 10] and {e.stage for e in events} == {"embed"}
    again = embed_evidence(db, "vid", lines=LINES)
    assert again.lines_embedded == 0


def test_cancel_keeps_committed_batches_and_resume_finishes() -> None:
    db = new_db()
    token = CancelToken()

    def cancel_after_first_batch(p: Progress) -> None:
        if p.done >= 4:
            token.cancel()

    with pytest.raises(Cancelled):
        embed_evidence(db, "vid", EmbedOptions(batch_size=4), cancel_after_first_batch, token, lines=LINES)
    model = get_embedder().identity
    assert sem_store.count_lines(db, "vid", model) == 4
    s = embed_evidence(db, "vid", EmbedOptions(batch_size=4), lines=LINES)
    assert s.lines_embedded == 6 and sem_store.count_lines(db, "vid", model) == 10


def test_changed_lines_are_synced() -> None:
    db = new_db()
    embed_evidence(db, "vid", lines=LINES)
    changed = [*LINES[:5], EvidenceLine(50.0, 52.0, "A brand new line.", "ocr")]
    s = embed_evidence(db, "vid", lines=changed)
    assert (s.lines_total, s.lines_embedded) == (6, 1)
    assert [hit.line.text for hit, _ in sem_store.fts_search(db, "vid", "brand")] == ["A brand new line."]
    assert sem_store.fts_search(db, "vid", "seven") == []  # "Sentence number 7" is gone, from FTS too
    assert [hit.line.start_s for hit, _ in sem_store.fts_search(db, "vid", "four")] == [4.0]


def test_vectors_are_unit_float32_blobs() -> None:
    db = new_db()
    embed_evidence(db, "vid", lines=LINES[:3])
    lines, mat = sem_store.vectors(db, "vid", get_embedder().identity)
    assert mat.shape == (3, 384) and mat.dtype.str == "<f4"
    assert abs(float((mat * mat).sum(axis=1).mean()) - 1.0) < 1e-4
    assert [ln.line.start_s for ln in lines] == [0.0, 1.0, 2.0]


def test_missing_model_folder_is_a_clear_error(tmp_path: object) -> None:
    with pytest.raises(EmbeddingModelMissing, match="does not exist"):
        embed_evidence(new_db(), "vid", EmbedOptions(model="/nonexistent/model"), lines=LINES)


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match=r"device .tpu. is unknown"):
        EmbedOptions(device="tpu")
    with pytest.raises(ValueError, match="batch size 0 is out of range"):
        EmbedOptions(batch_size=0)
    with pytest.raises(ValueError, match="source"):
        EvidenceLine(0.0, 1.0, "x", "audio")
