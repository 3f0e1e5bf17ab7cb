"""Generated recordings and settings shared by the library benchmarks (queue soak, local vs Ray).

Generated media proves plumbing, not quality: these files only exercise the queue, the worker and the driver.
Each recording is ``seconds`` long (show, a black-framed break of two adverts, show), 96x54 at 8 fps with sound,
different for every seed, with a sidecar subtitle (or none: then no embedding model is needed). The tiny random Video-XL checkpoint makes index jobs real
(the whole video-LLM path runs) while staying cheap.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.usecases import Settings
from tests.core.evidence.gen import Part, write_recording
from tests.mediagen import write_srt


def recording(path: Path, seed: int, seconds: float = 24.0, subtitles: bool = True) -> Path:
    if path.exists():
        return path
    show = max(1.0, (seconds - 9.5) / 2)
    parts = [Part("show", show), Part("black", 0.5),
             Part("ad", 4.0, colour=(230, 40, 40), tone_hz=880, level_db=-12, shot_s=1.0), Part("black", 0.5),
             Part("ad", 4.0, colour=(40, 60, 240), tone_hz=660, level_db=-12, shot_s=1.0), Part("black", 0.5),
             Part("show", show)]
    tmp = path.with_name(".tmp-" + path.name)
    write_recording(tmp, parts, seed=seed, size=(96, 54))
    if subtitles:
        write_srt(path.with_suffix(".srt"), [(0.5, 2.0, f"recording {seed} opens on the harbour")])
    tmp.rename(path)
    return path


def recordings(folder: Path, n: int, seconds: float = 24.0, subtitles: bool = True) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [recording(folder / f"rec{i:03d}.ts", i, seconds, subtitles) for i in range(n)]


def tiny_model(folder: Path) -> Path:
    from core.model import write_tiny_checkpoint

    target = folder / "tiny-model"
    if not (target / "config.json").exists():
        write_tiny_checkpoint(target, seed=0)
    return target


def settings(model: Path, *, threads: int = 1, concurrency: int = 1) -> Settings:
    """What every benchmark job runs with: the tiny video-LLM at 1 fps, evidence at 2 fps without speech and OCR,
    one torch thread per job (equal thread counts make byte-identical libraries)."""
    return Settings(model_dir=str(model), device="cpu", quant="none", fps=1.0, speech=False, ocr=False,
                    evidence_fps=2.0, job_threads=threads, queue_concurrency=concurrency)
