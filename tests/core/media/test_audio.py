"""decode_audio: 16 kHz mono float32 in chunks with exact start times (the generated tone: first half of each s)."""

import itertools

import numpy as np
import pytest

from core.media import decode_audio
from tests import mediagen


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x.astype(np.float64) ** 2))) if len(x) else 0.0


@pytest.mark.parametrize("fixture", ["mp4_av", "webm_vp9", "avi_mpeg4"])
def test_chunks_are_16k_mono_float_and_contiguous(request, fixture):
    chunks = list(decode_audio(request.getfixturevalue(fixture), chunk_s=0.5))
    assert chunks and all(c.sample_rate == 16000 and c.samples.dtype == np.float32 and c.samples.ndim == 1
                          for c in chunks)
    assert all(len(c.samples) == 8000 for c in chunks[:-1])
    for a, b in itertools.pairwise(chunks):
        assert b.start_s == pytest.approx(a.start_s + a.duration_s, abs=1e-6)
    assert chunks[0].start_s == pytest.approx(0.0, abs=0.03)
    assert float(np.abs(np.concatenate([c.samples for c in chunks])).max()) <= 1.0


def test_tone_is_where_it_was_written(mp4_av):
    samples = np.concatenate([c.samples for c in decode_audio(mp4_av, chunk_s=30.0)])
    for t in (0.1, 0.3, 1.1, 1.3, 2.2):  # inside the tone
        assert _rms(samples[int(t * 16000): int((t + 0.1) * 16000)]) > 0.2
    for t in (0.65, 0.8, 1.65, 1.8):  # inside the silence
        assert _rms(samples[int(t * 16000): int((t + 0.1) * 16000)]) < 0.02


def test_start_and_end(mp4_av):
    chunks = list(decode_audio(mp4_av, start_s=1.25, end_s=2.0, chunk_s=10.0, sample_rate=8000))
    assert len(chunks) == 1
    chunk = chunks[0]
    assert chunk.start_s == pytest.approx(1.25, abs=1 / 8000) and chunk.duration_s == pytest.approx(0.75, abs=1e-3)
    assert _rms(chunk.samples[:800]) > 0.2 and _rms(chunk.samples[2400:3600]) < 0.02  # 1.25-1.35 on, 1.55-1.7 off


def test_one_long_chunk(tmp_path):
    path = mediagen.make_video(tmp_path / "a.mkv", duration_s=1.0, audio=True)
    chunks = list(decode_audio(path))
    assert len(chunks) == 1 and chunks[0].duration_s == pytest.approx(1.1, abs=0.1)


def test_mpeg_ts_sound_starts_with_the_picture(tmp_path):
    """A TS recording's first audio frame is stamped just before 0, modulo 2**33 ticks; the sound must still
    start at 0 s, not 26 hours in (the ad detector's silences depend on it)."""
    from tests.core.evidence.gen import Part, write_recording

    path = write_recording(tmp_path / "rec.ts", [Part("show", 3.0), Part("black", 1.0), Part("show", 3.0)],
                           size=(96, 54))
    chunks = list(decode_audio(path, chunk_s=1.0))
    assert chunks[0].start_s == pytest.approx(0.0, abs=0.05)
    assert chunks[-1].start_s <= 7.0  # 7 s written (plus the encoder's padding)
    rms = [float(np.sqrt(np.mean(c.samples ** 2))) for c in chunks]
    assert round(chunks[int(np.argmin(rms))].start_s) == 3  # the silent black second, where it was written
    assert min(rms) < 0.3 * float(np.median(rms))


def test_stream_clock_undoes_the_33_bit_wrap():
    from fractions import Fraction
    from types import SimpleNamespace

    from core.media.container import PTS_WRAP_TICKS, StreamClock

    container = SimpleNamespace(start_time=0, format=SimpleNamespace(name="mpegts"))
    clock = StreamClock(container, SimpleNamespace(time_base=Fraction(1, 90000), index=0))  # type: ignore[arg-type]
    assert clock.seconds(PTS_WRAP_TICKS - 5760) == pytest.approx(-0.064)
    assert clock.seconds(90000) == pytest.approx(1.0)
    near_wrap = PTS_WRAP_TICKS - 90000
    clock._last = near_wrap  # a broadcast stamped just before its wrap point ...
    assert clock.seconds(90000) * 90000 == pytest.approx(PTS_WRAP_TICKS + 90000)  # ... goes on, not back
    mp4 = StreamClock(SimpleNamespace(start_time=0, format=SimpleNamespace(name="mov,mp4")),  # type: ignore[arg-type]
                      SimpleNamespace(time_base=Fraction(1, 16000), index=0))
    assert mp4.seconds(PTS_WRAP_TICKS) == pytest.approx(PTS_WRAP_TICKS / 16000)  # no wrap outside MPEG
