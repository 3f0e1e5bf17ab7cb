"""The library database (SQLite through sqlite-utils): schema, migrations, library rows."""

from core.store.db import ENV_DB, default_db_path, open_db
from core.store.library import LibraryEntry, get_video_row, list_library, upsert_video

__all__ = ["ENV_DB", "LibraryEntry", "default_db_path", "get_video_row", "list_library", "open_db", "upsert_video"]
