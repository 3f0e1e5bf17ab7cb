"""Query normalisation against what speech recognition writes.

Whisper writes "five five five, zero one nine nine" one day and "555-0199" the next; people type either. Both the
indexed text and the query go through ``normalize_text``, so they meet in one form: lower case, punctuation gone,
number words turned into digits (``text2num``'s English ``alpha2digit``), and runs of digit groups joined
("19 84" -> "1984", "555 0199" -> "5550199"). Numbers typed as digits are therefore found when spoken as words and
the reverse. The embedding side keeps the original text: the sentence model reads words better than normalised
tokens.

>>> normalize_text("Call Five-Five-Five, zero one nine nine!")
'call 5550199'
>>> normalize_text("In 1984 the lighthouse...")
'in 1984 the lighthouse'
>>> normalize_text("climbs 100 and 12 steps") == normalize_text("climbs one hundred and twelve steps")
True
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from text_to_num import alpha2digit

_PUNCT = re.compile(r"[^\w\s]+", re.UNICODE)
_DIGIT_RUN = re.compile(r"\b\d+(?:\s+\d+)+\b")
_TOKEN = re.compile(r"\w+", re.UNICODE)
# Whisper writes "one hundred and twelve" as "100 and 12"; alpha2digit turns the words into "112".
_HUNDRED_AND = re.compile(r"\b(\d*[1-9]00) and (\d{1,2})\b")

# Words that carry no topic; dropped from full-text queries only (the sentence model still sees them).
STOPWORDS = frozenset(
    """a an and are as at be been but by can could did do does for from had has have he her him his how i if in
    into is it its me my no not of on or our she so that the their them then there these they this those to us
    was we were what when where which while who whom why will with would you your about any some show shows
    part video moment moments find talk talks talking say says said someone somebody people""".split()  # noqa: SIM905
)


@lru_cache(maxsize=4096)
def normalize_text(text: str) -> str:
    """Lower case, accents folded, number words -> digits, punctuation removed, digit runs joined."""
    s = unicodedata.normalize("NFKC", text).lower()
    s = s.replace("-", " ")  # "five-five-five" and "555-0199": hyphens separate tokens before number parsing
    s = alpha2digit(s, "en", threshold=0)
    s = _HUNDRED_AND.sub(lambda m: str(int(m.group(1)) + int(m.group(2))), s)
    s = _PUNCT.sub(" ", s)
    s = _DIGIT_RUN.sub(lambda m: "".join(m.group(0).split()), s)
    return " ".join(s.split())


def query_terms(text: str) -> list[str]:
    """The normalised tokens of a query worth matching in full text (stopwords dropped, order kept, unique)."""
    seen: dict[str, None] = {}
    for tok in _TOKEN.findall(normalize_text(text)):
        if tok not in STOPWORDS and tok not in seen:
            seen[tok] = None
    return list(seen)


def fts_match(text: str) -> str | None:
    """An FTS5 MATCH expression: any of the query's terms, each quoted (None when nothing is left to match)."""
    terms = query_terms(text)
    if not terms:
        return None
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
