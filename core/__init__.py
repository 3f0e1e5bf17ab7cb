"""Longwatch engine: media, model, index, evidence, query, report and store, with no UI.

The app (``app/``) and the command line (``core.cli``) reach the engine through the public names each
subpackage exports in its ``__init__``. Nothing in ``core`` imports Qt (enforced by import-linter).
"""

__version__ = "0.1.0"
