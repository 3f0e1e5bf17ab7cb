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


def _photo_recording(path: Path, photo_s: tuple[float, float], seconds: float) -> Path:
    """Grey, then a real portrait photo (a person) during ``photo_s``, then a lighter grey, 8 fps, with a cut
    every 5 s between two set-ups of each scene (brightness, or where the photo stands)."""
    from fractions import Fraction

    import av
    from PIL import Image

    from tests.core.vision.test_object_stage import PHOTO

    w, h, fps = 320, 180, 8
    photo = Image.open(PHOTO).convert("RGB")
    photo = photo.resize((round(photo.width * h / photo.height), h))
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.time_base = Fraction(1, fps)
        for i in range(int(seconds * fps)):
            t = i / fps
            shot = int(t // 5) % 2  # a cut every 5 s, alternating between two set-ups of the scene
            if photo_s[0] <= t < photo_s[1]:
                canvas = Image.new("RGB", (w, h), (30, 30, 30))
                canvas.paste(photo, ((w - photo.width) // 2 + (-40 if shot else 40), 0))
                img = np.asarray(canvas)
            else:
                img = np.full((h, w, 3), (90 if t < photo_s[0] else 170) + 12 * shot, np.uint8)
                img[:, : int(w * (t % 5) / 5)] += 6
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def test_with_the_object_detector_alone_chapters_say_what_is_seen(tmp_path: Path) -> None:
    """No image-text model (the common case): the shipped object detector's finds describe the chapter that
    shows them ("a person" for the 20 s of a real portrait photo), and only chapters they fill half of."""
    photo_s = (20.0, 40.0)
    path = _photo_recording(tmp_path / "photo.mp4", photo_s, 60.0)
    db = open_db(tmp_path / "lib.db")
    fp = run_evidence(db, path, EvidenceOptions(ocr=False, speech=False, vision=False, objects=True)).fingerprint
    embed_evidence(db, fp)
    inp = read_inputs(db, fp)
    assert inp.embeddings is None and any("a person" in labels for _a, _b, labels in inp.shot_labels)
    summary = evidence_summary(db, fp, options=ChapterOptions(titles="extractive", min_chapter_s=10.0))
    titles = [c.title for c in summary.chapters]
    assert any("a person" in t for t in titles), titles
    for c in summary.chapters:
        inside = max(0.0, min(c.end, photo_s[1]) - max(c.start, photo_s[0]))
        assert ("a person" in c.title) == (inside / (c.end - c.start) >= 0.5), (c.title, c.start, c.end)
    assert "visual labels" in summary.sources
