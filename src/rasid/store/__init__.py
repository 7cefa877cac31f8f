"""Persistent state behind the `Store` interface."""

from pathlib import Path

from rasid.store.base import (
    ArchivedReport,
    FeedState,
    FileState,
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
from rasid.store.sqlite import SQLiteStore

DATABASE_NAME = "rasid.sqlite3"


def open_store(state_dir: Path) -> Store:
    """The store for a state directory."""
    return SQLiteStore(state_dir / DATABASE_NAME)


__all__ = [
    "ArchivedReport",
    "FeedState",
    "FileState",
    "KnownReport",
    "OutboxEntry",
    "OutboxRow",
    "QueuedAlert",
    "SQLiteStore",
    "Store",
    "StoryEntry",
    "StoryInfo",
    "StoryRow",
    "StorySource",
    "open_store",
]
