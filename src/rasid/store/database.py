"""`Database`: one connection to SQLite or PostgreSQL behind the same small API.

Statements are written once, with `?` placeholders and the SQL both engines share
(`ON CONFLICT`, `RETURNING`); the PostgreSQL side rewrites the placeholders.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from rasid.store.schema import Dialect


class Cursor(Protocol):
    rowcount: int

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def fetchmany(self, size: int) -> list[Any]: ...


class Session(Protocol):
    """What a transaction or a read gets: statements on the one connection."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...


class Database(Protocol):
    dialect: Dialect
    where: str
    """The database for messages, without credentials."""

    def transaction(self) -> Any:
        """A context manager yielding a `Session` inside one write transaction."""
        ...

    def read(self) -> Any:
        """A context manager yielding a `Session` for reads."""
        ...

    def exclusive(self, keys: Sequence[int]) -> Any:
        """A context manager holding locks on `keys` against other processes sharing the database."""
        ...

    def table_exists(self, name: str) -> bool: ...

    def close(self) -> None: ...


class SQLiteDatabase:
    """A SQLite file in WAL mode, one connection shared by threads under a lock."""

    dialect: Dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.where = str(path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL survives any crash of the process uncorrupted and with every commit;
        # only a power cut can take back the last commits, and then the sources re-deliver them.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.execute("PRAGMA wal_autocheckpoint=16000")  # fewer, larger checkpoints: each report dirties ~25 pages

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._db

    @contextmanager
    def exclusive(self, keys: Sequence[int]) -> Iterator[None]:
        """Nothing to hold: one process writes the file, one report at a time."""
        yield

    def table_exists(self, name: str) -> bool:
        with self.read() as db:
            return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None

    def close(self) -> None:
        with self._lock:
            self._db.close()
