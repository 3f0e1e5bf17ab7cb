"""``python -m core`` is the same as ``longwatch-cli``."""

from core.cli import main

raise SystemExit(main())
