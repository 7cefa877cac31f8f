"""The state rasid keeps, as an interface a second backend can implement."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from rasid.models import Report


@dataclass(frozen=True)
class QueuedAlert:
    """An alert document bound for one notifier."""

    alert_id: str
    notifier: str
    document: dict[str, Any]


@dataclass(frozen=True)
class OutboxRow:
    """One pending delivery as stored."""

    row_id: int
    alert_id: str
    notifier: str
    document: dict[str, Any]
    attempts: int
    created: float
    next_attempt: float


@dataclass(frozen=True)
class FeedState:
    """What a feed's last polls left behind."""

    etag: str | None = None
    last_modified: str | None = None
    last_poll: float | None = None
    last_success: float | None = None
    last_status: str | None = None
    errors: int = 0


@dataclass(frozen=True)
class FileState:
    size: int
    mtime_ns: int
    status: str


class Store(Protocol):
    """State that must survive restarts: seen reports, the outbox, source bookkeeping."""

    def record_report(self, report: Report, keys: list[str], alerts: list[QueuedAlert], now: float) -> bool:
        """Mark `report` seen under `keys` and queue `alerts`, atomically.
        Returns False, queuing nothing, when any key was seen before."""
        ...

    def pending_notifiers(self) -> list[str]:
        """Notifiers with pending deliveries."""
        ...

    def pending_alerts(self, notifier: str, limit: int) -> list[OutboxRow]:
        """A notifier's pending deliveries, oldest first, due or not."""
        ...

    def mark_delivered(self, row_id: int, now: float) -> None: ...

    def mark_failed(self, row_id: int, error: str, next_attempt: float | None) -> None:
        """Record a failed attempt; `next_attempt=None` moves the alert to the dead letters."""
        ...

    def outbox_counts(self) -> dict[str, int]: ...

    def feed_state(self, source: str) -> FeedState: ...

    def save_feed_state(self, source: str, state: FeedState) -> None: ...

    def file_states(self, source: str) -> dict[str, FileState]: ...

    def save_file_state(self, source: str, path: str, state: FileState) -> None: ...

    def close(self) -> None: ...
