"""The embedded SQLite store: one file, WAL, one transaction per report."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from rasid.store.database import (
    SQLiteDatabase,
    StateError,
    damaged,
    read_only,
    sqlite_error,
)
from rasid.store.schema import SCHEMA_VERSION
from rasid.store.sql import SQLStore

MARKER_SUFFIX = ".created"
"""`rasid.sqlite3.created`, left beside the database when it is first created: while it exists, a
missing or empty database is a lost state, not a first start."""


def marker_of(path: Path) -> Path:
    """The marker file of the database at `path`."""
    return path.with_name(path.name + MARKER_SUFFIX)


def vanished(path: Path) -> StateError:
    """The error for a state database that existed (its marker says so) and is now gone or empty."""
    return StateError(
        f"{path}: the state database is missing or empty, but {marker_of(path)} shows rasid kept its state here.\n"
        "  Starting afresh would forget every file and report seen: every file in watched folders would alert again.\n"
        f"  Restore the database from a backup; or, to start with a new, empty state on purpose, run once with\n"
        f"  --new-state (rasid run --new-state), or delete {marker_of(path)}"
    )


class SQLiteStore(SQLStore):
    """`Store` on a SQLite file in WAL mode, safe to call from several threads of one process.

    `writable=False` looks at the state without changing it, read-only if the file or its folder
    is; `verify` runs SQLite's quick check first; `new_state` accepts an empty state where one was
    kept before. A state that is damaged, vanished or read-only when it must be written raises
    `StateError`."""

    def __init__(
        self, path: Path, migrate: bool = True, *, writable: bool = True, verify: bool = False, new_state: bool = False
    ) -> None:
        self.path = path
        marker = marker_of(path)
        present = path.exists() and path.stat().st_size > 0
        if not present and marker.exists() and not new_state:
            raise vanished(path)
        if not present and not writable:  # nothing has run here: an empty state answers, and none is made
            super().__init__(SQLiteDatabase(Path(":memory:")), migrate=True)
            return
        if present and not _can_write(path):
            if writable:
                raise read_only(path)
            super().__init__(SQLiteDatabase(path, writable=False), migrate=False)
            self._check_read_only_schema()
            return
        database = SQLiteDatabase(path)
        super().__init__(database, migrate=False)
        try:
            if verify:
                problems = database.quick_check()
                if problems:
                    raise damaged(path, "; ".join(problems))
            if marker.exists() and self.schema_version() == 0 and not new_state:
                raise vanished(path)
            if migrate:
                self.migrate()
        except sqlite3.Error as exc:
            self.close()
            raise sqlite_error(path, exc) from None
        except StateError:
            self.close()
            raise
        if not marker.exists() and self.schema_version() > 0:
            _leave_marker(marker)

    def _check_read_only_schema(self) -> None:
        try:
            version = self.schema_version()
        except sqlite3.Error as exc:
            self.close()
            raise sqlite_error(self.path, exc) from None
        if version != SCHEMA_VERSION:
            self.close()
            raise StateError(
                f"{self.path}: the state database is read-only and at schema version {version}, this rasid reads"
                f" version {SCHEMA_VERSION}: run `rasid migrate` with write access first"
            )


def _can_write(path: Path) -> bool:
    """Whether the database and its folder (for the -wal and -shm files) can be written."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def _leave_marker(marker: Path) -> None:
    created = datetime.now(timezone.utc).isoformat(timespec="seconds")
    note = (
        f"rasid created its state database beside this file on {created}.\n"
        "While this file exists rasid refuses to start when that database is missing or empty, since\n"
        "every file in watched folders would alert again; delete this file (or run with --new-state)\n"
        "to start afresh on purpose.\n"
    )
    try:
        marker.write_text(note, encoding="utf-8")
    except OSError:
        pass  # the state works without it; only the check for a vanished database is lost
