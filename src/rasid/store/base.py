"""The state rasid keeps, as an interface a second backend can implement."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal, Protocol

from rasid.models import Report
from rasid.store.alert_query import AlertFilter


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
    last_error: str | None = None


@dataclass(frozen=True)
class OutboxEntry:
    """An outbox row for operators: what, where to, how it went."""

    alert_id: str
    notifier: str
    status: str
    attempts: int
    created: float
    next_attempt: float
    last_error: str | None
    document: dict[str, Any]


@dataclass(frozen=True)
class Delivery:
    """How one alert fared with one notifier."""

    notifier: str
    status: str
    attempts: int
    last_error: str | None


@dataclass(frozen=True)
class FeedState:
    """What a feed's last polls left behind."""

    etag: str | None = None
    last_modified: str | None = None
    last_poll: float | None = None
    last_success: float | None = None
    last_status: str | None = None
    errors: int = 0
    url: str | None = None
    """Where a permanent redirect moved the source, or the URL it was disabled at."""
    next_poll: float | None = None
    new_items: int = 0
    disabled: str | None = None
    """Why the source is no longer polled (a 410, say), or None."""
    unhealthy: str | None = None
    """Why the source was announced unhealthy, until it recovers."""
    item_errors: int = 0
    """Entries, files or reports that failed since the source last read its items cleanly."""
    last_item_error: str | None = None
    """The latest of those failures: the item and why (kept after the source recovers)."""
    items_failing_since: float | None = None
    """When its items began failing; None once a poll or scan reads items without a failure."""


@dataclass(frozen=True)
class StoryEntry:
    """How a new report joins the story table: a new story, or one more source of a known one."""

    story_id: str
    new_story: bool
    listed: bool = True
    similarity: float | None = None
    shingles: bytes | None = None
    band_keys: tuple[int, ...] = ()
    alerted: tuple[str, ...] = ()
    """Watch-lists whose alerts for this story are queued with this report."""


@dataclass(frozen=True)
class ArchivedReport:
    """A report as the archive keeps it, its original text included."""

    id: int
    source: str
    title: str
    url: str | None
    published: str | None
    first_seen: float
    story_id: str | None
    text: str


@dataclass(frozen=True)
class KnownReport:
    """A stored report that shares a dedup key with a new one."""

    report_id: int
    story_id: str | None
    source: str


@dataclass(frozen=True)
class StoryInfo:
    sources: int
    alerted: frozenset[str]


@dataclass(frozen=True)
class StorySource:
    source: str
    title: str
    url: str | None
    seen: float
    similarity: float | None


@dataclass(frozen=True)
class StoryRow:
    id: str
    created: float
    title: str
    sources: list[StorySource]
    alerted: tuple[str, ...] = ()
    """The watch-lists the story alerted for."""

    def to_json(self) -> dict[str, Any]:
        sources = [
            {"source": s.source, "title": s.title, "url": s.url, "seen": _iso(s.seen), "similarity": s.similarity}
            for s in self.sources
        ]
        return {"id": self.id, "created": _iso(self.created), "title": self.title, "alerted": list(self.alerted), "sources": sources}


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class FileState:
    size: int
    mtime_ns: int
    status: str


@dataclass(frozen=True)
class InstanceRow:
    """A live instance on a shared store, with the leases it holds."""

    id: str
    host: str
    pid: int
    started: float
    seen: float
    leases: list[str]


SilenceKind = Literal["story", "watchlist", "place", "match"]


@dataclass(frozen=True)
class Silence:
    """For a while, the alerts of one story, watch-list or place, or whose report says some
    words, are recorded but not sent (`rasid.silences`)."""

    id: str
    kind: SilenceKind
    value: str
    """The story id, watch-list name, place name or text, as given."""
    keys: tuple[tuple[str, str], ...]
    """For a place: the `alert_terms` keys it stands for (its name, and its governorate's or country's code)."""
    starts: float
    ends: float
    note: str = ""
    by: str = ""

    def active(self, now: float) -> bool:
        return self.starts <= now < self.ends

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "value": self.value, "starts": self.starts, "ends": self.ends,
                "note": self.note, "by": self.by}  # fmt: skip


@dataclass(frozen=True)
class BriefFigures:
    """What a period's brief counts, as the store has it."""

    alerts: int
    by_watchlist: list[tuple[str, int]]
    by_area: list[tuple[str, int]]
    """Division codes (`YE-TA`) with the alerts naming a place in them."""
    by_keyword: list[tuple[str, int]]
    stories: list[tuple[str, str, int, bool]]
    """`(id, title, outlets in the period, new in the period)`, the most outlets first."""


@dataclass(frozen=True)
class PlaceCount:
    """A place on the map: how many of the alerts shown name it, and when the newest came."""

    place: str
    """A gazetteer id, or `alert_index.NAMED` and the name."""
    name: str
    lat: float | None
    lon: float | None
    alerts: int
    newest: float


class Store(Protocol):
    """State that must survive restarts: seen reports, the outbox, source bookkeeping."""

    shared: bool
    """Whether several instances may use this state at once (leases and claims then apply)."""
    instance_id: str
    claim_ttl: float

    def migrate(self) -> tuple[int, int]:
        """Bring the schema up to date; returns the versions before and after."""
        ...

    def ingest_lock(self, keys: list[str], band_keys: tuple[int, ...]) -> Any:
        """A context manager held while a report with these dedup keys and LSH band keys meets
        the story index and is recorded."""
        ...

    def batch(self) -> Any:
        """A context manager inside which recorded reports are committed together (where the
        store gains by it); a report that fails is still taken back alone."""
        ...

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
        """Record `report` under `keys` (those not taken yet), file it under its story, keep its text
        in the archive if asked, and queue `alerts`, atomically. Returns False, changing nothing, if
        one of its `guid:` keys is taken. `raised`: the alerts' own documents for the alerts list
        (default: the alert documents queued)."""
        ...

    def archived(self, since: float) -> Iterator[ArchivedReport]:
        """Archived reports first seen since `since`, oldest first."""
        ...

    def archived_report(self, ref: str) -> ArchivedReport | None:
        """An archived report by id, URL, the id of an alert it raised (`alert_…`) or of the story
        it opened (`story_…`)."""
        ...

    def alert_documents(self, limit: int, selected: AlertFilter = AlertFilter()) -> list[tuple[float, str, dict[str, Any]]]:
        """The latest alerts' documents as `(created, id, document)`, newest first, of those `selected`."""
        ...

    def alert_document(self, alert_id: str) -> dict[str, Any] | None:
        """One alert's document."""
        ...

    def alert_place_counts(self, selected: AlertFilter) -> list[PlaceCount]:
        """Each place of the alerts `selected`, with how many name it."""
        ...

    def set_verdict(self, alert_id: str, verdict: str, note: str, now: float) -> bool:
        """Record a person's verdict on an alert (replacing an earlier one); False for an unknown alert."""
        ...

    def verdicts(self, alert_ids: list[str] | None = None) -> dict[str, tuple[str, str, float]]:
        """`(verdict, note, when)` by alert id, of these alerts or of every one judged."""
        ...

    def archived_file(self, source: str, path: str) -> ArchivedReport | None:
        """The latest archived report read from a folder source's file (`path` relative to the folder)."""
        ...

    def prune_archive(self, before: float) -> int: ...

    def find_reports(self, keys: list[str]) -> list[KnownReport]:
        """Stored reports holding any of `keys`."""
        ...

    def seen_keys(self, keys: list[str]) -> set[str]:
        """Which of `keys` some stored report holds."""
        ...

    def add_keys(self, report_id: int, keys: list[str]) -> None:
        """Let `report_id` be found under `keys` too."""
        ...

    def similar_reports(self, band_keys: tuple[int, ...], since: float) -> list[tuple[int, str, bytes]]:
        """`(report id, story id, packed shingles)` of reports since `since` sharing a band key."""
        ...

    def story_info(self, story_id: str) -> StoryInfo: ...

    def story(self, story_id: str) -> StoryRow | None:
        """One story with every source that carried it, or None."""
        ...

    def stories(self, since: float, limit: int, before: tuple[float, str] | None = None) -> list[StoryRow]:
        """Stories first seen since `since`, newest first (older than the `(created, id)` cursor
        `before` if given), with their sources."""
        ...

    def prune_fingerprints(self, before: float) -> int:
        """Forget near-duplicate fingerprints older than `before`; returns how many."""
        ...

    def pending_notifiers(self) -> list[str]:
        """Notifiers with pending deliveries."""
        ...

    def pending_alerts(self, notifier: str, limit: int, now: float | None = None) -> list[OutboxRow]:
        """A notifier's pending deliveries, oldest first, due or not; claimed for this instance when shared."""
        ...

    def mark_delivered(self, row_id: int, now: float) -> None: ...

    def mark_failed(self, row_id: int, error: str, next_attempt: float | None) -> None:
        """Record a failed attempt; `next_attempt=None` moves the alert to the dead letters."""
        ...

    def expire(self, row_id: int, error: str) -> None:
        """Move a pending alert to the dead letters without another attempt."""
        ...

    def outbox_counts(self) -> dict[str, int]: ...

    def writable(self) -> bool:
        """Whether a write transaction can be opened now."""
        ...

    def oldest_pending(self) -> float | None:
        """When the oldest pending delivery was queued."""
        ...

    def outbox_by_notifier(self) -> dict[str, dict[str, int]]:
        """Per notifier: pending, delivered and dead rows, and attempts made."""
        ...

    def enqueue(self, items: list[QueuedAlert], now: float) -> None:
        """Queue documents that belong to no report (events about rasid itself)."""
        ...

    def outbox_rows(self, statuses: tuple[str, ...], limit: int) -> list[OutboxEntry]:
        """Outbox rows in these states, oldest first."""
        ...

    def burst(self, watchlist: str, outlets: int, within: float, now: float) -> list[StoryRow] | None:
        """If `outlets` distinct sources carried stories that alerted `watchlist` within the last
        `within` seconds and it has not burst in that time: record a burst now and return those
        stories; else None."""
        ...

    def bursting(self, now: float, within: dict[str, float]) -> set[str]:
        """The watch-lists (of those with a burst window in `within`) that burst within their window."""
        ...

    def brief_figures(self, since: float, until: float, top: int = 10) -> BriefFigures:
        """The counts of alerts made in `[since, until)` and the `top` stories carried in it."""
        ...

    def add_silence(self, silence: Silence) -> None: ...

    def silences(self, since: float) -> list[Silence]:
        """Silences that end at `since` or later (every one in force then, and those to come)."""
        ...

    def expire_silence(self, silence_id: str, now: float) -> bool:
        """End a silence now; False if there is none by that id still in force."""
        ...

    def open_session(self, digest: str, person: str, expires: float, now: float) -> None:
        """Record a sign-in by its token's digest until `expires`, forgetting those expired."""
        ...

    def session_person(self, digest: str, now: float) -> str | None:
        """Who signed in with this token's digest, while the sign-in lasts."""
        ...

    def close_session(self, digest: str) -> None: ...

    def story_outlets(self, story_ids: list[str]) -> dict[str, list[str]]:
        """The sources that carried each story, in the order they did."""
        ...

    def deliveries(self, alert_ids: list[str]) -> dict[str, list[Delivery]]:
        """How each alert fared with each notifier: its own outbox rows, or the message of its
        report that named it with the report's other watch-lists."""
        ...

    def requeue(self, alert_ids: list[str] | None, now: float) -> int:
        """Dead deliveries (these, or all) back to pending, due now; returns how many."""
        ...

    def hasten(self, now: float, notifier: str | None = None) -> int:
        """Pending deliveries (of every notifier, or this one) waiting out a backoff made due now;
        returns how many."""
        ...

    def purge(self, before: float) -> int:
        """Delete delivered and dead rows created before `before`; returns how many."""
        ...

    def notifier_failed(self, notifier: str, now: float) -> tuple[float, bool]:
        """Record a failure; returns (failing since, whether the failure was already announced)."""
        ...

    def notifier_failing(self, notifier: str) -> tuple[float, bool] | None:
        """Since when a notifier has been failing and whether that was announced; None if it is not."""
        ...

    def notifier_announced(self, notifier: str) -> None: ...

    def notifier_recovered(self, notifier: str) -> bool:
        """Clear a failure streak; returns whether it had been announced."""
        ...

    def feed_state(self, source: str) -> FeedState: ...

    def arrivals_since(self, since: float) -> dict[str, list[float]]:
        """When each source's reports since `since` were first seen, by source."""
        ...

    def feed_states(self) -> dict[str, FeedState]:
        """Every source's poll state, by name."""
        ...

    def recent_arrivals(self, source: str, limit: int) -> list[float]:
        """When the source's latest new reports were first seen."""
        ...

    def save_feed_state(self, source: str, state: FeedState) -> None: ...

    def file_states(self, source: str) -> dict[str, FileState]: ...

    def save_file_states(self, source: str, states: dict[str, FileState]) -> None:
        """Save the state of a folder's files, by path, in one transaction."""
        ...

    def holds_claim(self, row_id: int) -> bool:
        """Whether this instance may still send an outbox row it was given."""
        ...

    def release_claims(self, notifier: str) -> None:
        """Give back this instance's claims on a notifier's rows it did not settle."""
        ...

    def heartbeat(self, now: float) -> None:
        """Mark this instance alive and keep its outbox claims."""
        ...

    def claim_leases(self, names: list[str], now: float, ttl: float) -> set[str]:
        """Renew, give back and take source leases; returns the names this instance holds."""
        ...

    def leave(self) -> None:
        """Give back every lease and claim of this instance."""
        ...

    def instances(self, now: float, ttl: float) -> list[InstanceRow]:
        """Live instances with their leases."""
        ...

    def close(self) -> None: ...
