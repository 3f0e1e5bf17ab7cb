"""What the window says about long work: stage names a person reads (never the engine's internal ones) and the
index state of a video as one short phrase.

>>> stage_name("frames"), stage_name("something new")
('Shots and on-screen text', 'Something new')
>>> state_phrase("cancelled", 0.43)
'stopped at 43 %'
"""

from __future__ import annotations

import math

from core.progress import Progress
from core.timefmt import clock

STAGE_NAMES = {
    "probe": "Reading the file", "frames": "Shots and on-screen text", "ocr": "On-screen text",
    "audio": "Sound and speech", "speech": "Speech", "subtitles": "Subtitles", "embed": "Search index",
    "load model": "Loading the model", "model": "Loading the model", "decode": "Decoding frames",
    "encode": "Video-LLM memory", "index": "Video-LLM memory", "chapters": "Writing chapters",
    "overview": "Writing the overview", "score": "Scoring the film", "refine": "Checking the best moments",
    "download": "Downloading", "done": "Done",
}


def stage_name(stage: str) -> str:
    return STAGE_NAMES.get(stage, stage.replace("_", " ").capitalize())


def overall(p: Progress) -> float | None:
    """The overall fraction the engine attached to an index event (``detail["overall"]``), else the stage's."""
    return dict(p.detail).get("overall", p.fraction)


def stage_line(p: Progress) -> str:
    """'Speech — 40 %': the stage's name and its own fraction (the bar shows the overall one)."""
    if p.stage == "done":
        return p.message or "Done"
    name = stage_name(p.stage)
    return f"{name} — {pct(p.fraction)}" if p.fraction is not None else f"{name}…"


def rate_line(p: Progress) -> str:
    """'1,234 / 5,000 s · 28.5 s/s · about 2:10 left' (the parts that are known)."""
    parts = []
    if p.total:
        parts.append(f"{_num(p.done)} / {_num(p.total)} {p.unit}".strip())
    if p.rate:
        parts.append(f"{p.rate:.1f} {p.unit}/s".strip())
    if p.eta_s is not None:
        parts.append(f"about {clock(p.eta_s)} left")
    return " · ".join(parts)


def state_phrase(state: str | None, fraction: float = 0.0) -> str:
    """A video's stored index state, short enough for a library row."""
    done = pct(fraction)
    if state == "done":
        return "indexed"
    if state is None:
        return "not indexed"
    if state == "running":  # stored as running: the process stopped without saying so
        return f"interrupted at {done}"
    if state == "cancelled":
        return f"stopped at {done}"
    if state == "failed":
        return f"failed at {done}"
    return f"partly indexed ({done})" if fraction > 0 else "not indexed"


def pct(fraction: float) -> str:
    """0.434 -> '43 %' (a floor, so 99.6 % done never reads 100 %)."""
    return f"{math.floor(max(0.0, min(1.0, fraction)) * 100 + 1e-6)} %"


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x - round(x)) < 1e-9 or x >= 100 else f"{x:.1f}"
