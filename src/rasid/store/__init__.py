"""Persistent state behind the `Store` interface: SQLite by default, PostgreSQL for several instances."""

from pathlib import Path

from rasid.store.base import (
    ArchivedReport,
    FeedState,
    FileState,
    InstanceRow,
    KnownReport,
    OutboxEntry,
    OutboxRow,
    QueuedAlert,
    Store,
    StoryEntry,
    StoryInfo,
    StoryRow,
    StorySource,
)
from rasid.store.sql import SQLStore
from rasid.store.sqlite import SQLiteStore

DATABASE_NAME = "rasid.sqlite3"


def open_store(state_dir: Path, url: str | None = None, migrate: bool = True) -> SQLStore:
    """The store at `url` (PostgreSQL) or, without one, the SQLite file in the state directory."""
    if url:
        from rasid.store.postgres import PostgresDatabase

        return SQLStore(PostgresDatabase(url), migrate=migrate)
    return SQLiteStore(state_dir / DATABASE_NAME)


__all__ = [
    "ArchivedReport",
    "FeedState",
    "FileState",
    "InstanceRow",
    "KnownReport",
    "OutboxEntry",
    "OutboxRow",
    "QueuedAlert",
    "SQLStore",
    "SQLiteStore",
    "Store",
    "StoryEntry",
    "StoryInfo",
    "StoryRow",
    "StorySource",
    "open_store",
]
