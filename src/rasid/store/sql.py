"""`SQLStore`: the `Store` on a SQL `Database`, one statement set for SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
import time
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

from rasid.models import Report
from rasid.store.base import (
    ArchivedReport,
    BriefFigures,
    Delivery,
    FeedState,
    FileState,
    InstanceRow,
    KnownReport,
    OutboxEntry,
    OutboxRow,
    PlaceCount,
    QueuedAlert,
    Silence,
    StoryEntry,
    StoryInfo,
    StoryRow,
    StorySource,
)
from rasid.store.alert_index import alert_places, alert_terms
from rasid.store.alert_query import AlertFilter, Lead, alert_page, best_lead, lead_sizes, place_counts
from rasid.store.database import Cursor, Database, Session
from rasid.store.schema import SCHEMA_VERSION, TABLES, upgrade_statements

if TYPE_CHECKING:  # numpy's, imported where used: commands that read no index start without numpy
    from rasid.store.bands import BandIndex

_ARCHIVED = "r.id, r.source, r.title, r.url, r.published, a.first_seen, r.story_id, a.text"
_FEED_COLUMNS = (
    "etag", "last_modified", "last_poll", "last_success", "last_status", "errors", "url", "next_poll",
    "new_items", "disabled", "unhealthy", "item_errors", "last_item_error", "items_failing_since",
)  # fmt: skip
_MIGRATE_LOCK = (1 << 62) + 1
"""Above every LSH band key (< 2**37) and outside the range `ingest_lock` hashes exact keys to."""
_OUTBOX_LOCKS = 0x72617364
"""The first key of the per-notifier outbox locks."""
_FORGET_INSTANCES = 86400.0
"""Instances that died without leaving drop out of the table after a day."""


def _archived(row: tuple[Any, ...]) -> ArchivedReport:
    report_id, source, title, url, published, first_seen, story_id, text = row
    return ArchivedReport(
        report_id, source, title, url, published, first_seen, story_id, zlib.decompress(text).decode("utf-8")
    )


def _batches(cursor: Cursor, size: int = 50_000) -> Iterator[list[Any]]:
    """A query's rows, `size` at a time."""
    return iter(lambda: cursor.fetchmany(size), [])


def _marks(values: Any) -> str:
    return ",".join("?" * len(values))


def _all_taken(document: dict[str, Any], taken: set[str]) -> bool:
    """Whether every watch-list an alert document is for was alerted by another copy first."""
    if document.get("type") != "alert":
        return False
    return all(w in taken for w in document.get("watchlists") or [document.get("watchlist")])


def _lead(db: Session, selected: AlertFilter) -> Lead:
    """What a query for `selected` reads first (`alert_query.best_lead`)."""
    sizes = {lead: db.execute(sql, args).fetchone()[0] for lead, sql, args in lead_sizes(selected)}
    return best_lead(selected, sizes)


def _index_documents(db: Session, documents: list[tuple[str, dict[str, Any]]]) -> None:
    """The `alert_terms` and `alert_places` rows of these alerts, at the time stored with each
    (an alert recorded before keeps its rows and its time)."""
    db.executemany(
        "INSERT INTO alert_terms (kind, term, created, alert_id) SELECT ?, ?, created, id FROM alerts WHERE id = ?"
        " ON CONFLICT DO NOTHING",
        [(kind, key, alert) for alert, doc in documents for kind, key in sorted(alert_terms(doc))],
    )
    db.executemany(
        "INSERT INTO alert_places (created, alert_id, place, name, lat, lon) SELECT created, id, ?, ?, ?, ? FROM alerts"
        " WHERE id = ? ON CONFLICT DO NOTHING",
        [(place, name, lat, lon, alert) for alert, doc in documents for place, (name, lat, lon) in alert_places(doc).items()],
    )


def _index_alerts(db: Session) -> None:
    """Fill `alert_terms` and `alert_places` from the documents stored before they existed."""
    rows = db.execute("SELECT id, document FROM alerts WHERE document IS NOT NULL").fetchall()
    for start in range(0, len(rows), 10_000):
        _index_documents(db, [(alert, json.loads(doc)) for alert, doc in rows[start : start + 10_000]])


class SQLStore:
    """The state on one SQL database. With PostgreSQL (`shared`) several instances use it at once:
    sources are leased, outbox rows claimed and ingestion ordered across them, and LSH band keys
    are rows of `lsh`. Unshared (SQLite, one process) they are one blob per report in `bands`,
    loaded into a `BandIndex` in memory at the first near-duplicate query."""

    def __init__(self, database: Database, migrate: bool = True) -> None:
        self.db = database
        self.shared = database.dialect == "postgresql"
        self._bands: BandIndex | None = None
        self._bands_lock = threading.Lock()
        self.instance_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.claim_ttl = 60.0
        """Seconds an outbox claim lasts unless renewed (the daemon sets `storage.lease_ttl`)."""
        if migrate:
            self.migrate()

    @property
    def where(self) -> str:
        return self.db.where

    # schema

    def schema_version(self) -> int:
        if not self.db.table_exists("meta"):
            return 0
        with self.db.read() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def migrate(self) -> tuple[int, int]:
        """Bring the schema to this rasid's version; returns (before, after). Several instances
        starting at once migrate one after the other."""
        with self.db.exclusive([_MIGRATE_LOCK]):
            before = self.schema_version()
            if before > SCHEMA_VERSION:
                raise RuntimeError(f"{self.where}: state schema {before} is newer than this rasid ({SCHEMA_VERSION})")
            if before == SCHEMA_VERSION:
                return before, before  # no DDL: even IF NOT EXISTS would lock tables other instances write
            existing = frozenset(t.name for t in TABLES if self.db.table_exists(t.name))
            with self.db.transaction() as db:
                for statement in upgrade_statements(before, self.db.dialect, existing):
                    db.execute(statement)
                if 10 <= before < 13:
                    _index_alerts(db)
                db.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (str(SCHEMA_VERSION),),
                )
        return before, SCHEMA_VERSION

    # reports and stories

    def ingest_lock(self, keys: list[str], band_keys: tuple[int, ...]) -> Any:
        """Held while a report meets the story index and is recorded. Shared, it locks the
        report's exact keys and LSH band keys: two instances receiving the same story (the
        same keys, or a near copy sharing a band) at once take turns and make one story and
        one alert, and unrelated reports go ahead side by side."""
        if not self.shared:
            return nullcontext()  # spares hashing the keys for a lock that holds nothing
        hashed = [int.from_bytes(hashlib.sha256(k.encode()).digest()[:8], "big") >> 3 for k in keys]
        return self.db.exclusive([*hashed, *band_keys])

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Reports recorded inside share one transaction, each in a savepoint that fails alone;
        an exception, or a commit that fails, takes back every one. Shared, each report keeps a
        transaction of its own: it takes its story locks and gives them back before the next."""
        if self.shared:
            yield
            return
        try:
            with self.db.transaction():
                yield
        except BaseException:
            with self._bands_lock:
                self._bands = None  # it may hold reports taken back: read again when next asked
            raise

    def record_report(
        self,
        report: Report,
        keys: list[str],
        alerts: list[QueuedAlert],
        now: float,
        story: StoryEntry | None = None,
        archive: bool = False,
        raised: list[dict[str, Any]] | None = None,
    ) -> bool:
        with self._bands_lock if not self.shared else nullcontext():  # a report and its bands become visible together
            report_id = self._record(report, keys, alerts, now, story, archive, raised)
            if report_id is not None and self._bands is not None and story is not None and story.band_keys:
                self._bands.add(report_id, story.band_keys)
        return report_id is not None

    def _record(
        self, report: Report, keys: list[str], alerts: list[QueuedAlert], now: float, story: StoryEntry | None, archive: bool,
        raised: list[dict[str, Any]] | None,
    ) -> int | None:  # fmt: skip
        with self.db.transaction() as db:
            guids = [k for k in keys if k.startswith("guid:")]
            if guids:
                if db.execute(f"SELECT 1 FROM seen_keys WHERE key IN ({_marks(guids)}) LIMIT 1", guids).fetchone():
                    return None
            published = report.published.isoformat() if report.published else None
            report_id = db.execute(
                "INSERT INTO reports (source, title, url, guid, published, first_seen, alerts, story_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (report.source, report.title, report.url, report.guid, published, now, len(alerts),
                 story.story_id if story else None),
            ).fetchone()[0]  # fmt: skip
            db.executemany(
                "INSERT INTO seen_keys (key, report_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                [(k, report_id) for k in keys],
            )
            if raised is None:
                raised = [a.document for a in alerts if a.document.get("type") == "alert"]
            if story is not None:
                taken = self._file_under_story(db, report, report_id, story, now)
                alerts = [a for a in alerts if not _all_taken(a.document, taken)]
                raised = [d for d in raised if d["watchlist"] not in taken]
            if archive:
                db.execute(
                    "INSERT INTO archive (report_id, first_seen, text) VALUES (?, ?, ?)",
                    (report_id, now, zlib.compress(report.text.encode("utf-8"), 6)),
                )
            self._queue(db, alerts, now)
            documents = {d["id"]: d for d in raised}
            db.executemany(
                "INSERT INTO alerts (id, report_id, watchlist, created, source, document) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                [
                    (alert, report_id, doc["watchlist"], now, report.source, json.dumps(doc, ensure_ascii=False))
                    for alert, doc in sorted(documents.items())
                ],
            )
            _index_documents(db, sorted(documents.items()))
            return report_id

    def _file_under_story(self, db: Session, report: Report, report_id: int, story: StoryEntry, now: float) -> set[str]:
        """File the report under its story; returns the watch-lists another report of the story
        alerted first (two instances filing copies at the same moment)."""
        if story.new_story:
            db.execute(
                "INSERT INTO stories (id, created, title, url, sources) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET sources = stories.sources + excluded.sources",
                (story.story_id, now, report.title, report.url, int(story.listed)),
            )
        elif story.listed:
            db.execute("UPDATE stories SET sources = sources + 1 WHERE id = ?", (story.story_id,))
        if story.listed:
            db.execute(
                "INSERT INTO story_sources (story_id, report_id, source, title, url, seen, similarity)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (story.story_id, report_id, report.source, report.title, report.url, now, story.similarity),
            )
        taken = [
            w for w in story.alerted
            if not db.execute(
                "INSERT INTO story_alerts (story_id, watchlist) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING watchlist",
                (story.story_id, w),
            ).fetchall()
        ]  # fmt: skip
        if story.shingles is not None and story.band_keys:
            db.execute(
                "INSERT INTO fingerprints (report_id, story_id, created, shingles) VALUES (?, ?, ?, ?)",
                (report_id, story.story_id, now, story.shingles),
            )
            if self.shared:
                db.executemany(
                    "INSERT INTO lsh (key, report_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    [(k, report_id) for k in story.band_keys],
                )
            else:
                from rasid.store.bands import pack_band_keys

                db.execute("INSERT INTO bands (report_id, keys) VALUES (?, ?)", (report_id, pack_band_keys(story.band_keys)))
        return set(taken)

    def archived(self, since: float) -> Iterator[ArchivedReport]:
        with self.db.read() as db:
            rows = db.execute(
                f"SELECT {_ARCHIVED} FROM archive a JOIN reports r ON r.id = a.report_id"
                " WHERE a.first_seen >= ? ORDER BY a.first_seen",
                (since,),
            ).fetchall()
        return (_archived(row) for row in rows)

    def archived_report(self, ref: str) -> ArchivedReport | None:
        if ref.isdigit():
            where, args = "r.id = ?", (int(ref),)
        elif ref.startswith("alert_"):
            where, args = "r.id IN (SELECT report_id FROM alerts WHERE id = ?)", (ref,)
        elif ref.startswith("story_"):  # the report that opened the story
            where, args = "r.id = (SELECT min(id) FROM reports WHERE story_id = ?)", (ref,)
        else:
            where, args = "r.url = ?", (ref,)
        with self.db.read() as db:
            row = db.execute(
                f"SELECT {_ARCHIVED} FROM archive a JOIN reports r ON r.id = a.report_id WHERE {where}"
                " ORDER BY r.id DESC LIMIT 1",
                args,
            ).fetchone()
            queued = None
            if row is None and ref.startswith("alert_"):  # raised before alerts were recorded: its document says
                queued = db.execute("SELECT document FROM outbox WHERE alert_id = ? LIMIT 1", (ref,)).fetchone()
        if queued is not None:
            url = json.loads(queued[0]).get("report", {}).get("url")
            return self.archived_report(url) if url and not url.startswith(("alert_", "story_")) else None
        return _archived(row) if row else None

    def alert_documents(self, limit: int, selected: AlertFilter = AlertFilter()) -> list[tuple[float, str, dict[str, Any]]]:
        with self.db.read() as db:
            sql, args = alert_page(selected, limit, _lead(db, selected))
            rows = db.execute(sql, args).fetchall()
        return [(created, alert_id, json.loads(document)) for created, alert_id, document in rows]

    def alert_document(self, alert_id: str) -> dict[str, Any] | None:
        with self.db.read() as db:
            row = db.execute("SELECT document FROM alerts WHERE id = ? AND document IS NOT NULL", (alert_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def alert_place_counts(self, selected: AlertFilter) -> list[PlaceCount]:
        with self.db.read() as db:
            sql, args = place_counts(selected, _lead(db, selected))
            return [PlaceCount(*row) for row in db.execute(sql, args).fetchall()]

    def set_verdict(self, alert_id: str, verdict: str, note: str, now: float) -> bool:
        with self.db.transaction() as db:
            if not db.execute("SELECT 1 FROM alerts WHERE id = ?", (alert_id,)).fetchone():
                return False
            db.execute(
                "INSERT INTO verdicts (alert_id, verdict, note, at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (alert_id) DO UPDATE SET verdict = excluded.verdict, note = excluded.note, at = excluded.at",
                (alert_id, verdict, note, now),
            )
            return True

    def verdicts(self, alert_ids: list[str] | None = None) -> dict[str, tuple[str, str, float]]:
        where, args = (f"WHERE alert_id IN ({_marks(alert_ids)})", alert_ids) if alert_ids is not None else ("", [])
        if alert_ids == []:
            return {}
        with self.db.read() as db:
            rows = db.execute(f"SELECT alert_id, verdict, note, at FROM verdicts {where} ORDER BY at", args).fetchall()
        return {alert_id: (verdict, note, at) for alert_id, verdict, note, at in rows}

    def archived_file(self, source: str, path: str) -> ArchivedReport | None:
        """The latest archived report read from the file at `path` (relative to its folder) of the
        folder source `source`."""
        prefix = f"file:{path}:"
        with self.db.read() as db:
            row = db.execute(
                f"SELECT {_ARCHIVED} FROM archive a JOIN reports r ON r.id = a.report_id"
                " WHERE r.source = ? AND substr(r.guid, 1, ?) = ? ORDER BY r.id DESC LIMIT 1",
                (source, len(prefix), prefix),
            ).fetchone()
        return _archived(row) if row else None

    def prune_archive(self, before: float) -> int:
        with self.db.transaction() as db:
            return db.execute("DELETE FROM archive WHERE first_seen < ?", (before,)).rowcount

    def find_reports(self, keys: list[str]) -> list[KnownReport]:
        with self.db.read() as db:
            rows = db.execute(
                "SELECT DISTINCT r.id, r.story_id, r.source FROM seen_keys k JOIN reports r ON r.id = k.report_id"
                f" WHERE k.key IN ({_marks(keys)})",
                keys,
            ).fetchall()
        return [KnownReport(*row) for row in rows]

    def seen_keys(self, keys: list[str]) -> set[str]:
        if not keys:
            return set()
        with self.db.read() as db:
            rows = db.execute(f"SELECT key FROM seen_keys WHERE key IN ({_marks(keys)})", keys).fetchall()
        return {key for (key,) in rows}

    def add_keys(self, report_id: int, keys: list[str]) -> None:
        with self.db.transaction() as db:
            db.executemany(
                "INSERT INTO seen_keys (key, report_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                [(k, report_id) for k in keys],
            )

    def similar_reports(self, band_keys: tuple[int, ...], since: float) -> list[tuple[int, str, bytes]]:
        if not band_keys:
            return []
        from rasid.dedup.near import shortlist
        from rasid.store.bands import BUCKET_LIMIT

        reports, counts = ([], []) if self.shared else self._band_index().shared(band_keys)
        with self.db.read() as db:
            if self.shared:
                rows = db.execute(
                    "SELECT report_id, count(*) FROM (SELECT report_id, row_number() OVER"
                    " (PARTITION BY key ORDER BY report_id DESC) AS n FROM lsh WHERE key IN"
                    f" ({_marks(band_keys)})) recent WHERE n <= ? GROUP BY report_id",
                    (*band_keys, BUCKET_LIMIT),
                ).fetchall()
                reports, counts = [r for r, _ in rows], [c for _, c in rows]
            ids = shortlist(reports, counts)
            if not ids:
                return []
            rows = db.execute(
                "SELECT report_id, story_id, shingles FROM fingerprints"
                f" WHERE created >= ? AND report_id IN ({_marks(ids)})",
                (since, *ids),
            ).fetchall()
        return [(r[0], r[1], bytes(r[2])) for r in rows]

    def _band_index(self) -> BandIndex:
        from rasid.store.bands import BandIndex, read_band_keys

        with self._bands_lock:
            if self._bands is None:
                with self.db.read() as db:
                    (blob_keys,) = db.execute("SELECT coalesce(sum(length(keys)), 0) / 8 FROM bands").fetchone()
                    (row_count,) = db.execute("SELECT count(*) FROM lsh").fetchone()  # rows written before schema 7
                    blobs = db.execute("SELECT report_id, keys FROM bands ORDER BY report_id")
                    rows = db.execute("SELECT key, report_id FROM lsh ORDER BY report_id")
                    keys, ids = read_band_keys(_batches(blobs), blob_keys, _batches(rows), row_count)
                self._bands = BandIndex.sorted_from(keys, ids)  # sorted after the database is free again
            return self._bands

    def story_info(self, story_id: str) -> StoryInfo:
        with self.db.read() as db:
            row = db.execute("SELECT sources FROM stories WHERE id = ?", (story_id,)).fetchone()
            alerted = db.execute("SELECT watchlist FROM story_alerts WHERE story_id = ?", (story_id,)).fetchall()
        return StoryInfo(row[0] if row else 0, frozenset(w for (w,) in alerted))

    def story(self, story_id: str) -> StoryRow | None:
        with self.db.read() as db:
            rows = db.execute("SELECT id, created, title FROM stories WHERE id = ?", (story_id,)).fetchall()
            found = self._story_rows(db, rows)
        return found[0] if found else None

    def stories(self, since: float, limit: int, before: tuple[float, str] | None = None) -> list[StoryRow]:
        after, args = ("", []) if before is None else (" AND (created < ? OR (created = ? AND id < ?))", [before[0], *before])
        with self.db.read() as db:
            rows = db.execute(
                f"SELECT id, created, title FROM stories WHERE created >= ?{after} ORDER BY created DESC, id DESC LIMIT ?",
                (since, *args, limit),
            ).fetchall()
            return self._story_rows(db, rows)

    @staticmethod
    def _story_rows(db: Session, rows: list[tuple[str, float, str]]) -> list[StoryRow]:
        """Each story with its sources in the order they carried it, and the lists it alerted."""
        out = []
        for story_id, created, title in rows:
            sources = db.execute(
                "SELECT source, title, url, seen, similarity FROM story_sources WHERE story_id = ? ORDER BY seen",
                (story_id,),
            ).fetchall()
            alerted = db.execute(
                "SELECT watchlist FROM story_alerts WHERE story_id = ? ORDER BY watchlist", (story_id,)
            ).fetchall()
            out.append(StoryRow(story_id, created, title, [StorySource(*s) for s in sources], tuple(w for (w,) in alerted)))
        return out

    def prune_fingerprints(self, before: float) -> int:
        with self._bands_lock if not self.shared else nullcontext():  # no report is recorded in between
            with self.db.transaction() as db:
                for table in ("lsh", "bands"):
                    db.execute(
                        f"DELETE FROM {table} WHERE report_id IN (SELECT report_id FROM fingerprints WHERE created < ?)",
                        (before,),
                    )
                removed = db.execute("DELETE FROM fingerprints WHERE created < ?", (before,)).rowcount
                (oldest,) = db.execute("SELECT min(report_id) FROM fingerprints").fetchone()
            if self._bands is not None and removed:
                # report ids grow with time: what is below the oldest kept fingerprint has expired
                self._bands.forget_before(oldest if oldest is not None else 1 << 62)
        return removed

    # outbox

    @staticmethod
    def _queue(db: Session, items: list[QueuedAlert], now: float) -> None:
        if not items:
            return
        db.executemany(
            "INSERT INTO outbox (alert_id, notifier, document, status, created, next_attempt)"
            " VALUES (?, ?, ?, 'pending', ?, ?) ON CONFLICT DO NOTHING",
            [(a.alert_id, a.notifier, json.dumps(a.document, ensure_ascii=False), now, now) for a in items],
        )

    def pending_notifiers(self) -> list[str]:
        with self.db.read() as db:
            rows = db.execute("SELECT DISTINCT notifier FROM outbox WHERE status = 'pending'").fetchall()
        return [r[0] for r in rows]

    def pending_alerts(self, notifier: str, limit: int, now: float | None = None) -> list[OutboxRow]:
        """The head of a notifier's queue. Shared, the rows are claimed for this instance, and none
        are returned while another live instance holds claims on the notifier: one instance at
        a time delivers to a notifier, which keeps its order."""
        columns = "id, alert_id, notifier, document, attempts, created, next_attempt, last_error"
        if not self.shared:
            with self.db.read() as db:
                rows = db.execute(
                    f"SELECT {columns} FROM outbox WHERE status = 'pending' AND notifier = ? ORDER BY id LIMIT ?",
                    (notifier, limit),
                ).fetchall()
        else:
            now = time.time() if now is None else now
            with self.db.transaction() as db:
                # the two-key form: its keys cannot meet the one-key locks of ingest_lock
                db.execute("SELECT pg_advisory_xact_lock(?, hashtext(?))", (_OUTBOX_LOCKS, notifier))
                busy = db.execute(
                    "SELECT 1 FROM outbox WHERE status = 'pending' AND notifier = ? AND claimed_by <> ?"
                    " AND claimed_until > ? LIMIT 1",
                    (notifier, self.instance_id, now),
                ).fetchone()
                if busy:
                    return []
                rows = db.execute(
                    "UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE id IN (SELECT id FROM outbox"
                    " WHERE status = 'pending' AND notifier = ? ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)"
                    f" RETURNING {columns}",
                    (self.instance_id, now + self.claim_ttl, notifier, limit),
                ).fetchall()
                rows.sort(key=lambda r: r[0])
        return [OutboxRow(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5], r[6], r[7]) for r in rows]

    def holds_claim(self, row_id: int) -> bool:
        """Whether this instance still holds its claim on an outbox row (always, unshared)."""
        if not self.shared:
            return True
        with self.db.read() as db:
            row = db.execute("SELECT claimed_by FROM outbox WHERE id = ? AND status = 'pending'", (row_id,)).fetchone()
        return row is not None and row[0] == self.instance_id

    def release_claims(self, notifier: str) -> None:
        """Give back this instance's claims on a notifier's rows it did not settle."""
        if self.shared:
            with self.db.transaction() as db:
                db.execute(
                    "UPDATE outbox SET claimed_by = NULL, claimed_until = NULL"
                    " WHERE status = 'pending' AND notifier = ? AND claimed_by = ?",
                    (notifier, self.instance_id),
                )

    def mark_delivered(self, row_id: int, now: float) -> None:
        with self.db.transaction() as db:
            db.execute(
                "UPDATE outbox SET status = 'delivered', attempts = attempts + 1, delivered = ?, last_error = NULL,"
                " claimed_by = NULL, claimed_until = NULL WHERE id = ?",
                (now, row_id),
            )

    def mark_failed(self, row_id: int, error: str, next_attempt: float | None) -> None:
        with self.db.transaction() as db:
            if next_attempt is None:
                db.execute(
                    "UPDATE outbox SET status = 'dead', attempts = attempts + 1, last_error = ?,"
                    " claimed_by = NULL, claimed_until = NULL WHERE id = ?",
                    (error, row_id),
                )
            else:
                db.execute(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt = ? WHERE id = ?",
                    (error, next_attempt, row_id),
                )

    def expire(self, row_id: int, error: str) -> None:
        """A pending row becomes a dead letter without another attempt."""
        with self.db.transaction() as db:
            db.execute(
                "UPDATE outbox SET status = 'dead', last_error = ?, claimed_by = NULL, claimed_until = NULL"
                " WHERE id = ? AND status = 'pending'",
                (error, row_id),
            )

    def outbox_counts(self) -> dict[str, int]:
        with self.db.read() as db:
            rows = db.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall()
        counts = {"pending": 0, "delivered": 0, "dead": 0}
        counts.update({status: int(n) for status, n in rows})
        return counts

    def writable(self) -> bool:
        """Whether the state takes a write now: a real one, since a full disk still answers reads."""
        try:
            with self.db.transaction() as db:
                db.execute(
                    "INSERT INTO meta (key, value) VALUES ('checked_writable', ?)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (str(time.time()),),
                )
        except Exception:  # any driver's error means the same here: the state cannot take writes
            return False
        return True

    def oldest_pending(self) -> float | None:
        with self.db.read() as db:
            row = db.execute("SELECT min(created) FROM outbox WHERE status = 'pending'").fetchone()
        return row[0] if row else None

    def outbox_by_notifier(self) -> dict[str, dict[str, int]]:
        with self.db.read() as db:
            rows = db.execute(
                "SELECT notifier, status, count(*), sum(attempts) FROM outbox GROUP BY notifier, status"
            ).fetchall()
        out: dict[str, dict[str, int]] = {}
        for notifier, status, count, attempts in rows:
            entry = out.setdefault(notifier, {"pending": 0, "delivered": 0, "dead": 0, "attempts": 0})
            entry[status] = int(count)
            entry["attempts"] += int(attempts or 0)
        return out

    def enqueue(self, items: list[QueuedAlert], now: float) -> None:
        with self.db.transaction() as db:
            self._queue(db, items, now)

    def outbox_rows(self, statuses: tuple[str, ...], limit: int) -> list[OutboxEntry]:
        with self.db.read() as db:
            rows = db.execute(
                "SELECT alert_id, notifier, status, attempts, created, next_attempt, last_error, document FROM outbox"
                f" WHERE status IN ({_marks(statuses)}) ORDER BY id LIMIT ?",
                (*statuses, limit),
            ).fetchall()
        return [OutboxEntry(*r[:7], json.loads(r[7])) for r in rows]

    def brief_figures(self, since: float, until: float, top: int = 10) -> BriefFigures:
        span = (since, until)
        with self.db.read() as db:
            (alerts,) = db.execute("SELECT count(*) FROM alerts WHERE created >= ? AND created < ?", span).fetchone()
            by_watchlist = db.execute(
                "SELECT watchlist, count(*) FROM alerts WHERE created >= ? AND created < ? GROUP BY watchlist ORDER BY 2 DESC, 1",
                span,
            ).fetchall()
            terms = db.execute(
                "SELECT kind, term, count(*) FROM alert_terms WHERE kind IN ('area', 'keyword') AND created >= ? AND created < ?"
                " GROUP BY kind, term ORDER BY 3 DESC, 2",
                span,
            ).fetchall()
            stories = db.execute(
                "SELECT s.id, s.title, count(DISTINCT ss.source), s.created >= ? FROM story_sources ss"
                " JOIN stories s ON s.id = ss.story_id WHERE ss.seen >= ? AND ss.seen < ?"
                " AND EXISTS (SELECT 1 FROM story_alerts sa WHERE sa.story_id = s.id)"
                " GROUP BY s.id, s.title, s.created ORDER BY 3 DESC, s.created DESC LIMIT ?",
                (since, since, until, top),
            ).fetchall()
        return BriefFigures(
            alerts, [tuple(r) for r in by_watchlist], [(t, n) for k, t, n in terms if k == "area"],  # type: ignore[misc]
            [(t, n) for k, t, n in terms if k == "keyword"], [(i, t, n, bool(new)) for i, t, n, new in stories],
        )  # fmt: skip

    def burst(self, watchlist: str, outlets: int, within: float, now: float) -> list[StoryRow] | None:
        since = now - within
        with self.db.transaction() as db:
            if db.execute("SELECT 1 FROM bursts WHERE watchlist = ? AND at >= ? AND at <= ?", (watchlist, since, now)).fetchone():
                return None
            rows = db.execute(
                "SELECT ss.story_id, ss.source FROM story_sources ss JOIN story_alerts sa ON sa.story_id = ss.story_id"
                " WHERE ss.seen >= ? AND ss.seen <= ? AND sa.watchlist = ?",
                (since, now, watchlist),
            ).fetchall()
            carried = {source for _, source in rows}
            if len(carried) < outlets:
                return None
            db.execute("INSERT INTO bursts (watchlist, at, outlets) VALUES (?, ?, ?)", (watchlist, now, len(carried)))
            ids = list(dict.fromkeys(story_id for story_id, _ in rows))
            stories = db.execute(
                f"SELECT id, created, title FROM stories WHERE id IN ({_marks(ids)}) ORDER BY created", ids
            ).fetchall()
            return self._story_rows(db, stories)

    def bursting(self, now: float, within: dict[str, float]) -> set[str]:
        if not within:
            return set()
        with self.db.read() as db:
            rows = db.execute(
                f"SELECT watchlist, max(at) FROM bursts WHERE watchlist IN ({_marks(within)}) AND at <= ? GROUP BY watchlist",
                [*within, now],
            ).fetchall()
        return {w for w, at in rows if at >= now - within[w]}

    def add_silence(self, silence: Silence) -> None:
        with self.db.transaction() as db:
            db.execute(
                'INSERT INTO silences (id, kind, value, keys, starts, ends, note, "by") VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
                (silence.id, silence.kind, silence.value, json.dumps(silence.keys, ensure_ascii=False), silence.starts,
                 silence.ends, silence.note, silence.by),
            )  # fmt: skip

    def silences(self, since: float) -> list[Silence]:
        with self.db.read() as db:
            rows = db.execute(
                'SELECT id, kind, value, keys, starts, ends, note, "by" FROM silences WHERE ends >= ? ORDER BY starts, id', (since,)
            ).fetchall()
        return [Silence(i, k, v, tuple(tuple(key) for key in json.loads(keys)), st, en, note, by) for i, k, v, keys, st, en, note, by in rows]

    def expire_silence(self, silence_id: str, now: float) -> bool:
        with self.db.transaction() as db:
            return db.execute("UPDATE silences SET ends = ? WHERE id = ? AND ends > ?", (now, silence_id, now)).rowcount > 0

    def open_session(self, digest: str, person: str, expires: float, now: float) -> None:
        with self.db.transaction() as db:
            db.execute("DELETE FROM sessions WHERE expires < ?", (now,))
            db.execute("INSERT INTO sessions (digest, person, expires) VALUES (?, ?, ?)", (digest, person, expires))

    def session_person(self, digest: str, now: float) -> str | None:
        with self.db.read() as db:
            row = db.execute("SELECT person FROM sessions WHERE digest = ? AND expires > ?", (digest, now)).fetchone()
        return row[0] if row else None

    def close_session(self, digest: str) -> None:
        with self.db.transaction() as db:
            db.execute("DELETE FROM sessions WHERE digest = ?", (digest,))

    def story_outlets(self, story_ids: list[str]) -> dict[str, list[str]]:
        if not story_ids:
            return {}
        with self.db.read() as db:
            rows = db.execute(
                f"SELECT story_id, source, min(seen) FROM story_sources WHERE story_id IN ({_marks(story_ids)})"
                " GROUP BY story_id, source ORDER BY 3",
                story_ids,
            ).fetchall()
        out: dict[str, list[str]] = {}
        for story_id, source, _ in rows:
            out.setdefault(story_id, []).append(source)
        return out

    def deliveries(self, alert_ids: list[str]) -> dict[str, list[Delivery]]:
        if not alert_ids:
            return {}
        with self.db.read() as db:
            rows = db.execute(
                "SELECT a.id, o.alert_id, o.notifier, o.status, o.attempts, o.last_error, o.document FROM alerts a"
                " JOIN alerts b ON b.report_id = a.report_id JOIN outbox o ON o.alert_id = b.id"
                f" WHERE a.id IN ({_marks(alert_ids)}) ORDER BY o.notifier",
                alert_ids,
            ).fetchall()
        out: dict[str, list[Delivery]] = {}
        for alert_id, row_alert, notifier, status, attempts, error, document in rows:
            # a report's alerts for several watch-lists go to a notifier as one message, under the first's id
            if row_alert == alert_id or alert_id in (json.loads(document).get("alerts") or ()):
                out.setdefault(alert_id, []).append(Delivery(notifier, status, attempts, error))
        return out

    def requeue(self, alert_ids: list[str] | None, now: float) -> int:
        with self.db.transaction() as db:
            if alert_ids is None:
                cur = db.execute(
                    "UPDATE outbox SET status = 'pending', next_attempt = ?, created = ? WHERE status = 'dead'", (now, now)
                )
            else:
                cur = db.execute(
                    "UPDATE outbox SET status = 'pending', next_attempt = ?, created = ?"
                    f" WHERE status = 'dead' AND alert_id IN ({_marks(alert_ids)})",
                    (now, now, *alert_ids),
                )
            return cur.rowcount

    def hasten(self, now: float, notifier: str | None = None) -> int:
        mine, args = (" AND notifier = ?", (notifier,)) if notifier is not None else ("", ())
        with self.db.transaction() as db:
            return db.execute(
                f"UPDATE outbox SET next_attempt = ? WHERE status = 'pending' AND next_attempt > ?{mine}", (now, now, *args)
            ).rowcount

    def purge(self, before: float) -> int:
        with self.db.transaction() as db:
            return db.execute("DELETE FROM outbox WHERE status IN ('delivered', 'dead') AND created < ?", (before,)).rowcount

    def notifier_failed(self, notifier: str, now: float) -> tuple[float, bool]:
        with self.db.transaction() as db:
            db.execute(
                "INSERT INTO notifier_state (notifier, failing_since, announced) VALUES (?, ?, 0)"
                " ON CONFLICT (notifier) DO UPDATE SET failing_since = coalesce(notifier_state.failing_since,"
                " excluded.failing_since)",
                (notifier, now),
            )
            since, announced = db.execute(
                "SELECT failing_since, announced FROM notifier_state WHERE notifier = ?", (notifier,)
            ).fetchone()
        return since, bool(announced)

    def notifier_failing(self, notifier: str) -> tuple[float, bool] | None:
        with self.db.read() as db:
            row = db.execute(
                "SELECT failing_since, announced FROM notifier_state WHERE notifier = ? AND failing_since IS NOT NULL",
                (notifier,),
            ).fetchone()
        return (row[0], bool(row[1])) if row else None

    def notifier_announced(self, notifier: str) -> None:
        with self.db.transaction() as db:
            db.execute("UPDATE notifier_state SET announced = 1 WHERE notifier = ?", (notifier,))

    def notifier_recovered(self, notifier: str) -> bool:
        with self.db.transaction() as db:
            row = db.execute("SELECT announced FROM notifier_state WHERE notifier = ?", (notifier,)).fetchone()
            db.execute("UPDATE notifier_state SET failing_since = NULL, announced = 0 WHERE notifier = ?", (notifier,))
        return bool(row and row[0])

    # sources

    def feed_state(self, source: str) -> FeedState:
        with self.db.read() as db:
            row = db.execute(f"SELECT {', '.join(_FEED_COLUMNS)} FROM feed_state WHERE source = ?", (source,)).fetchone()
        return FeedState(*row) if row else FeedState()

    def recent_arrivals(self, source: str, limit: int) -> list[float]:
        with self.db.read() as db:
            rows = db.execute(
                "SELECT first_seen FROM reports WHERE source = ? ORDER BY id DESC LIMIT ?", (source, limit)
            ).fetchall()
        return [r[0] for r in rows]

    def arrivals_since(self, since: float) -> dict[str, list[float]]:
        with self.db.read() as db:
            rows = db.execute("SELECT source, first_seen FROM reports WHERE first_seen >= ?", (since,)).fetchall()
        out: dict[str, list[float]] = {}
        for source, seen in rows:
            out.setdefault(source, []).append(seen)
        return out

    def feed_states(self) -> dict[str, FeedState]:
        with self.db.read() as db:
            rows = db.execute(f"SELECT source, {', '.join(_FEED_COLUMNS)} FROM feed_state").fetchall()
        return {r[0]: FeedState(*r[1:]) for r in rows}

    def save_feed_state(self, source: str, state: FeedState) -> None:
        updates = ", ".join(f"{c} = excluded.{c}" for c in _FEED_COLUMNS)
        with self.db.transaction() as db:
            db.execute(
                f"INSERT INTO feed_state (source, {', '.join(_FEED_COLUMNS)}) VALUES (?, {_marks(_FEED_COLUMNS)})"
                f" ON CONFLICT (source) DO UPDATE SET {updates}",
                (source, *(getattr(state, c) for c in _FEED_COLUMNS)),
            )  # fmt: skip

    def file_states(self, source: str) -> dict[str, FileState]:
        with self.db.read() as db:
            rows = db.execute("SELECT path, size, mtime_ns, status FROM file_state WHERE source = ?", (source,)).fetchall()
        return {path: FileState(size, mtime, status) for path, size, mtime, status in rows}

    def save_file_states(self, source: str, states: dict[str, FileState]) -> None:
        if not states:
            return
        with self.db.transaction() as db:
            db.executemany(
                "INSERT INTO file_state (source, path, size, mtime_ns, status) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (source, path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns,"
                " status = excluded.status",
                [(source, path, s.size, s.mtime_ns, s.status) for path, s in states.items()],
            )

    # instances and leases

    def heartbeat(self, now: float) -> None:
        """Record this instance as alive now, and keep its outbox claims."""
        host, pid, _ = self.instance_id.split(":")
        with self.db.transaction() as db:
            db.execute(
                "INSERT INTO instances (id, host, pid, started, seen) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET seen = excluded.seen",
                (self.instance_id, host, int(pid), now, now),
            )
            db.execute(
                "UPDATE outbox SET claimed_until = ? WHERE claimed_by = ? AND status = 'pending'",
                (now + self.claim_ttl, self.instance_id),
            )
            db.execute("DELETE FROM instances WHERE seen < ?", (now - _FORGET_INSTANCES,))

    def claim_leases(self, names: list[str], now: float, ttl: float) -> set[str]:
        """Renew this instance's leases among `names`, give back the rest of its leases and those
        beyond its fair share (the names shared among live instances), and take free or expired
        ones up to that share. Returns the names it holds."""
        with self.db.transaction() as db:
            known = set()
            if names:
                known = {n for (n,) in db.execute(f"SELECT name FROM leases WHERE name IN ({_marks(names)})", names)}
            db.executemany(
                "INSERT INTO leases (name, owner, expires) VALUES (?, NULL, 0) ON CONFLICT DO NOTHING",
                [(n,) for n in names if n not in known],
            )
            live = db.execute("SELECT count(*) FROM instances WHERE seen >= ?", (now - ttl,)).fetchone()[0]
            share = -(-len(names) // max(1, int(live)))
            held = sorted(
                n for (n,) in db.execute("SELECT name FROM leases WHERE owner = ?", (self.instance_id,)).fetchall()
            )
            wanted = set(names)
            give_back = [n for n in held if n not in wanted]
            keep = [n for n in held if n in wanted]
            give_back += keep[share:]
            keep = keep[:share]
            if give_back:
                db.execute(
                    f"UPDATE leases SET owner = NULL, expires = 0 WHERE owner = ? AND name IN ({_marks(give_back)})",
                    (self.instance_id, *give_back),
                )
            if keep:  # a lease that expired and was taken meanwhile is not renewed, nor counted
                keep = [
                    n for (n,) in db.execute(
                        f"UPDATE leases SET expires = ? WHERE owner = ? AND name IN ({_marks(keep)}) RETURNING name",
                        (now + ttl, self.instance_id, *keep),
                    ).fetchall()
                ]  # fmt: skip
            if len(keep) < share and names:
                lock = " FOR UPDATE SKIP LOCKED" if self.shared else ""
                free = [
                    n for (n,) in db.execute(
                        f"SELECT name FROM leases WHERE name IN ({_marks(names)}) AND (owner IS NULL OR expires < ?)"
                        f" ORDER BY name LIMIT ?{lock}",
                        (*names, now, share - len(keep)),
                    ).fetchall()
                ]  # fmt: skip
                if free:
                    keep += [
                        n for (n,) in db.execute(
                            f"UPDATE leases SET owner = ?, expires = ? WHERE name IN ({_marks(free)})"
                            " AND (owner IS NULL OR expires < ?) RETURNING name",
                            (self.instance_id, now + ttl, *free, now),
                        ).fetchall()
                    ]  # fmt: skip
        return set(keep)

    def leave(self) -> None:
        """At a clean stop: give back every lease and claim, and leave the instance list."""
        with self.db.transaction() as db:
            db.execute("UPDATE leases SET owner = NULL, expires = 0 WHERE owner = ?", (self.instance_id,))
            db.execute(
                "UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = ?", (self.instance_id,)
            )
            db.execute("DELETE FROM instances WHERE id = ?", (self.instance_id,))

    def instances(self, now: float, ttl: float) -> list[InstanceRow]:
        """Instances seen within `ttl`, with the leases they hold."""
        with self.db.read() as db:
            rows = db.execute(
                "SELECT id, host, pid, started, seen FROM instances WHERE seen >= ? ORDER BY started", (now - ttl,)
            ).fetchall()
            leases = db.execute("SELECT owner, name FROM leases WHERE owner IS NOT NULL AND expires >= ?", (now,)).fetchall()
        held: dict[str, list[str]] = {}
        for owner, name in leases:
            held.setdefault(owner, []).append(name)
        return [InstanceRow(i, h, int(p), s, seen, sorted(held.get(i, []))) for i, h, p, s, seen in rows]

    def close(self) -> None:
        self.db.close()
