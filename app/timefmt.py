"""Answer text with every time turned into a seek link (times themselves are formatted by ``core.timefmt``).

>>> linkify("At 1:02 and 0:07:30.5")
'At <a href="seek:62.000">1:02</a> and <a href="seek:450.500">0:07:30.5</a>'
"""

from __future__ import annotations

import html

from core.timefmt import TIME_IN_TEXT, parse_clock


def linkify(text: str) -> str:
    """HTML-escape ``text`` and wrap every time in ``<a href="seek:SECONDS">``; newlines become <br>."""
    out: list[str] = []
    pos = 0
    for m in TIME_IN_TEXT.finditer(text):
        out.append(html.escape(text[pos:m.start()]))
        t = parse_clock(m.group(0))
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
