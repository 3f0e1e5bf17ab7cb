"""On-screen text: RapidOCR (PP-OCR models bundled in the wheel) on sampled frames, de-duplicated over time.

A caption that stays on screen for ten seconds is read on several frames; ``merge_observations`` folds those
reads into one line with a start and an end (near-identical reads — OCR flicker such as "$19.99" / "$19.9" —
count as the same line).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

import cv2
import numpy as np

from core.errors import LongwatchError
from core.evidence.types import TextLine


@dataclass(frozen=True)
class OcrObservation:
    t_s: float
    text: str
    score: float  # 0..1
    box: tuple[tuple[float, float], ...]  # 4 corners in the OCR frame's pixels


class OcrReader:
    """Reads text lines from (H, W, 3) uint8 RGB frames; the engine loads on first use (about a second)."""

    def __init__(self, min_score: float = 0.6) -> None:
        self.min_score = min_score
        self._engine: object | None = None

    def _load(self) -> object:
        if self._engine is None:
            logging.getLogger("RapidOCR").setLevel(logging.WARNING)
            try:
                from rapidocr import RapidOCR
            except ImportError as e:
                raise LongwatchError(
                    "On-screen text needs rapidocr and onnxruntime: pip install 'longwatch[evidence]', "
                    "or turn OCR off (--no-ocr)."
                ) from e
            # Captions in video are upright: skip the text-angle classifier (about 20% of the time per frame).
            self._engine = RapidOCR(params={"Global.use_cls": False})
            logging.getLogger("RapidOCR").setLevel(logging.ERROR)  # it warns on every frame without text
        return self._engine

    def read(self, t_s: float, rgb: np.ndarray) -> list[OcrObservation]:
        if not may_hold_text(rgb):
            return []
        engine = self._load()
        result = engine(np.ascontiguousarray(rgb[..., ::-1]))  # type: ignore[operator]  # RapidOCR takes BGR
        texts = getattr(result, "txts", None) or ()
        scores = getattr(result, "scores", None) or ()
        boxes = getattr(result, "boxes", None)
        out = []
        for i, (text, score) in enumerate(zip(texts, scores, strict=False)):
            text = " ".join(str(text).split())
            if not text or float(score) < self.min_score:
                continue
            box = tuple((float(x), float(y)) for x, y in boxes[i]) if boxes is not None else ()
            out.append(OcrObservation(t_s, text, float(score), box))
        return out


def may_hold_text(rgb: np.ndarray, min_edge_fraction: float = 0.004) -> bool:
    """A cheap pre-check (about 1 ms): text has sharp edges; a frame with almost none is not worth OCR (~0.5 s).

    Canny with high thresholds (100/200) ignores gradients and sensor noise; glyph outlines pass.
    """
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    edges = cv2.Canny(grey, 100, 200)
    return float(np.count_nonzero(edges)) / edges.size >= min_edge_fraction


def _norm(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def same_text(a: str, b: str, min_ratio: float = 0.8) -> bool:
    """Whether two OCR reads are the same caption (case, spacing and punctuation ignored, small misreads allowed)."""
    na, nb = _norm(a), _norm(b)
    if not na or not nb:
        return a.strip() == b.strip()
    return na == nb or SequenceMatcher(None, na, nb).ratio() >= min_ratio


@dataclass
class _OpenLine:
    start_s: float
    last_s: float
    text: str
    score: float


def merge_observations(observations: Iterable[OcrObservation], sample_s: float,
                       max_gap_s: float) -> list[TextLine]:
    """Fold time-ordered reads into lines: a read joins an open line with the same text seen within
    ``max_gap_s``; a line spans from its first read to one sample after its last. The text kept is the read with
    the best score."""
    open_lines: list[_OpenLine] = []
    done: list[TextLine] = []
    for obs in sorted(observations, key=lambda o: o.t_s):
        for line in [ln for ln in open_lines if obs.t_s - ln.last_s > max_gap_s]:
            done.append(TextLine(line.start_s, line.last_s + sample_s, line.text, "ocr", line.score))
            open_lines.remove(line)
        match = next((ln for ln in open_lines if same_text(ln.text, obs.text)), None)
        if match is None:
            open_lines.append(_OpenLine(obs.t_s, obs.t_s, obs.text, obs.score))
            continue
        match.last_s = max(match.last_s, obs.t_s)
        if obs.score > match.score:
            match.text, match.score = obs.text, obs.score
    done.extend(TextLine(ln.start_s, ln.last_s + sample_s, ln.text, "ocr", ln.score) for ln in open_lines)
    return sorted(done, key=lambda ln: (ln.start_s, ln.text))
