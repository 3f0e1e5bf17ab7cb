"""Entry script of the PyInstaller build: the same ``app.main:main`` as the ``longwatch`` gui-script."""

from app.main import main

raise SystemExit(main())
