"""One module per ``longwatch-cli`` command; each has ``register(subparsers, common)``."""
