"""`OutboxWorker`: send due alerts, in order per notifier, retrying with backoff."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable

from rasid.delivery.senders import Sender
from rasid.store.base import Store

log = logging.getLogger("rasid.delivery")

RETRY_SCHEDULE = (5.0, 30.0, 120.0, 600.0, 1800.0, 3600.0)
"""Delay after the 1st, 2nd, ... failed attempt; hourly after the last."""
JITTER = 0.1
BATCH = 200


def retry_delay(failures: int, retry_after: float | None = None, rand: Callable[[], float] = random.random) -> float:
    """Seconds before the next attempt after `failures` failed ones; `Retry-After` wins when longer."""
    base = RETRY_SCHEDULE[min(failures, len(RETRY_SCHEDULE)) - 1]
    delay = base * (1 + JITTER * (2 * rand() - 1))
    return max(delay, retry_after or 0.0)


class OutboxWorker:
    """Delivers what the outbox holds; one slow notifier never holds up another."""

    def __init__(
        self,
        store: Store,
        senders: dict[str, Sender],
        max_age: float,
        clock: Callable[[], float] = time.time,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.store = store
        self.senders = senders
        self.max_age = max_age
        self.clock = clock
        self.rand = rand

    async def deliver_due(self) -> int:
        """One pass over the outbox; returns how many alerts were delivered."""
        notifiers = await asyncio.to_thread(self.store.pending_notifiers)
        results = await asyncio.gather(*(self._drain(name) for name in notifiers))
        return sum(results)

    async def _drain(self, notifier: str) -> int:
        """Send in order; stop at the first alert not yet due or failing, to keep the order."""
        queue = await asyncio.to_thread(self.store.pending_alerts, notifier, BATCH)
        sender = self.senders.get(notifier)
        delivered = 0
        for row in queue:
            now = self.clock()
            if sender is None:
                if now - row.created > self.max_age:
                    await asyncio.to_thread(self.store.mark_failed, row.row_id, "notifier not configured", None)
                continue
            if row.next_attempt > now:
                break
            started = time.monotonic()
            result = await sender.send(row.document)
            latency = time.monotonic() - started
            if result.ok:
                await asyncio.to_thread(self.store.mark_delivered, row.row_id, self.clock())
                log.info(
                    "alert delivered notifier=%s alert=%s status=%s latency=%.3fs attempts=%d",
                    notifier, row.alert_id, result.status or "ok", latency, row.attempts + 1,
                )  # fmt: skip
                delivered += 1
                continue
            if result.permanent or now - row.created > self.max_age:
                await asyncio.to_thread(self.store.mark_failed, row.row_id, result.error, None)
                log.error(
                    "alert dead notifier=%s alert=%s error=%r attempts=%d",
                    notifier, row.alert_id, result.error, row.attempts + 1,
                )  # fmt: skip
                continue
            delay = retry_delay(row.attempts + 1, result.retry_after, self.rand)
            await asyncio.to_thread(self.store.mark_failed, row.row_id, result.error, now + delay)
            log.warning(
                "alert delivery failed notifier=%s alert=%s error=%r latency=%.3fs attempts=%d retry_in=%.0fs",
                notifier, row.alert_id, result.error, latency, row.attempts + 1, delay,
            )  # fmt: skip
            break
        return delivered
