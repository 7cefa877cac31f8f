"""`SourceHealth`: sources turning unhealthy and recovering, told to every notifier once, and
item failures logged once while they last."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
from collections.abc import Callable
from datetime import datetime, timezone

from rasid.models import ItemFailure
from rasid.sources.health import assess
from rasid.store import FeedState, QueuedAlert, Store

log = logging.getLogger("rasid.daemon")


class SourceHealth:
    """Judges each source after its poll or scan (`rasid.sources.health.assess`) and queues a
    `source.unhealthy` or `source.recovered` event for every notifier (`notifiers()`) when it
    changes; `queued()` is told so that delivery starts."""

    def __init__(
        self, store: Store, clock: Callable[[], float], notifiers: Callable[[], list[str]], queued: Callable[[], None]
    ) -> None:
        self.store = store
        self.clock = clock
        self.notifiers = notifiers
        self.queued = queued
        self._failing: dict[str, set[str]] = {}
        """Each source's items that failed at its last poll or scan."""

    async def check(self, source: str, alert_after: float, state: FeedState, arrivals: list[float]) -> FeedState:
        """`state` with the source's health: announced, once, when it turns unhealthy, and when
        it recovers. It is judged silent from `arrivals` (when its recent reports arrived;
        folders give none: files come when people drop them)."""
        now = self.clock()
        reason = assess(state, alert_after, arrivals, now)
        if reason and not state.unhealthy:
            log.error("source unhealthy source=%s reason=%r", source, reason)
            await self._announce("source.unhealthy", source, reason, now)
            return dataclasses.replace(state, unhealthy=reason)
        if not reason and state.unhealthy:
            log.warning("source recovered source=%s", source)
            await self._announce("source.recovered", source, state.unhealthy, now)
            return dataclasses.replace(state, unhealthy=None)
        return state

    async def _announce(self, kind: str, source: str, reason: str, now: float) -> None:
        event_id = "event_" + hashlib.sha256(f"{kind}\x00{source}\x00{now}".encode()).hexdigest()[:24]
        document = {
            "type": kind,
            "id": event_id,
            "source": source,
            "reason": reason,
            "created_at": datetime.fromtimestamp(now, timezone.utc).isoformat(timespec="seconds"),
        }
        events = [QueuedAlert(event_id, n, document) for n in self.notifiers()]
        await asyncio.to_thread(self.store.enqueue, events, now)
        self.queued()

    def log_failures(self, source: str, failures: list[tuple[str, list[ItemFailure]]]) -> None:
        """Log each item failure (`(event, failures)` pairs) with its source and item: as a warning
        when the item did not fail at the source's last poll, else at debug level, so that an
        entry a feed keeps carrying is not logged at every poll."""
        before = self._failing.get(source, set())
        for event, items in failures:
            for failure in items:
                level = logging.DEBUG if failure.item in before else logging.WARNING
                log.log(level, "%s source=%s item=%r error=%r", event, source, failure.item, failure.error)
        self._failing[source] = {failure.item for _, items in failures for failure in items}
