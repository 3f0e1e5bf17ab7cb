"""Real models on real signals: RapidOCR on rendered text, faster-whisper (tiny.en from PyPI) on espeak-ng speech,
and an advert inserted into a film with no black frames, found from its picture, sound and on-screen text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from core.evidence import (
    EvidenceOptions,
    read_ocr_lines,
    read_transcript,
    run_evidence,
)
from core.evidence.ocr import OcrReader
from core.semantic import search_text
from core.store import open_db
from tests.core.evidence.gen import Part, font, inserted_ad_parts, spoken, write_recording


@pytest.mark.slow
def test_ocr_reads_rendered_phone_number_url_and_price() -> None:
    img = Image.new("RGB", (320, 180), (200, 30, 30))
    draw = ImageDraw.Draw(img)
    draw.text((10, 40), "CALL 555-0199 NOW", font=font(22), fill=(255, 255, 255))
    draw.text((10, 100), "www.example.com $19.99", font=font(20), fill=(255, 255, 0))
    reads = OcrReader().read(1.0, np.asarray(img))
    text = " ".join(r.text for r in reads)
    assert "555-0199" in text and "example.com" in text and "19.9" in text
    assert all(r.score > 0.6 and r.t_s == 1.0 for r in reads)


@pytest.mark.slow
def test_an_inserted_adverts_on_screen_cues_are_read_as_one_line(tmp_path: Path) -> None:
    parts, (start, end) = inserted_ad_parts()
    path = write_recording(tmp_path / "film.mp4", parts, size=(320, 180))
    db = open_db(":memory:")
    fp = run_evidence(db, path, EvidenceOptions(speech=False)).fingerprint
    lines = read_ocr_lines(db, fp)
    phone = [ln for ln in lines if "555-0199" in ln.text]
    assert len(phone) == 1, lines  # one line for the whole time the caption is on screen, not one per frame
    assert abs(phone[0].start_s - start) <= 2.5 and abs(phone[0].end_s - end) <= 3.0
    assert search_text(db, fp, "example.com")[0].source == "ocr"
    # (the shipped advert model uses no text cues: the corpus it is fitted on runs no OCR; see ads_fit.py)


@pytest.mark.slow
def test_speech_is_transcribed_with_word_times_and_searchable(tmp_path: Path) -> None:
    speech = spoken("Call now and order today. Visit our shop for the best price.", tmp_path)
    speech_s = speech.size / 16000
    path = write_recording(tmp_path / "talk.mp4", [Part("show", speech_s + 4.0, level_db=-60)], fps=4,
                           speech=speech, speech_at_s=2.0)
    db = open_db(":memory:")
    fp = run_evidence(db, path, EvidenceOptions(ocr=False)).fingerprint
    segments = read_transcript(db, fp)
    text = " ".join(s.text for s in segments).lower()
    assert "order" in text or "call" in text or "shop" in text, text
    words = [w for s in segments for w in s.words]
    assert words and all(1.0 <= w.start_s <= w.end_s <= speech_s + 3.0 for w in words)
    assert [w.start_s for w in words] == sorted(w.start_s for w in words)
    keyword = next(k for k in ("order", "shop", "call", "price") if k in text)
    hits = search_text(db, fp, keyword)
    assert hits and hits[0].source == "speech" and 1.0 <= hits[0].start_s <= speech_s + 2.0
