"""Opening the library database: one SQLite file, WAL, a busy timeout, migrations applied.

sqlite-utils gives us ``Database``, ``atomic()`` and ``Migrations``; this module only chooses where the file
lives and how the connection is configured. A ``Database`` wraps a plain ``sqlite3`` connection, which belongs to
the thread that opened it: open one per thread (``open_db`` is cheap once the schema exists).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import platformdirs
import sqlite_utils

from core.errors import StoreError

ENV_DB = "LONGWATCH_DB"
BUSY_TIMEOUT_MS = 30_000  # a writer waits this long for another writer before "database is locked"


def default_db_path() -> Path:
    """``$LONGWATCH_DB`` if set, else ``longwatch.db`` in the user data dir (e.g. ~/.local/share/longwatch)."""
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("longwatch", appauthor=False)) / "longwatch.db"


def open_db(path: str | Path | None = None, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the library database at ``path`` and bring its schema up to date.

    ``path=None`` means ``default_db_path()``; ``":memory:"`` gives a private in-memory database.
    """
    memory = str(path) == ":memory:"
    target = Path(":memory:") if memory else Path(path) if path is not None else default_db_path()
    if not memory:
        target = target.expanduser()
        if target.is_dir():
            raise StoreError(f"The database path {target} is a folder; give a file name such as {target}/longwatch.db.")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(f"Cannot create the folder for the database {target}: {e.strerror}; choose another --db.") from e
    try:
        conn = sqlite3.connect(str(target), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=True)
        db = sqlite_utils.Database(conn)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not memory:
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: durable at checkpoints, never corrupt
        db.execute("PRAGMA foreign_keys = ON")
        if migrate:
            _migrate(db)
    except sqlite3.DatabaseError as e:
        raise StoreError(
            f"Cannot use {target} as the Longwatch database ({e}); is it another program's file? Choose another --db."
        ) from e
    return db


def _migrate(db: sqlite_utils.Database) -> None:
    """Apply pending migrations with the write lock held from the start, so two processes opening a new library
    at once do not both apply them: the second waits (busy timeout), then finds nothing pending."""
    from core.store.migrations import MIGRATIONS

    if not _needs_migrating(db):
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        MIGRATIONS.apply(db)  # each migration's own atomic() nests as a savepoint
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _needs_migrating(db: sqlite_utils.Database) -> bool:
    from core.store.migrations import MIGRATIONS

    if "_sqlite_migrations" not in db.table_names():
        return True
    return bool(MIGRATIONS.pending(db))
