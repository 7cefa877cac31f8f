"""`OutboxWorker`: send due alerts, in order per notifier, retrying with backoff."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timezone
from functools import partial
from typing import Any

from rasid.delivery.senders import Sender, SendResult
from rasid.metrics import Metrics
from rasid.store.base import OutboxRow, QueuedAlert, Store

log = logging.getLogger("rasid.delivery")

RETRY_SCHEDULE = (5.0, 30.0, 120.0, 600.0, 1800.0, 3600.0)
"""Delay after the 1st, 2nd, ... failed attempt; the last one repeats."""
JITTER = 0.1
BATCH = 200
PROBE_EVERY = 30.0
"""Seconds between checks that an unreachable receiver answers again, while its alerts wait."""
RETRY_AFTER_CAP = 3600.0
"""The longest wait a receiver's `Retry-After` can impose, unless the retry schedule's longest step
is longer: a receiver may slow its notifier down, never freeze it."""


def retry_delay(
    failures: int,
    retry_after: float | None = None,
    rand: Callable[[], float] = random.random,
    schedule: Sequence[float] = RETRY_SCHEDULE,
) -> float:
    """Seconds before the next attempt after `failures` failed ones; `Retry-After` wins when longer,
    up to `RETRY_AFTER_CAP` or the schedule's longest step."""
    base = schedule[min(failures, len(schedule)) - 1]
    delay = base * (1 + JITTER * (2 * rand() - 1))
    return max(delay, min(retry_after or 0.0, max(RETRY_AFTER_CAP, *schedule)))


HELD_TYPES = frozenset({"alert", "story.updated", "digest"})
"""What quiet hours hold; events about notifiers and sources go out at any hour."""


def held_in_quiet_hours(document: dict[str, Any]) -> bool:
    """Whether quiet hours hold this document: news that is not urgent."""
    return document.get("type", "alert") in HELD_TYPES and not document.get("urgent")


Write = Callable[[], object]
"""A blocking store write that records part of an attempt's outcome."""


class OutboxWorker:
    """Delivers what the outbox holds: each notifier drains its own queue, so one slow notifier never
    holds up another; sending pauses while outcomes cannot be recorded."""

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
        self.clock = clock
        self.rand = rand
        self.sleep = sleep
        self.metrics = metrics
        self.configure(senders, max_age, schedule)
        self.paused: str | None = None
        """Why nothing is sent (the state cannot be written), or None."""
        self._last_sent: dict[str, float] = {}
        self._drains: dict[str, asyncio.Task[int]] = {}
        self._again: set[str] = set()
        self._unrecorded: list[Write] = []
        self._probed: dict[str, float] = {}
        self._resuming = asyncio.Lock()

    def configure(self, senders: dict[str, Sender], max_age: float, schedule: Sequence[float]) -> None:
        """Take a (reloaded) config's notifiers and delivery settings; drains under way go on with them."""
        self.senders = senders
        self.max_age = max_age
        self.schedule = tuple(schedule)

    async def deliver_due(self) -> int:
        """Start every notifier with pending alerts on its queue (one already at it goes over it
        again) and wait for them: when this returns every alert due at the call has had its attempt,
        unless the state cannot be written. Returns how many alerts were delivered."""
        if self.paused is not None and not await self._resume():
            return 0
        notifiers = await asyncio.to_thread(self.store.pending_notifiers)
        drains = [self._kick(name) for name in notifiers]
        if not drains:
            return 0
        try:
            await asyncio.wait(drains)
        except asyncio.CancelledError:  # shutting down: the drains go with their caller
            for drain in drains:
                drain.cancel()
            raise
        errors = [e for e in (d.exception() for d in drains) if e is not None]
        if errors:
            raise errors[0]
        return sum(d.result() for d in drains)

    def _kick(self, notifier: str) -> asyncio.Task[int]:
        """The notifier's drain: started, or told to go over the queue again when it is done."""
        drain = self._drains.get(notifier)
        if drain is None or drain.done():
            drain = asyncio.get_running_loop().create_task(self._drain_while_kicked(notifier))
            self._drains[notifier] = drain
        else:
            self._again.add(notifier)
        return drain

    async def _drain_while_kicked(self, notifier: str) -> int:
        delivered = 0
        while True:
            self._again.discard(notifier)
            sent, more = await self._drain(notifier)
            delivered += sent
            if self.paused is not None or not (more or notifier in self._again):
                return delivered

    async def _drain(self, notifier: str) -> tuple[int, bool]:
        """Send a batch in order; stop at the first alert not yet due or failing, to keep the
        order. Returns how many were delivered, and whether a whole full batch was gone through
        (more may be waiting behind it). On a shared store the rows come claimed for this
        instance, which keeps them (renewed by its heartbeat) until they are settled: the notifier
        stays with one instance while it lives."""
        if self.paused is not None:
            return 0, False
        if self.store.shared and notifier not in self.senders:
            # not ours to send (a config without it): leave its rows to an instance that has it
            await asyncio.to_thread(self.store.release_claims, notifier)
            return 0, False
        queue = await asyncio.to_thread(self.store.pending_alerts, notifier, BATCH, self.clock())
        sender = self.senders.get(notifier)
        if sender is not None and sender.quiet is not None and sender.quiet.holds(self.clock()):
            queue = [row for row in queue if not held_in_quiet_hours(row.document)]
        if sender is not None and sender.digest:
            sent = await self._send_digest(notifier, sender, queue)
            return sent, bool(sent) and len(queue) == BATCH
        delivered, skipped = 0, False
        for row in queue:
            now = self.clock()
            if sender is None:
                if now - row.created > self.max_age:
                    await self._record(partial(self.store.mark_failed, row.row_id, "notifier not configured", None))
                else:
                    skipped = True  # kept for a config that has the notifier again
                continue
            if self._expired(row, now):
                if not await self._expire(notifier, [row], now):
                    break
                continue
            if row.next_attempt > now:
                if row.attempts:  # waiting for a retry: the notifier may have been failing long enough to say so
                    await self._record(partial(self._check_failing, notifier, row.last_error or "", now))
                    if await self._back(notifier, sender, row, now):
                        return delivered, True  # due now: go over the queue again
                break
            await self._pace(sender)
            if self.paused is not None:
                break
            if self.store.shared and not await asyncio.to_thread(self.store.holds_claim, row.row_id):
                break  # stalled past the claim: another instance has the notifier now
            started = time.monotonic()
            result = await sender.send(row.document)
            latency = time.monotonic() - started
            if self.metrics:
                self.metrics.delivery_seconds.labels(notifier).observe(latency)
            now = self.clock()
            if result.ok:
                self._count(notifier, "delivered")
                log.info(
                    "alert delivered notifier=%s alert=%s status=%s latency=%.3fs attempts=%d",
                    notifier, row.alert_id, result.status or "ok", latency, row.attempts + 1,
                )  # fmt: skip
                delivered += 1
                if not await self._record(
                    partial(self.store.mark_delivered, row.row_id, now), partial(self._recovered, notifier, now)
                ):
                    break
                continue
            next_attempt = self._next_attempt([row], result, now)
            if next_attempt is None:
                self._count(notifier, "dead")
                log.error(
                    "alert dead notifier=%s alert=%s status=%s error=%r latency=%.3fs attempts=%d",
                    notifier, row.alert_id, result.status or "-", result.error, latency, row.attempts + 1,
                )  # fmt: skip
            else:
                self._count(notifier, "retry")
                log.warning(
                    "alert delivery failed notifier=%s alert=%s status=%s error=%r latency=%.3fs attempts=%d retry_in=%.1fs",
                    notifier, row.alert_id, result.status or "-", result.error, latency, row.attempts + 1, next_attempt - now,
                )  # fmt: skip
            recorded = await self._record(
                partial(self.store.mark_failed, row.row_id, result.error, next_attempt),
                partial(self._failed, notifier, result.error, now),
            )
            if not recorded or next_attempt is not None:
                break
        else:
            return delivered, len(queue) == BATCH and not skipped
        return delivered, False

    async def _send_digest(self, notifier: str, sender: Sender, queue: list[OutboxRow]) -> int:
        """Everything pending in one message, once the oldest has waited a whole period."""
        now = self.clock()
        expired = [r for r in queue if self._expired(r, now)]
        if expired and not await self._expire(notifier, expired, now):
            return 0
        queue = [r for r in queue if r not in expired]
        due = [r for r in queue if r.next_attempt <= now]
        if not due and any(r.attempts for r in queue):
            last_error = next((r.last_error for r in queue if r.last_error), "")
            await self._record(partial(self._check_failing, notifier, last_error or "", now))
        period = sender.digest or 0.0
        if not due or (now - min(r.created for r in due) < period and all(r.attempts == 0 for r in due)):
            return 0
        items = [r.document for r in due]
        digest_id = "digest_" + hashlib.sha256("\x00".join(r.alert_id for r in due).encode()).hexdigest()[:24]
        document = {"type": "digest", "id": digest_id, "created_at": _iso(now), "period": period, "items": items}
        await self._pace(sender)
        if self.paused is not None:
            return 0
        result = await sender.send(document)
        now = self.clock()
        if result.ok:
            self._count(notifier, "delivered")
            log.info("digest delivered notifier=%s digest=%s alerts=%d", notifier, digest_id, len(due))
            marks: list[Write] = [partial(self.store.mark_delivered, r.row_id, now) for r in due]
            await self._record(*marks, partial(self._recovered, notifier, now))
            return len(due)
        next_attempt = self._next_attempt(due, result, now)
        self._count(notifier, "dead" if next_attempt is None else "retry")
        log.warning("digest delivery failed notifier=%s digest=%s alerts=%d error=%r", notifier, digest_id, len(due), result.error)
        fails: list[Write] = [partial(self.store.mark_failed, r.row_id, result.error, next_attempt) for r in due]
        await self._record(*fails, partial(self._failed, notifier, result.error, now))
        return 0

    async def _back(self, notifier: str, sender: Sender, head: OutboxRow, now: float) -> bool:
        """Whether a receiver that could not be reached answers again, checked at most every
        `PROBE_EVERY` while its queue waits out a longer retry step; if it does, what waits is
        made due now. A receiver that answered with an error status is left to its backoff."""
        if (head.last_error or "").startswith("HTTP ") or head.next_attempt - now < PROBE_EVERY:
            return False
        if now - self._probed.get(notifier, 0.0) < PROBE_EVERY:
            return False
        self._probed[notifier] = now
        if not await sender.answers():
            return False
        log.warning("notifier answers again notifier=%s: its waiting alerts are due now", notifier)
        return await self._record(partial(self.store.hasten, now, notifier))

    def _expired(self, row: OutboxRow, now: float) -> bool:
        """Whether a row that has failed before has reached `max_age` (its wait notwithstanding)."""
        return row.attempts > 0 and now - row.created >= self.max_age

    def _next_attempt(self, rows: list[OutboxRow], result: SendResult, now: float) -> float | None:
        """When to try `rows` again after a failed attempt, never past their `max_age`; None: they are dead."""
        deadline = min(r.created for r in rows) + self.max_age
        if result.permanent or now >= deadline:
            return None
        delay = retry_delay(max(r.attempts for r in rows) + 1, result.retry_after, self.rand, self.schedule)
        return min(now + delay, deadline)

    async def _expire(self, notifier: str, rows: list[OutboxRow], now: float) -> bool:
        """Rows that reached `max_age` while waiting for a retry become dead letters; False if that
        could not be recorded."""
        writes: list[Write] = []
        for row in rows:
            error = f"undelivered after max_age {self.max_age:g}s; last error: {row.last_error or '-'}"
            self._count(notifier, "dead")
            log.error("alert dead notifier=%s alert=%s error=%r attempts=%d", notifier, row.alert_id, error, row.attempts)
            writes.append(partial(self.store.expire, row.row_id, error))
        last_error = rows[-1].last_error or ""
        return await self._record(*writes, partial(self._check_failing, notifier, last_error, now))

    async def _record(self, *writes: Write) -> bool:
        """Make the writes that record an attempt, in order. When the state cannot take them, they
        are kept to be made later and sending pauses, since an alert whose delivery went unrecorded
        would go out again on every pass. Returns whether they were made."""
        for i, write in enumerate(writes):
            try:
                await asyncio.to_thread(write)
            except Exception as exc:  # whatever the driver raises, the outcome is not recorded
                self._unrecorded.extend(writes[i:])
                if self.paused is None:
                    log.error("delivery paused: the state cannot be written, nothing is sent until it can error=%r", str(exc))
                self.paused = f"state not writable: {exc}"
                return False
        return True

    async def _resume(self) -> bool:
        """Make the writes kept while the state could not be written; sending resumes once they are made."""
        async with self._resuming:
            while self._unrecorded:
                try:
                    await asyncio.to_thread(self._unrecorded[0])
                except Exception as exc:  # still not writable
                    self.paused = f"state not writable: {exc}"
                    return False
                self._unrecorded.pop(0)
            if self.paused is not None:
                log.warning("delivery resumed: the state can be written again")
                self.paused = None
        return True

    async def _pace(self, sender: Sender) -> None:
        """Keep to the notifier's rate."""
        rate = sender.rate
        if not rate:
            return
        wait = self._last_sent.get(sender.name, 0.0) + 1 / rate - time.monotonic()
        if wait > 0:
            await self.sleep(wait)
        self._last_sent[sender.name] = time.monotonic()

    # The writes below are blocking (they run in a thread) and may be made again after the state
    # could not be written: each is safe to repeat, its event ids being fixed by their arguments.

    def _failed(self, notifier: str, error: str, now: float) -> None:
        since, announced = self.store.notifier_failed(notifier, now)
        self._announce_failing(notifier, error, now, since, announced)

    def _check_failing(self, notifier: str, error: str, now: float) -> None:
        state = self.store.notifier_failing(notifier)
        if state is not None:
            self._announce_failing(notifier, error, now, *state)

    def _announce_failing(self, notifier: str, error: str, now: float, since: float, announced: bool) -> None:
        """Tell the other notifiers, once, that `notifier` has been failing for longer than its `alert_after`."""
        sender = self.senders.get(notifier)
        limit = sender.alert_after if sender is not None else None
        if announced or limit is None or now - since < limit:
            return
        log.error("notifier failing notifier=%s since=%s error=%r", notifier, _iso(since), error)
        self.store.enqueue(self._event("notifier.failing", notifier, error, now, since), now)
        self.store.notifier_announced(notifier)

    def _recovered(self, notifier: str, now: float) -> None:
        state = self.store.notifier_failing(notifier)
        if state is not None and state[1]:
            log.warning("notifier recovered notifier=%s", notifier)
            self.store.enqueue(self._event("notifier.recovered", notifier, "", now), now)
        if state is not None:
            self.store.notifier_recovered(notifier)

    def _event(self, kind: str, notifier: str, error: str, now: float, since: float | None = None) -> list[QueuedAlert]:
        """An event about `notifier` for every other notifier."""
        event_id = "event_" + hashlib.sha256(f"{kind}\x00{notifier}\x00{since or now}".encode()).hexdigest()[:24]
        document = {
            "type": kind,
            "id": event_id,
            "notifier": notifier,
            "created_at": _iso(now),
            "failing_since": _iso(since) if since else None,
            "error": error or None,
        }
        return [QueuedAlert(event_id, name, document) for name in self.senders if name != notifier]

    def _count(self, notifier: str, outcome: str) -> None:
        if self.metrics:
            self.metrics.deliveries.labels(notifier, outcome).inc()


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="seconds")
