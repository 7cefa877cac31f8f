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


class StateError(RuntimeError):
    """The state database cannot be used as it is; the message names it, says why and what to do."""


def damaged(path: Path, detail: str) -> StateError:
    """The error for a SQLite state that fails its integrity check or cannot be read as a database."""
    aside = path.with_name(path.name + ".damaged")
    return StateError(
        f"{path}: the state database is damaged ({detail}); rasid will not run on it.\n"
        f"  To recover, stop rasid and move the file aside with its -wal and -shm files (mv {path} {aside}), then either\n"
        f"  restore a backup to {path}, or salvage what is still readable: sqlite3 {aside} .recover | sqlite3 {path}\n"
        "  (or start with no state: rasid run --new-state, and every file in watched folders alerts again)"
    )


def read_only(path: Path) -> StateError:
    """The error for a SQLite state that must be written but cannot be."""
    return StateError(
        f"{path}: the state database is read-only; rasid needs write access to it and to its folder"
        " (SQLite keeps its -wal and -shm files beside it)"
    )


def sqlite_error(path: Path, exc: sqlite3.Error) -> StateError:
    """`exc`, met on the SQLite state at `path`, as a `StateError` an operator can act on."""
    text = str(exc)
    if any(word in text for word in ("malformed", "not a database", "corrupt")):
        return damaged(path, text)
    if "readonly" in text or "read-only" in text:
        return read_only(path)
    return StateError(f"{path}: cannot use the state database: {text}")


class SQLiteDatabase:
    """A SQLite file in WAL mode, one connection shared by threads under a lock; `writable=False`
    opens it read-only (for looking at the state of a read-only file or file system)."""

    dialect: Dialect = "sqlite"

    def __init__(self, path: Path, writable: bool = True) -> None:
        self.where = str(path)
        self.path = path
        self._lock = threading.RLock()  # a batch's transaction holds it while its reports take theirs
        try:
            self._db = self._connect(path) if writable else self._connect_read_only(path)
        except sqlite3.Error as exc:
            raise sqlite_error(path, exc) from None

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL survives any crash of the process uncorrupted and with every commit;
            # only a power cut can take back the last commits, and then the sources re-deliver them.
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("PRAGMA wal_autocheckpoint=16000")  # fewer, larger checkpoints: each report dirties ~25 pages
        except BaseException:
            db.close()
            raise
        return db

    @staticmethod
    def _connect_read_only(path: Path) -> sqlite3.Connection:
        uri = path.resolve().as_uri()
        db = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None, check_same_thread=False, timeout=30)
        try:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return db
        except sqlite3.OperationalError:
            # WAL needs a -shm file it may create; on a read-only file system nothing can write the
            # file meanwhile, so it is read as it stands
            db.close()
            return sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None, check_same_thread=False)

    def quick_check(self) -> list[str]:
        """What SQLite's `quick_check` finds wrong with the file (nothing: an empty list)."""
        with self.read() as db:
            rows = [str(row[0]) for row in db.execute("PRAGMA quick_check(5)").fetchall()]
        return [] if rows == ["ok"] else rows

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; inside another one (a batch), a savepoint that fails alone."""
        with self._lock:
            nested = self._db.in_transaction
            self._db.execute("SAVEPOINT part" if nested else "BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                if nested:
                    self._db.execute("ROLLBACK TO part")
                    self._db.execute("RELEASE part")
                elif self._db.in_transaction:  # a failed COMMIT may have ended it already
                    self._db.execute("ROLLBACK")
                raise
            self._db.execute("RELEASE part" if nested else "COMMIT")

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
