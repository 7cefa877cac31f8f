"""Persistent state behind the `Store` interface: SQLite by default, PostgreSQL for several instances."""

from pathlib import Path

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
    Store,
    StoryEntry,
    StoryInfo,
    StoryRow,
    StorySource,
)
from rasid.store.alert_query import AlertFilter
from rasid.store.database import StateError
from rasid.store.sql import SQLStore
from rasid.store.sqlite import SQLiteStore

DATABASE_NAME = "rasid.sqlite3"


def open_store(
    state_dir: Path,
    url: str | None = None,
    migrate: bool = True,
    *,
    writable: bool = True,
    verify: bool = False,
    new_state: bool = False,
) -> SQLStore:
    """The store at `url` (PostgreSQL) or, without one, the SQLite file in the state directory.
    For SQLite: `writable=False` is for looking only, `verify` checks the file's integrity first
    and `new_state` accepts an empty state where one was kept before (see `SQLiteStore`)."""
    if url:
        from rasid.store.postgres import PostgresDatabase

        return SQLStore(PostgresDatabase(url), migrate=migrate)
    return SQLiteStore(state_dir / DATABASE_NAME, migrate, writable=writable, verify=verify, new_state=new_state)


__all__ = [
    "AlertFilter",
    "ArchivedReport",
    "BriefFigures",
    "Delivery",
    "FeedState",
    "FileState",
    "InstanceRow",
    "KnownReport",
    "OutboxEntry",
    "OutboxRow",
    "PlaceCount",
    "QueuedAlert",
    "SQLStore",
    "SQLiteStore",
    "Silence",
    "StateError",
    "Store",
    "StoryEntry",
    "StoryInfo",
    "StoryRow",
    "StorySource",
    "open_store",
]
