"""The embedded SQLite store: one file, WAL, one transaction per report."""

from __future__ import annotations

from pathlib import Path

from rasid.store.database import SQLiteDatabase
from rasid.store.sql import SQLStore


class SQLiteStore(SQLStore):
    """`Store` on a SQLite file in WAL mode, safe to call from several threads of one process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(SQLiteDatabase(path))
