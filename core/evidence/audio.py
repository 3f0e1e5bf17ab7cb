"""Audio consumers of the one audio decode pass: loudness per 0.5 s and silences (Comskip's other ad-break
marker), computed as the chunks stream by, with bounded memory.

Worked example (16 kHz): a 50 ms block is 800 samples; ten blocks make one 0.5 s level; a silence is a run of
blocks below ``silence_db`` lasting at least ``min_silence_s``.
"""

from __future__ import annotations

import numpy as np

from core.evidence.types import Level, Silence

BLOCK_S = 0.05  # seconds per loudness block used for silence detection
LEVEL_S = 0.5  # seconds per stored loudness level
FLOOR_DB = -100.0  # dBFS given to digital silence


def rms_db(samples: np.ndarray) -> float:
    """RMS level of float32 samples in dBFS (a full-scale sine is -3 dB), floored at -100."""
    if samples.size == 0:
        return FLOOR_DB
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return max(FLOOR_DB, 20.0 * np.log10(rms)) if rms > 0 else FLOOR_DB


class LevelMeter:
    """Streams mono PCM chunks into 0.5 s levels and silence runs.

    ``feed`` takes samples that continue the previous ones (``start_s`` is only used for the first chunk) and
    returns the levels and the silences that ended in it; ``finish`` closes an open silence at the end.
    """

    def __init__(self, sample_rate: int, silence_db: float, min_silence_s: float) -> None:
        self.sample_rate = sample_rate
        self.silence_db, self.min_silence_s = silence_db, min_silence_s
        self._block = max(1, round(BLOCK_S * sample_rate))  # samples per block
        self._per_level = round(LEVEL_S / BLOCK_S)  # blocks per level
        self._pending = np.zeros(0, np.float32)
        self._t0: float | None = None  # time of the first pending sample
        self._level_blocks: list[float] = []  # dB of the blocks of the level being built
        self._level_t: float | None = None
        self._silent_since: float | None = None
        self._silent_db: list[float] = []

    def feed(self, start_s: float, samples: np.ndarray) -> tuple[list[Level], list[Silence]]:
        if self._t0 is None:
            self._t0 = start_s
        data = np.concatenate([self._pending, samples.astype(np.float32, copy=False)])
        n_blocks = data.size // self._block
        levels: list[Level] = []
        silences: list[Silence] = []
        for i in range(n_blocks):
            t = self._t0 + i * self._block / self.sample_rate
            block = data[i * self._block:(i + 1) * self._block]
            db = rms_db(block)
            if self._level_t is None:
                self._level_t = t
            self._level_blocks.append(float(np.mean(np.square(block, dtype=np.float64))))
            if len(self._level_blocks) == self._per_level:
                levels.append(self._close_level())
            self._track_silence(t, db, silences)
        used = n_blocks * self._block
        self._pending = data[used:]
        self._t0 += used / self.sample_rate
        return levels, silences

    def _close_level(self) -> Level:
        assert self._level_t is not None
        power = float(np.mean(self._level_blocks))
        level = Level(self._level_t, max(FLOOR_DB, 10.0 * np.log10(power)) if power > 0 else FLOOR_DB)
        self._level_blocks, self._level_t = [], None
        return level

    def _track_silence(self, t: float, db: float, out: list[Silence]) -> None:
        if db < self.silence_db:
            if self._silent_since is None:
                self._silent_since = t
            self._silent_db.append(db)
        elif self._silent_since is not None:
            self._close_silence(t, out)

    def _close_silence(self, end_s: float, out: list[Silence]) -> None:
        assert self._silent_since is not None
        if end_s - self._silent_since >= self.min_silence_s - 1e-9:
            out.append(Silence(self._silent_since, end_s, float(np.mean(self._silent_db))))
        self._silent_since, self._silent_db = None, []

    def finish(self) -> tuple[list[Level], list[Silence]]:
        levels: list[Level] = []
        silences: list[Silence] = []
        if self._level_blocks:
            levels.append(self._close_level())
        if self._silent_since is not None and self._t0 is not None:
            self._close_silence(self._t0, silences)
        return levels, silences
