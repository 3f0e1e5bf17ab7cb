"""The evidence summary reads what the vision stage stored (tiny random CLIP: plumbing, not quality)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from core.evidence import EvidenceOptions, run_evidence
from core.semantic import embed_evidence, evidence_summary
from core.semantic.chapters import ChapterOptions, read_inputs
from core.store import open_db
from core.vision import write_tiny_model
from tests.core.evidence.gen import Part, write_recording

pytestmark = pytest.mark.slow


def test_summary_uses_frame_embeddings_and_still_works_without_them(tmp_path: Path) -> None:
    parts = [Part("show", 20.0, colour=(40, 120, 40), shot_s=5.0), Part("show", 20.0, colour=(200, 60, 40), shot_s=5.0),
             Part("show", 20.0, colour=(40, 60, 200), shot_s=5.0)]
    video = write_recording(tmp_path / "three.mp4", parts)
    model = write_tiny_model(tmp_path / "tiny-clip", "clip")
    db = open_db(tmp_path / "lib.db")
    fp = run_evidence(db, video, EvidenceOptions(ocr=False, speech=False, vision=True, vision_model=str(model)))\
        .fingerprint
    embed_evidence(db, fp)
    inp = read_inputs(db, fp)
    assert inp.embeddings is not None and len(inp.embeddings[0]) >= 3
    assert np.allclose(np.linalg.norm(inp.embeddings[1], axis=1), 1.0, atol=1e-4)
    assert len(inp.shot_labels) == len(inp.shot_starts) or inp.shot_labels
    summary = evidence_summary(db, fp, options=ChapterOptions(titles="extractive", min_chapter_s=10.0))
    chapters = summary.chapters
    assert chapters[0].start == 0.0 and chapters[-1].end == pytest.approx(inp.duration_s)
    assert all(a.end == b.start for a, b in itertools.pairwise(chapters))
    assert all(c.title.startswith("Scene ") for c in chapters)  # no speech, no text: what is known
    assert "shots" in summary.sources

    plain = open_db(tmp_path / "plain.db")  # the same video without the vision stage
    fp2 = run_evidence(plain, video, EvidenceOptions(ocr=False, speech=False)).fingerprint
    embed_evidence(plain, fp2)
    assert read_inputs(plain, fp2).embeddings is None
    colour = evidence_summary(plain, fp2, options=ChapterOptions(titles="extractive", min_chapter_s=10.0))
    starts = [c.start for c in colour.chapters]
    for change in (20.0, 40.0):  # colour statistics alone find the two scene changes
        assert min(abs(s - change) for s in starts) < 1.0, starts
    assert "frame colour" in colour.sources and "visual labels" not in colour.sources
