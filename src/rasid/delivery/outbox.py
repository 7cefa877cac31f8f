"""`OutboxWorker`: send due alerts, in order per notifier, retrying with backoff."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timezone

from rasid.delivery.senders import Sender
from rasid.metrics import Metrics
from rasid.store.base import OutboxRow, QueuedAlert, Store

log = logging.getLogger("rasid.delivery")

RETRY_SCHEDULE = (5.0, 30.0, 120.0, 600.0, 1800.0, 3600.0)
"""Delay after the 1st, 2nd, ... failed attempt; the last one repeats."""
JITTER = 0.1
BATCH = 200


def retry_delay(
    failures: int,
    retry_after: float | None = None,
    rand: Callable[[], float] = random.random,
    schedule: Sequence[float] = RETRY_SCHEDULE,
) -> float:
    """Seconds before the next attempt after `failures` failed ones; `Retry-After` wins when longer."""
    base = schedule[min(failures, len(schedule)) - 1]
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
        schedule: Sequence[float] = RETRY_SCHEDULE,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        metrics: Metrics | None = None,
    ) -> None:
        self.store = store
        self.senders = senders
        self.max_age = max_age
        self.clock = clock
        self.rand = rand
        self.schedule = tuple(schedule)
        self.sleep = sleep
        self.metrics = metrics
        self._last_sent: dict[str, float] = {}

    async def deliver_due(self) -> int:
        """One pass over the outbox; returns how many alerts were delivered."""
        notifiers = await asyncio.to_thread(self.store.pending_notifiers)
        results = await asyncio.gather(*(self._drain(name) for name in notifiers))
        return sum(results)

    async def _drain(self, notifier: str) -> int:
        """Send in order; stop at the first alert not yet due or failing, to keep the order.
        On a shared store the rows come claimed for this instance, which keeps them (renewed by its
        heartbeat) until they are settled: the notifier stays with one instance while it lives."""
        if self.store.shared and notifier not in self.senders:
            # not ours to send (a config without it): leave its rows to an instance that has it
            await asyncio.to_thread(self.store.release_claims, notifier)
            return 0
        queue = await asyncio.to_thread(self.store.pending_alerts, notifier, BATCH, self.clock())
        sender = self.senders.get(notifier)
        if sender is not None and sender.digest:
            return await self._send_digest(notifier, sender, queue)
        delivered = 0
        for row in queue:
            now = self.clock()
            if sender is None:
                if now - row.created > self.max_age:
                    await asyncio.to_thread(self.store.mark_failed, row.row_id, "notifier not configured", None)
                continue
            if row.next_attempt > now:
                break
            await self._pace(sender)
            if self.store.shared and not await asyncio.to_thread(self.store.holds_claim, row.row_id):
                break  # stalled past the claim: another instance has the notifier now
            started = time.monotonic()
            result = await sender.send(row.document)
            latency = time.monotonic() - started
            if self.metrics:
                self.metrics.delivery_seconds.labels(notifier).observe(latency)
            now = self.clock()
            if result.ok:
                await asyncio.to_thread(self.store.mark_delivered, row.row_id, now)
                self._count(notifier, "delivered")
                log.info(
                    "alert delivered notifier=%s alert=%s status=%s latency=%.3fs attempts=%d",
                    notifier, row.alert_id, result.status or "ok", latency, row.attempts + 1,
                )  # fmt: skip
                delivered += 1
                if await asyncio.to_thread(self.store.notifier_recovered, notifier):
                    log.warning("notifier recovered notifier=%s", notifier)
                    await self._announce("notifier.recovered", notifier, "", now)
                continue
            await self._note_failure(notifier, result.error, now)
            if result.permanent or now - row.created > self.max_age:
                await asyncio.to_thread(self.store.mark_failed, row.row_id, result.error, None)
                self._count(notifier, "dead")
                log.error(
                    "alert dead notifier=%s alert=%s status=%s error=%r latency=%.3fs attempts=%d",
                    notifier, row.alert_id, result.status or "-", result.error, latency, row.attempts + 1,
                )  # fmt: skip
                continue
            delay = retry_delay(row.attempts + 1, result.retry_after, self.rand, self.schedule)
            await asyncio.to_thread(self.store.mark_failed, row.row_id, result.error, now + delay)
            self._count(notifier, "retry")
            log.warning(
                "alert delivery failed notifier=%s alert=%s status=%s error=%r latency=%.3fs attempts=%d retry_in=%.1fs",
                notifier, row.alert_id, result.status or "-", result.error, latency, row.attempts + 1, delay,
            )  # fmt: skip
            break
        return delivered

    async def _send_digest(self, notifier: str, sender: Sender, queue: list[OutboxRow]) -> int:
        """Everything pending in one message, once the oldest has waited a whole period."""
        now = self.clock()
        due = [r for r in queue if r.next_attempt <= now]
        period = sender.digest or 0.0
        if not due or (now - min(r.created for r in due) < period and all(r.attempts == 0 for r in due)):
            return 0
        items = [r.document for r in due]
        digest_id = "digest_" + hashlib.sha256("\x00".join(r.alert_id for r in due).encode()).hexdigest()[:24]
        document = {"type": "digest", "id": digest_id, "created_at": _iso(now), "period": period, "items": items}
        await self._pace(sender)
        result = await sender.send(document)
        now = self.clock()
        if result.ok:
            for r in due:
                await asyncio.to_thread(self.store.mark_delivered, r.row_id, now)
            self._count(notifier, "delivered")
            log.info("digest delivered notifier=%s digest=%s alerts=%d", notifier, digest_id, len(due))
            return len(due)
        await self._note_failure(notifier, result.error, now)
        dead = result.permanent or now - min(r.created for r in due) > self.max_age
        delay = None if dead else now + retry_delay(max(r.attempts for r in due) + 1, result.retry_after, self.rand, self.schedule)
        for r in due:
            await asyncio.to_thread(self.store.mark_failed, r.row_id, result.error, delay)
        self._count(notifier, "dead" if dead else "retry")
        log.warning("digest delivery failed notifier=%s digest=%s alerts=%d error=%r", notifier, digest_id, len(due), result.error)
        return 0

    async def _pace(self, sender: Sender) -> None:
        """Keep to the notifier's rate."""
        rate = sender.rate
        if not rate:
            return
        wait = self._last_sent.get(sender.name, 0.0) + 1 / rate - time.monotonic()
        if wait > 0:
            await self.sleep(wait)
        self._last_sent[sender.name] = time.monotonic()

    async def _note_failure(self, notifier: str, error: str, now: float) -> None:
        since, announced = await asyncio.to_thread(self.store.notifier_failed, notifier, now)
        sender = self.senders.get(notifier)
        limit = sender.alert_after if sender is not None else None
        if announced or limit is None or now - since < limit:
            return
        log.error("notifier failing notifier=%s since=%s error=%r", notifier, _iso(since), error)
        await asyncio.to_thread(self.store.notifier_announced, notifier)
        await self._announce("notifier.failing", notifier, error, now, since)

    async def _announce(self, kind: str, notifier: str, error: str, now: float, since: float | None = None) -> None:
        """Queue an event about `notifier` for every other notifier."""
        event_id = "event_" + hashlib.sha256(f"{kind}\x00{notifier}\x00{since or now}".encode()).hexdigest()[:24]
        document = {
            "type": kind,
            "id": event_id,
            "notifier": notifier,
            "created_at": _iso(now),
            "failing_since": _iso(since) if since else None,
            "error": error or None,
        }
        others = [QueuedAlert(event_id, name, document) for name in self.senders if name != notifier]
        await asyncio.to_thread(self.store.enqueue, others, now)

    def _count(self, notifier: str, outcome: str) -> None:
        if self.metrics:
            self.metrics.deliveries.labels(notifier, outcome).inc()


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="seconds")
