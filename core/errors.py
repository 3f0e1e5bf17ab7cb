"""The one error family the engine raises to its callers.

Every ``LongwatchError`` carries a one-line message that says what is wrong and what to do about it. The CLI
prints exactly that line (no traceback unless ``--debug``); the app shows it in the window. Subsystems derive
their own families (``MediaError``, ``ModelError``, ...) so callers can tell them apart.
"""

from __future__ import annotations


class LongwatchError(Exception):
    """Base of every error meant for a person: ``str(err)`` is one line saying what to do."""

    def __init__(self, message: str) -> None:
        # One line, always: multi-line text from a library is folded so a UI label or a terminal stays tidy.
        super().__init__(" ".join(message.split()))


class UsageError(LongwatchError, ValueError):
    """A bad option or argument (the CLI exits with status 2). Options dataclasses raise it from
    ``__post_init__``; it is a ``ValueError`` too, so code checking values the usual way still catches it."""


class StoreError(LongwatchError):
    """The library database cannot be opened, read or written."""


class Cancelled(LongwatchError):
    """Long work stopped because the user asked it to; everything committed so far is kept."""

    def __init__(self, message: str = "Cancelled; the work done so far is kept and the next run resumes.") -> None:
        super().__init__(message)
