"""Times as people read them ("1:02:03") and answer text with every time turned into a seek link.

>>> format_time(3723.4)
'1:02:03'
>>> parse_time("12:05")
725.0
>>> linkify("At 1:02 and 0:07:30.5")
'At <a href="seek:62.000">1:02</a> and <a href="seek:450.500">0:07:30.5</a>'
"""

from __future__ import annotations

import html
import re

# h:mm:ss(.f) or m:ss(.f); the hour form must come first so "1:02:03" is one time, not two
TIME_RE = re.compile(r"(?<![\d:])(\d{1,2}:)?(\d{1,2}):(\d{2})(\.\d+)?(?![\d:])")


def format_time(seconds: float, *, tenths: bool = False) -> str:
    seconds = max(0.0, float(seconds))
    whole = int(seconds)
    h, rem = divmod(whole, 3600)
    m, s = divmod(rem, 60)
    frac = f".{int((seconds - whole) * 10)}" if tenths else ""
    return f"{h}:{m:02d}:{s:02d}{frac}" if h else f"{m}:{s:02d}{frac}"


def parse_time(text: str) -> float:
    parts = [float(p) for p in text.strip().split(":")]
    total = 0.0
    for p in parts:
        total = total * 60 + p
    return total


def linkify(text: str) -> str:
    """HTML-escape ``text`` and wrap every time in ``<a href="seek:SECONDS">``; newlines become <br>."""
    out: list[str] = []
    pos = 0
    for m in TIME_RE.finditer(text):
        out.append(html.escape(text[pos:m.start()]))
        t = parse_time(m.group(0))
        out.append(f'<a href="seek:{t:.3f}">{html.escape(m.group(0))}</a>')
        pos = m.end()
    out.append(html.escape(text[pos:]))
    return "".join(out).replace("\n", "<br>")


def seek_target(href: str) -> float | None:
    """The seconds in a ``seek:`` link, or None for any other link."""
    if not href.startswith("seek:"):
        return None
    try:
        return float(href[5:])
    except ValueError:
        return None
