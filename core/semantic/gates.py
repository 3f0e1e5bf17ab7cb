"""Quality gates for what a summary may show: is a line real prose, a list of credit names, or OCR debris?

On-screen text read by OCR is often broken ("My K or", "The Peach Movie Project Prima") and end credits are lists
of names ("Amos Brocco· Andre Baran· Andrea Weikert"). A title or an overview line made of such text is worse than
none, so every candidate goes through these checks:

- ``dictionary_words``: tokens found in an English word-frequency list (pyspellchecker's ``en`` list, MIT, shipped
  inside its wheel; counts from subtitles, so common first names are "words" too: name lists are caught by
  ``looks_like_names``, not by the dictionary);
- ``looks_like_names``: mostly capitalised tokens with name separators, or credit role words ("Director",
  "Rigger", "Producer");
- ``is_fragment``: OCR debris: fewer than two dictionary words, stray letters, too many non-words;
- ``repetitive``: speech recognition looping on music ("see you in the next video, see you in the next
  video, ...": Whisper's known failure), caught with Whisper's own test, a zlib compression ratio above 2.4;
- ``title_problem``: why a title must not be used (or None), including a title whose content words the
  chapter's evidence never says (a small language model inventing).

The word list is read straight from the package's data file (not through its spell-checker class, which builds
edit-distance indexes we do not need).
"""

from __future__ import annotations

import gzip
import importlib.resources
import json
import logging
import re
import zlib
from collections.abc import Iterable
from functools import lru_cache

from core.semantic.normalize import STOPWORDS

log = logging.getLogger(__name__)

MAX_COMPRESSION = 2.4  # Whisper's compression_ratio_threshold: above it a decoded segment is a loop
MIN_COUNT = 100  # occurrences in the word list for a token to count as a word (the list's floor is 50)
_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)
_NAME_SEPARATORS = re.compile(r"[·•|/]|,\s*[A-Z]| - [A-Z]")
# Role words of film and TV credits (lower case); a line holding one of them next to names is a credit line.
CREDIT_WORDS = frozenset("""
director directors directed producer producers produced production executive associate co-producer writer writers
written screenplay storyboard storyboards script music composer composed score sound mixer mixing editor
editors edited editing animation animator animators animated rigger riggers rigging lighting layout modeling
modelling modeller modellers texturing texture shading compositing compositor render rendering technical
supervisor supervisors designer designers design concept art artist artists camera cinematography photography
starring cast casting voice voices narrator thanks special presents presented copyright licence license licensed
creative commons studio studios foundation team crew credits credit developers developer coordinator manager
""".split())  # noqa: SIM905
SHORT_WORDS = frozenset({"a", "i", "o", "&"})
NAME_PARTICLES = frozenset("van de der den von da di du del della la le al bin ibn y".split())  # noqa: SIM905


@lru_cache(maxsize=1)
def word_counts() -> dict[str, int]:
    """English word -> count (lower case). Empty (every gate then treats tokens as non-words) if the list is missing."""
    try:
        data = importlib.resources.files("spellchecker").joinpath("resources/en.json.gz").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError, OSError) as e:
        log.warning("no English word list (pip install pyspellchecker): titles from on-screen text are not used (%s)",
                    e)
        return {}
    counts: dict[str, int] = json.loads(gzip.decompress(data))
    return counts


def tokens(text: str) -> list[str]:
    """Letter tokens of ``text`` as written (apostrophes and hyphens inside a word kept)."""
    return _TOKEN.findall(text)


def is_word(token: str) -> bool:
    t = token.lower().replace("’", "'")
    if len(t) == 1:
        return t in SHORT_WORDS
    counts = word_counts()
    if counts.get(t, 0) >= MIN_COUNT:
        return True
    parts = re.split(r"['-]", t)  # "rabbit's", "well-known"
    return len(parts) > 1 and all(counts.get(p, 0) >= MIN_COUNT or p in ("s", "t", "ll", "re", "ve", "d")
                                  for p in parts if p)


def dictionary_words(text: str) -> list[str]:
    return [t for t in tokens(text) if is_word(t)]


def content_words(text: str) -> list[str]:
    """Dictionary words that carry meaning (not stopwords), lower case."""
    return [t.lower() for t in dictionary_words(text) if t.lower() not in STOPWORDS and len(t) > 2]


def credit_words(text: str) -> list[str]:
    return [t.lower() for t in tokens(text) if t.lower() in CREDIT_WORDS]


def looks_like_names(text: str) -> bool:
    """A list of names or a credit line: "Amos Brocco· Andre Baran", "Director Sacha Goedegebure"."""
    toks = tokens(text)
    if not toks:
        return False
    caps = [t for t in toks if t[0].isupper()]
    particles = [t for t in toks if t in NAME_PARTICLES]
    lower_words = [t for t in toks if t[0].islower() and is_word(t) and t not in NAME_PARTICLES]
    if credit_words(text) and len(caps) >= 2:
        return True
    if len(caps) >= 3 and len(caps) + len(particles) >= 0.75 * len(toks) and _NAME_SEPARATORS.search(text):
        return True
    # Capitalised tokens the word list does not know (surnames), with hardly any lower-case prose around them.
    unknown_caps = [t for t in caps if not is_word(t)]
    return len(caps) >= 4 and len(unknown_caps) >= 2 and len(lower_words) <= len(toks) // 5


def is_fragment(text: str) -> bool:
    """OCR debris or a broken line: fewer than two dictionary words, stray letters, or mostly non-words."""
    toks = tokens(text)
    words = [t for t in toks if is_word(t)]
    if len(words) < 2:
        return True
    stray = [t for t in toks if len(t) == 1 and t.lower() not in SHORT_WORDS]
    if stray:
        return True
    return len(words) < 0.7 * len(toks)


def repetitive(text: str) -> bool:
    """Text that repeats itself like a recognition loop (zlib ratio above ``MAX_COMPRESSION``)."""
    raw = " ".join(text.split()).encode()
    return len(raw) >= 40 and len(raw) / len(zlib.compress(raw)) > MAX_COMPRESSION


def text_like(text: str) -> bool:
    """On-screen text that reads as writing: a dictionary word of three letters or more, or a run of four
    letters (a title such as "BUNNY" misread as "BUNKY"); not a stray glyph read from a textured picture."""
    toks = tokens(text)
    return any(len(t) >= 3 and is_word(t) for t in toks) or any(len(t) >= 4 and t.isascii() for t in toks)


def prose_ok(text: str) -> bool:
    """A line fit to be quoted in a chapter or an overview: prose, not names, not debris, not a loop."""
    return not is_fragment(text) and not looks_like_names(text) and not repetitive(text)


def _stem(word: str) -> str:
    w = word.lower()
    for suffix in ("ing", "ies", "es", "ed", "s", "ly"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            return w[: -len(suffix)]
    return w


def grounded(title: str, evidence: Iterable[str]) -> bool:
    """Every content word of ``title`` (by a crude stem) occurs in the evidence texts."""
    said = {_stem(w) for text in evidence for w in tokens(text)}
    wanted = [_stem(w) for w in tokens(title) if w.lower() not in STOPWORDS and len(w) > 2]
    return bool(wanted) and all(w in said for w in wanted)


def title_problem(title: str, evidence: Iterable[str] = (), *, require_grounding: bool = False) -> str | None:
    """Why ``title`` must not be used, or None when it is fine."""
    if not title.strip():
        return "empty"
    if looks_like_names(title):
        return "a list of names"
    if is_fragment(title):
        return "text fragments (fewer than two dictionary words, or broken words)"
    if require_grounding and not grounded(title, evidence):
        return "words the evidence does not say"
    return None
