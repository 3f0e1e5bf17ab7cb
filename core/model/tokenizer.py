"""Prompt layout (the official demo's Qwen2 chat format) and the tiny byte-level BPE tokenizer.

The official ``demo.py`` builds, with its ``qwen_1_5`` conversation template::

    <|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n<|im_start|>user\\n<image>\\n{question}<|im_end|>\\n
    <|im_start|>assistant\\n

and tokenizes the text before and after ``<image>`` separately (no BOS). Everything before ``<image>`` is the
sink; the video's visual tokens replace ``<image>``; the rest is the question chunk. We always build this layout
ourselves (the official code does not use the tokenizer's chat template either); ``CHAT_TEMPLATE`` is the same
format in Jinja, written into tokenizer_config.json of the tiny checkpoint for other tools.
"""

from __future__ import annotations

import json
from pathlib import Path

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

SYSTEM_PROMPT = "You are a helpful assistant."
IMAGE_MARK = "<image>"
SPECIAL_TOKENS = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")
CHAT_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and message['role'] != 'system' %}"
    "{{ '<|im_start|>system\\n" + SYSTEM_PROMPT + "<|im_end|>\\n' }}{% endif %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


def prompt_prefix() -> str:
    """The text before the video: the sink (never compressed, the same for every video and question)."""
    return f"<|im_start|>system\n{SYSTEM_PROMPT}<|im_end|>\n<|im_start|>user\n"


def prompt_suffix(question: str, context: str | None = None) -> str:
    """The text after the video: optional evidence lines, the question, and the assistant turn's opening."""
    evidence = f"{context.strip()}\n" if context and context.strip() else ""
    return f"\n{evidence}{question.strip()}<|im_end|>\n<|im_start|>assistant\n"


def _corpus() -> list[str]:
    """A small fixed English corpus for the tiny tokenizer (deterministic, covers prompts and yes/no)."""
    base = [
        SYSTEM_PROMPT,
        "Does this part of the video show {q}? Answer yes or no.",
        "Yes. No. yes no Yes, it does. No, it does not.",
        "What happens in the video? Where are the advertisements? Summarise the video in chapters.",
        "A person walks into the room, opens the door, sits at the table and talks to the camera.",
        "The commercial break starts after the opening titles and ends before the news.",
        "Chapter one: the introduction. Chapter two: the interview. Chapter three: the credits.",
        "red green blue black white car dog cat house street city night day music speech text screen",
        "0 1 2 3 4 5 6 7 8 9 10 11 12 seconds minutes hours time start end moment scene shot frame",
    ]
    return [line for line in base for _ in range(3)]


def build_tiny_tokenizer(vocab_size: int = 384) -> Tokenizer:
    """A byte-level BPE (any text encodes) with the three Qwen2 special tokens as its last ids."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size - len(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_corpus(), trainer=trainer)
    tok.add_special_tokens(list(SPECIAL_TOKENS))
    return tok


def write_tokenizer(folder: Path, tok: Tokenizer, max_length: int) -> None:
    """tokenizer.json + tokenizer_config.json (with the chat template) + special_tokens_map.json."""
    tok.save(str(folder / "tokenizer.json"))
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": None,
        "eos_token": "<|im_end|>",
        "pad_token": "<|endoftext|>",
        "unk_token": None,
        "add_bos_token": False,
        "model_max_length": max_length,
        "chat_template": CHAT_TEMPLATE,
    }
    (folder / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    special = {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>",
               "additional_special_tokens": ["<|im_start|>", "<|im_end|>"]}
    (folder / "special_tokens_map.json").write_text(json.dumps(special, indent=2) + "\n", encoding="utf-8")
