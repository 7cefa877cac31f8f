"""`PostgresDatabase`: the `Database` API on PostgreSQL, for several instances sharing one state."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import psycopg

from rasid.redact import MASK, SECRET_PARAMETERS, redact_url
from rasid.store.schema import Dialect

# The server notices a vanished client (a host that died, not only a process) within about 25 s,
# and then ends its session, which releases the session's advisory locks; no statement waits on
# a lock for more than 30 s.
_SESSION_OPTIONS = (
    "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3 -c lock_timeout=30000"
)


class _Session:
    """A psycopg cursor that takes `?` placeholders."""

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        return self._cursor.execute(sql.replace("?", "%s"), params)  # type: ignore[arg-type]

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self._cursor.executemany(sql.replace("?", "%s"), rows)  # type: ignore[arg-type]


def _credentials(url: str) -> set[str]:
    """The secrets `url` carries (user-info password, secret query parameters), as written and
    decoded, for scrubbing them out of error text."""
    try:
        parts = urlsplit(url)
        found = [parts.password]
    except ValueError:
        return {url}
    found += [v for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() in SECRET_PARAMETERS]
    found += [v for k, _, v in (p.partition("=") for p in parts.query.split("&")) if k.lower() in SECRET_PARAMETERS]
    return {s for v in found if v for s in (v, unquote(v))}


class PostgresDatabase:
    """One autocommit connection shared by threads under a lock, reconnected after it breaks."""

    dialect: Dialect = "postgresql"

    def __init__(self, url: str) -> None:
        self.url = url
        self.where = redact_url(url)
        self._lock = threading.Lock()
        self._conn: psycopg.Connection[Any] | None = None
        self._exclusive_lock = threading.Lock()
        self._lock_conn: psycopg.Connection[Any] | None = None
        self._connect()

    def _connect(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._conn = self._open()
        return self._conn

    def _open(self) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(
                self.url, autocommit=True, options=_SESSION_OPTIONS, connect_timeout=10, application_name="rasid"
            )
        except psycopg.Error as exc:
            raise ConnectionError(f"{self.where}: cannot connect: {self._scrub(str(exc).strip())}") from None

    def _scrub(self, text: str) -> str:
        """`text` (psycopg's, which may echo the connection string) without the URL's credentials."""
        for secret in sorted(_credentials(self.url), key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text

    @contextmanager
    def transaction(self) -> Iterator[_Session]:
        with self._lock, self._unavailable_as_connection_error():
            conn = self._connect()
            with conn.transaction(), conn.cursor() as cursor:
                yield _Session(cursor)

    @contextmanager
    def read(self) -> Iterator[_Session]:
        with self._lock, self._unavailable_as_connection_error():
            conn = self._connect()
            with conn.cursor() as cursor:
                yield _Session(cursor)

    @contextmanager
    def _unavailable_as_connection_error(self) -> Iterator[None]:
        """A lost or refused connection is the same event to callers on either engine's store."""
        try:
            yield
        except psycopg.OperationalError as exc:
            raise ConnectionError(f"{self.where}: {self._scrub(str(exc).strip().splitlines()[0])}") from None

    @contextmanager
    def exclusive(self, keys: Sequence[int]) -> Iterator[None]:
        """Hold cluster-wide advisory locks on `keys`, taken in order (so two holders of
        overlapping sets cannot deadlock) on a connection of its own (so that waiting blocks no
        other statement of this process); raises after the session's 30 s lock timeout."""
        ordered = sorted(set(keys))
        with self._exclusive_lock, self._unavailable_as_connection_error():
            if self._lock_conn is None or self._lock_conn.closed or self._lock_conn.broken:
                self._lock_conn = self._open()
            conn = self._lock_conn
            try:
                conn.execute("SELECT " + ", ".join(["pg_advisory_lock(%s)"] * len(ordered)), ordered)  # type: ignore[arg-type]
                yield
            finally:
                if not conn.broken:
                    conn.execute("SELECT pg_advisory_unlock_all()")

    def table_exists(self, name: str) -> bool:
        with self.read() as db:
            return db.execute("SELECT to_regclass(?)", (name,)).fetchone()[0] is not None

    def close(self) -> None:
        with self._lock:
            for conn in (self._conn, self._lock_conn):
                if conn is not None:
                    conn.close()
