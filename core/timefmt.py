"""Times as a person reads them, written once for the whole engine, the CLI, the reports and the app.

A time is shown the way a player's clock shows it: whole seconds rounded *down* (59.6 s is still "0:59", the
second the player is in), ``M:SS`` under an hour and ``H:MM:SS`` from an hour on.

>>> clock(59.6)
'0:59'
>>> clock(3723.45)
'1:02:03'
>>> clock(83.46, tenths=True)
'1:23.4'
>>> clock(83.46, hours=True, tenths=True)
'0:01:23.4'
>>> stamp(75)
'[1:15]'
>>> parse_clock("1:02:03.5")
3723.5
>>> length(125)
'2 min 05 s'
>>> [m.group(1) for m in TIME_IN_TEXT.finditer("at [1:15] and 1:02:03.5, not 12:345")]
['1:15', '1:02:03.5']
"""

from __future__ import annotations

import math
import re

# A time inside text: M:SS or H:MM:SS, decimals optional; the hour form first so "1:02:03" is one time, not two.
TIME_IN_TEXT = re.compile(r"(?<![\d:])((?:\d{1,2}:)?\d{1,2}:\d{2}(?:\.\d+)?)(?![\d:])")


def clock(seconds: float, *, tenths: bool = False, hours: bool = False) -> str:
    """``M:SS`` (or ``H:MM:SS`` from an hour on, or always with ``hours``), tenths optional, rounded down."""
    value = max(0.0, float(seconds)) if math.isfinite(seconds) else 0.0
    tenth_count = math.floor(value * 10 + 1e-6)  # 0.3 * 10 is 2.9999...: a hair of slack keeps it 3
    whole, tenth = divmod(tenth_count, 10)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    text = f"{h}:{m:02d}:{s:02d}" if h or hours else f"{m}:{s:02d}"
    return f"{text}.{tenth}" if tenths else text


def stamp(seconds: float) -> str:
    """``[M:SS]``: a time inside answer text, which the app and the HTML report turn into a seek link."""
    return f"[{clock(seconds)}]"


def parse_clock(text: str) -> float:
    """Seconds from ``S``, ``M:SS`` or ``H:MM:SS`` (each with optional decimals); ValueError otherwise."""
    parts = text.strip().split(":")
    if not 1 <= len(parts) <= 3 or any(not p.strip() for p in parts):
        raise ValueError(f"{text!r} is not a time; write it as M:SS or H:MM:SS.")
    total = 0.0
    for p in parts:
        total = total * 60 + float(p)
    return total


def length(seconds: float) -> str:
    """A duration for people, to the nearest second: '45 s', '2 min 05 s', '1 h 02 min'."""
    s = max(0, int(float(seconds) + 0.5))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"
