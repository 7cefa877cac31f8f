"""The embedded SQLite store: one file, WAL, one transaction per report."""

from __future__ import annotations

import json
import sqlite3
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rasid.models import Report
from rasid.store.base import (
    ArchivedReport,
    FeedState,
    FileState,
    KnownReport,
    OutboxEntry,
    OutboxRow,
    QueuedAlert,
    StoryEntry,
    StoryInfo,
    StoryRow,
    StorySource,
)

SCHEMA_VERSION = 5

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
    alerts INTEGER NOT NULL,
    story_id TEXT
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
CREATE TABLE IF NOT EXISTS stories (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL,
    title TEXT NOT NULL,
    url TEXT,
    sources INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS stories_created ON stories (created);
CREATE TABLE IF NOT EXISTS story_sources (
    story_id TEXT NOT NULL,
    report_id INTEGER NOT NULL,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    url TEXT,
    seen REAL NOT NULL,
    similarity REAL,
    PRIMARY KEY (story_id, report_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS story_alerts (
    story_id TEXT NOT NULL,
    watchlist TEXT NOT NULL,
    PRIMARY KEY (story_id, watchlist)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fingerprints (
    report_id INTEGER PRIMARY KEY,
    story_id TEXT NOT NULL,
    created REAL NOT NULL,
    shingles BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS fingerprints_created ON fingerprints (created);
CREATE TABLE IF NOT EXISTS lsh (
    key INTEGER NOT NULL,
    report_id INTEGER NOT NULL,
    PRIMARY KEY (key, report_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS archive (
    report_id INTEGER PRIMARY KEY,
    first_seen REAL NOT NULL,
    text BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS archive_first_seen ON archive (first_seen);
CREATE INDEX IF NOT EXISTS reports_url ON reports (url);
CREATE TABLE IF NOT EXISTS notifier_state (
    notifier TEXT PRIMARY KEY,
    failing_since REAL,
    announced INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS feed_state (
    source TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    last_poll REAL,
    last_success REAL,
    last_status TEXT,
    errors INTEGER NOT NULL DEFAULT 0,
    url TEXT,
    next_poll REAL,
    new_items INTEGER NOT NULL DEFAULT 0,
    disabled TEXT,
    unhealthy TEXT
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


_ARCHIVED = "r.id, r.source, r.title, r.url, r.published, a.first_seen, r.story_id, a.text"


def _archived(row: tuple[Any, ...]) -> ArchivedReport:
    report_id, source, title, url, published, first_seen, story_id, text = row
    return ArchivedReport(
        report_id, source, title, url, published, first_seen, story_id, zlib.decompress(text).decode("utf-8")
    )


class SQLiteStore:
    """`Store` on a SQLite file in WAL mode, safe to call from several threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL survives any crash of the process uncorrupted and with every commit;
        # only a power cut can take back the last commits, and then the sources re-deliver them.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.execute("PRAGMA wal_autocheckpoint=16000")  # fewer, larger checkpoints: each report dirties ~25 pages
        self._migrate()

    def _migrate(self) -> None:
        with self._lock:
            row = None
            if self._db.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone():
                row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise RuntimeError(f"{self.path}: state schema {version} is newer than this rasid ({SCHEMA_VERSION})")
            if 0 < version < 2:
                self._db.execute("ALTER TABLE reports ADD COLUMN story_id TEXT")
            if 0 < version < 3:
                for column in ("url TEXT", "next_poll REAL", "new_items INTEGER NOT NULL DEFAULT 0", "disabled TEXT"):
                    self._db.execute(f"ALTER TABLE feed_state ADD COLUMN {column}")
            if 0 < version < 4:
                self._db.execute("ALTER TABLE feed_state ADD COLUMN unhealthy TEXT")
            self._db.executescript(_SCHEMA)
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

    def record_report(
        self,
        report: Report,
        keys: list[str],
        alerts: list[QueuedAlert],
        now: float,
        story: StoryEntry | None = None,
        archive: bool = False,
    ) -> bool:
        with self._transaction() as db:
            guids = [k for k in keys if k.startswith("guid:")]
            if guids:
                marks = ",".join("?" * len(guids))
                if db.execute(f"SELECT 1 FROM seen_keys WHERE key IN ({marks}) LIMIT 1", guids).fetchone():
                    return False
            published = report.published.isoformat() if report.published else None
            cur = db.execute(
                "INSERT INTO reports (source, title, url, guid, published, first_seen, alerts, story_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (report.source, report.title, report.url, report.guid, published, now, len(alerts),
                 story.story_id if story else None),
            )  # fmt: skip
            report_id = cur.lastrowid
            db.executemany(
                "INSERT OR IGNORE INTO seen_keys (key, report_id) VALUES (?, ?)", [(k, report_id) for k in keys]
            )
            if story is not None:
                self._file_under_story(db, report, report_id, story, now)
            if archive:
                db.execute(
                    "INSERT INTO archive (report_id, first_seen, text) VALUES (?, ?, ?)",
                    (report_id, now, zlib.compress(report.text.encode("utf-8"), 6)),
                )
            self._queue(db, alerts, now)
            return True

    def archived(self, since: float) -> Iterator[ArchivedReport]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_ARCHIVED} FROM archive a JOIN reports r ON r.id = a.report_id"
                " WHERE a.first_seen >= ? ORDER BY a.first_seen",
                (since,),
            ).fetchall()
        return (_archived(row) for row in rows)

    def archived_report(self, ref: str) -> ArchivedReport | None:
        where, arg = ("r.id = ?", int(ref)) if ref.isdigit() else ("r.url = ?", ref)
        with self._lock:
            row = self._db.execute(
                f"SELECT {_ARCHIVED} FROM archive a JOIN reports r ON r.id = a.report_id WHERE {where}"
                " ORDER BY r.id DESC LIMIT 1",
                (arg,),
            ).fetchone()
        return _archived(row) if row else None

    def prune_archive(self, before: float) -> int:
        with self._transaction() as db:
            return db.execute("DELETE FROM archive WHERE first_seen < ?", (before,)).rowcount

    @staticmethod
    def _queue(db: sqlite3.Connection, items: list[QueuedAlert], now: float) -> None:
        db.executemany(
            "INSERT OR IGNORE INTO outbox (alert_id, notifier, document, status, created, next_attempt)"
            " VALUES (?, ?, ?, 'pending', ?, ?)",
            [(a.alert_id, a.notifier, json.dumps(a.document, ensure_ascii=False), now, now) for a in items],
        )

    @staticmethod
    def _file_under_story(db: sqlite3.Connection, report: Report, report_id: int | None, story: StoryEntry, now: float) -> None:
        if story.new_story:
            db.execute(
                "INSERT OR IGNORE INTO stories (id, created, title, url, sources) VALUES (?, ?, ?, ?, 0)",
                (story.story_id, now, report.title, report.url),
            )
        if story.listed:
            db.execute("UPDATE stories SET sources = sources + 1 WHERE id = ?", (story.story_id,))
            db.execute(
                "INSERT OR IGNORE INTO story_sources (story_id, report_id, source, title, url, seen, similarity)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (story.story_id, report_id, report.source, report.title, report.url, now, story.similarity),
            )
        db.executemany(
            "INSERT OR IGNORE INTO story_alerts (story_id, watchlist) VALUES (?, ?)",
            [(story.story_id, w) for w in story.alerted],
        )
        if story.shingles is not None and story.band_keys:
            db.execute(
                "INSERT INTO fingerprints (report_id, story_id, created, shingles) VALUES (?, ?, ?, ?)",
                (report_id, story.story_id, now, story.shingles),
            )
            db.executemany(
                "INSERT OR IGNORE INTO lsh (key, report_id) VALUES (?, ?)", [(k, report_id) for k in story.band_keys]
            )

    def find_reports(self, keys: list[str]) -> list[KnownReport]:
        marks = ",".join("?" * len(keys))
        with self._lock:
            rows = self._db.execute(
                "SELECT DISTINCT r.id, r.story_id, r.source FROM seen_keys k JOIN reports r ON r.id = k.report_id"
                f" WHERE k.key IN ({marks})",
                keys,
            ).fetchall()
        return [KnownReport(*row) for row in rows]

    def add_keys(self, report_id: int, keys: list[str]) -> None:
        with self._transaction() as db:
            db.executemany("INSERT OR IGNORE INTO seen_keys (key, report_id) VALUES (?, ?)", [(k, report_id) for k in keys])

    def similar_reports(self, band_keys: tuple[int, ...], since: float) -> list[tuple[int, str, bytes]]:
        if not band_keys:
            return []
        marks = ",".join("?" * len(band_keys))
        with self._lock:
            rows = self._db.execute(
                "SELECT f.report_id, f.story_id, f.shingles FROM fingerprints f"
                f" WHERE f.report_id IN (SELECT report_id FROM lsh WHERE key IN ({marks})) AND f.created >= ?",
                (*band_keys, since),
            ).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    def story_info(self, story_id: str) -> StoryInfo:
        with self._lock:
            row = self._db.execute("SELECT sources FROM stories WHERE id = ?", (story_id,)).fetchone()
            alerted = self._db.execute("SELECT watchlist FROM story_alerts WHERE story_id = ?", (story_id,)).fetchall()
        return StoryInfo(row[0] if row else 0, frozenset(w for (w,) in alerted))

    def stories(self, since: float, limit: int) -> list[StoryRow]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, created, title FROM stories WHERE created >= ? ORDER BY created DESC LIMIT ?", (since, limit)
            ).fetchall()
            out = []
            for story_id, created, title in rows:
                sources = self._db.execute(
                    "SELECT source, title, url, seen, similarity FROM story_sources WHERE story_id = ? ORDER BY seen",
                    (story_id,),
                ).fetchall()
                out.append(StoryRow(story_id, created, title, [StorySource(*s) for s in sources]))
        return out

    def prune_fingerprints(self, before: float) -> int:
        with self._transaction() as db:
            db.execute(
                "DELETE FROM lsh WHERE report_id IN (SELECT report_id FROM fingerprints WHERE created < ?)", (before,)
            )
            return db.execute("DELETE FROM fingerprints WHERE created < ?", (before,)).rowcount

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

    def writable(self) -> bool:
        try:
            with self._transaction():
                pass
        except sqlite3.Error:
            return False
        return True

    def oldest_pending(self) -> float | None:
        with self._lock:
            row = self._db.execute("SELECT min(created) FROM outbox WHERE status = 'pending'").fetchone()
        return row[0] if row else None

    def outbox_by_notifier(self) -> dict[str, dict[str, int]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT notifier, status, count(*), sum(attempts) FROM outbox GROUP BY notifier, status"
            ).fetchall()
        out: dict[str, dict[str, int]] = {}
        for notifier, status, count, attempts in rows:
            entry = out.setdefault(notifier, {"pending": 0, "delivered": 0, "dead": 0, "attempts": 0})
            entry[status] = count
            entry["attempts"] += attempts or 0
        return out

    def enqueue(self, items: list[QueuedAlert], now: float) -> None:
        with self._transaction() as db:
            self._queue(db, items, now)

    def outbox_rows(self, statuses: tuple[str, ...], limit: int) -> list[OutboxEntry]:
        marks = ",".join("?" * len(statuses))
        with self._lock:
            rows = self._db.execute(
                "SELECT alert_id, notifier, status, attempts, created, next_attempt, last_error, document FROM outbox"
                f" WHERE status IN ({marks}) ORDER BY id LIMIT ?",
                (*statuses, limit),
            ).fetchall()
        return [OutboxEntry(*r[:7], json.loads(r[7])) for r in rows]

    def requeue(self, alert_ids: list[str] | None, now: float) -> int:
        with self._transaction() as db:
            if alert_ids is None:
                cur = db.execute(
                    "UPDATE outbox SET status = 'pending', next_attempt = ?, created = ? WHERE status = 'dead'", (now, now)
                )
            else:
                marks = ",".join("?" * len(alert_ids))
                cur = db.execute(
                    "UPDATE outbox SET status = 'pending', next_attempt = ?, created = ?"
                    f" WHERE status = 'dead' AND alert_id IN ({marks})",
                    (now, now, *alert_ids),
                )
            return cur.rowcount

    def purge(self, before: float) -> int:
        with self._transaction() as db:
            return db.execute("DELETE FROM outbox WHERE status IN ('delivered', 'dead') AND created < ?", (before,)).rowcount

    def notifier_failed(self, notifier: str, now: float) -> tuple[float, bool]:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO notifier_state (notifier, failing_since, announced) VALUES (?, ?, 0)"
                " ON CONFLICT (notifier) DO UPDATE SET failing_since = coalesce(failing_since, excluded.failing_since)",
                (notifier, now),
            )
            since, announced = db.execute(
                "SELECT failing_since, announced FROM notifier_state WHERE notifier = ?", (notifier,)
            ).fetchone()
        return since, bool(announced)

    def notifier_announced(self, notifier: str) -> None:
        with self._transaction() as db:
            db.execute("UPDATE notifier_state SET announced = 1 WHERE notifier = ?", (notifier,))

    def notifier_recovered(self, notifier: str) -> bool:
        with self._transaction() as db:
            row = db.execute("SELECT announced FROM notifier_state WHERE notifier = ?", (notifier,)).fetchone()
            db.execute("UPDATE notifier_state SET failing_since = NULL, announced = 0 WHERE notifier = ?", (notifier,))
        return bool(row and row[0])

    _FEED_COLUMNS = (
        "etag, last_modified, last_poll, last_success, last_status, errors, url, next_poll, new_items, disabled, unhealthy"
    )

    def feed_state(self, source: str) -> FeedState:
        with self._lock:
            row = self._db.execute(f"SELECT {self._FEED_COLUMNS} FROM feed_state WHERE source = ?", (source,)).fetchone()
        return FeedState(*row) if row else FeedState()

    def recent_arrivals(self, source: str, limit: int) -> list[float]:
        with self._lock:
            rows = self._db.execute(
                "SELECT first_seen FROM reports WHERE source = ? ORDER BY id DESC LIMIT ?", (source, limit)
            ).fetchall()
        return [r[0] for r in rows]

    def feed_states(self) -> dict[str, FeedState]:
        with self._lock:
            rows = self._db.execute(f"SELECT source, {self._FEED_COLUMNS} FROM feed_state").fetchall()
        return {r[0]: FeedState(*r[1:]) for r in rows}

    def save_feed_state(self, source: str, state: FeedState) -> None:
        with self._transaction() as db:
            db.execute(
                f"INSERT OR REPLACE INTO feed_state (source, {self._FEED_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (source, state.etag, state.last_modified, state.last_poll, state.last_success, state.last_status,
                 state.errors, state.url, state.next_poll, state.new_items, state.disabled, state.unhealthy),
            )  # fmt: skip

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
