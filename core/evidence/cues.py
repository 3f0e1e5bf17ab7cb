"""Commercial cues in text (on-screen, transcript, subtitles): URLs, phone numbers, prices, call-to-action phrases.

Each function returns the matched strings so a reason can quote them. Speech recognisers spell numbers either
way ("$19.99", "19 dollars 99", "five five five"), so prices also match currency words.
"""

from __future__ import annotations

import re

URL = re.compile(
    r"\b(?:https?://\S+|www\.[\w-]+(?:\.[\w-]+)+\S*|[\w-]+\.(?:com|net|org|co\.uk|co|io|shop|store|tv|ly)\b(?:/\S*)?)",
    re.IGNORECASE,
)
PHONE = re.compile(
    r"(?<!\d)(?:\+?\d{1,2}[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])?\d{3}[\s.-]\d{4}(?!\d)|\b1[\s-]?800[\s.-]?\w{3}[\s.-]?\w{4}\b",
    re.IGNORECASE,
)
PRICE = re.compile(
    r"[$€£¥]\s?\d+(?:[.,]\d{1,2})?|\b\d+(?:[.,]\d{2})?\s?(?:€|dollars?|euros?|bucks|pounds)\b|\b\d{1,3}\s?%\s?off\b|"
    r"\b(?:free shipping|half price|only \d+)\b",
    re.IGNORECASE,
)
PHRASE = re.compile(
    r"\b(?:call (?:now|today|us)|order (?:now|today)|buy (?:now|today|one)|shop (?:now|today)|visit (?:us|our|www)|"
    r"limited[- ]time|special offer|act now|don'?t miss|money[- ]back|guarantee[d]?|per month|a month|"
    r"subscribe|download (?:the|our) app|available (?:now|at|in stores)|terms (?:and conditions )?apply|"
    r"while supplies last|sale ends|brought to you by|sponsored by|new and improved|for a limited)\b",
    re.IGNORECASE,
)

KINDS = {"url": URL, "phone": PHONE, "price": PRICE, "phrase": PHRASE}
LABELS = {"url": "URL", "phone": "phone number", "price": "price", "phrase": "call to action"}


def find_cues(text: str) -> dict[str, list[str]]:
    """Kind -> matched strings, for the kinds present in ``text``.

    >>> sorted(find_cues("CALL 555-0199 NOW at www.example.com for $19.99"))
    ['phone', 'price', 'url']
    """
    found: dict[str, list[str]] = {}
    for kind, pattern in KINDS.items():
        hits = [m.group(0).strip() for m in pattern.finditer(text)]
        if hits:
            found[kind] = hits
    return found
