"""The embedded SQLite store: one file, WAL, one transaction per report."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rasid.models import Report
from rasid.store.base import FeedState, FileState, OutboxRow, QueuedAlert

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reports (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    url TEXT,
    guid TEXT,
    published TEXT,
    first_seen REAL NOT NULL,
    alerts INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS seen_keys (
    key TEXT PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY,
    alert_id TEXT NOT NULL,
    notifier TEXT NOT NULL,
    document TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    next_attempt REAL NOT NULL,
    delivered REAL,
    last_error TEXT,
    UNIQUE (alert_id, notifier)
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (status, notifier, id);
CREATE TABLE IF NOT EXISTS feed_state (
    source TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    last_poll REAL,
    last_success REAL,
    last_status TEXT,
    errors INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS file_state (
    source TEXT NOT NULL,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (source, path)
) WITHOUT ROWID;
"""


class SQLiteStore:
    """`Store` on a SQLite file in WAL mode, safe to call from several threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def _migrate(self) -> None:
        with self._lock:
            self._db.executescript(_SCHEMA)
            row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise RuntimeError(f"{self.path}: state schema {version} is newer than this rasid ({SCHEMA_VERSION})")
            self._db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def record_report(self, report: Report, keys: list[str], alerts: list[QueuedAlert], now: float) -> bool:
        with self._transaction() as db:
            marks = ",".join("?" * len(keys))
            known = db.execute(f"SELECT report_id FROM seen_keys WHERE key IN ({marks}) LIMIT 1", keys).fetchone()
            if known:
                db.executemany(
                    "INSERT OR IGNORE INTO seen_keys (key, report_id) VALUES (?, ?)", [(k, known[0]) for k in keys]
                )
                return False
            cur = db.execute(
                "INSERT INTO reports (source, title, url, guid, published, first_seen, alerts)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    report.source,
                    report.title,
                    report.url,
                    report.guid,
                    report.published.isoformat() if report.published else None,
                    now,
                    len(alerts),
                ),
            )
            db.executemany(
                "INSERT OR IGNORE INTO seen_keys (key, report_id) VALUES (?, ?)", [(k, cur.lastrowid) for k in keys]
            )
            db.executemany(
                "INSERT OR IGNORE INTO outbox (alert_id, notifier, document, status, created, next_attempt)"
                " VALUES (?, ?, ?, 'pending', ?, ?)",
                [(a.alert_id, a.notifier, json.dumps(a.document, ensure_ascii=False), now, now) for a in alerts],
            )
            return True

    def pending_notifiers(self) -> list[str]:
        with self._lock:
            rows = self._db.execute("SELECT DISTINCT notifier FROM outbox WHERE status = 'pending'").fetchall()
        return [r[0] for r in rows]

    def pending_alerts(self, notifier: str, limit: int) -> list[OutboxRow]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, alert_id, notifier, document, attempts, created, next_attempt FROM outbox"
                " WHERE status = 'pending' AND notifier = ? ORDER BY id LIMIT ?",
                (notifier, limit),
            ).fetchall()
        return [OutboxRow(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5], r[6]) for r in rows]

    def mark_delivered(self, row_id: int, now: float) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE outbox SET status = 'delivered', attempts = attempts + 1, delivered = ?, last_error = NULL"
                " WHERE id = ?",
                (now, row_id),
            )

    def mark_failed(self, row_id: int, error: str, next_attempt: float | None) -> None:
        with self._transaction() as db:
            if next_attempt is None:
                db.execute(
                    "UPDATE outbox SET status = 'dead', attempts = attempts + 1, last_error = ? WHERE id = ?",
                    (error, row_id),
                )
            else:
                db.execute(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt = ? WHERE id = ?",
                    (error, next_attempt, row_id),
                )

    def outbox_counts(self) -> dict[str, int]:
        with self._lock:
            rows = self._db.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall()
        counts = {"pending": 0, "delivered": 0, "dead": 0}
        counts.update({status: n for status, n in rows})
        return counts

    def feed_state(self, source: str) -> FeedState:
        with self._lock:
            row = self._db.execute(
                "SELECT etag, last_modified, last_poll, last_success, last_status, errors FROM feed_state"
                " WHERE source = ?",
                (source,),
            ).fetchone()
        return FeedState(*row) if row else FeedState()

    def save_feed_state(self, source: str, state: FeedState) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO feed_state"
                " (source, etag, last_modified, last_poll, last_success, last_status, errors)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    source,
                    state.etag,
                    state.last_modified,
                    state.last_poll,
                    state.last_success,
                    state.last_status,
                    state.errors,
                ),
            )

    def file_states(self, source: str) -> dict[str, FileState]:
        with self._lock:
            rows = self._db.execute(
                "SELECT path, size, mtime_ns, status FROM file_state WHERE source = ?", (source,)
            ).fetchall()
        return {path: FileState(size, mtime, status) for path, size, mtime, status in rows}

    def save_file_state(self, source: str, path: str, state: FileState) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO file_state (source, path, size, mtime_ns, status) VALUES (?, ?, ?, ?, ?)",
                (source, path, state.size, state.mtime_ns, state.status),
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()
