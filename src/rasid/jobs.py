"""`Jobs`: the daemon's scheduled work on the event loop, tracked so that shutdown can wait for it."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger("rasid.daemon")

Action = Callable[[], Awaitable[object]]

FIRST_RUN_SPREAD = 10.0
"""Jittered jobs (feed polls) first run within this many seconds of the start, spread out."""


@dataclass(frozen=True)
class Job:
    """A job to run every `interval` seconds, `jitter` (a share of it) early or late."""

    interval: float
    action: Action
    jitter: float = 0.0


class Jobs:
    """Interval jobs on an APScheduler bound to the running loop, one run of each at a time; a
    job that fails is logged and runs again at its next time, and never stops the others."""

    def __init__(self) -> None:
        self.scheduler: AsyncIOScheduler | None = None
        self.inflight: set[asyncio.Task[object]] = set()

    def start(self, wanted: dict[str, Job]) -> None:
        self.scheduler = AsyncIOScheduler(timezone=timezone.utc)
        self.sync(wanted)
        self.scheduler.start()

    def sync(self, wanted: dict[str, Job]) -> None:
        """Exactly the jobs `wanted`: new ones added, gone ones removed, changed ones retimed
        (a job keeps its place in time when only its action changes)."""
        scheduler = self.scheduler
        if scheduler is None:
            return
        now = datetime.now(timezone.utc)
        spread = random.Random()
        for job in scheduler.get_jobs():
            if job.id not in wanted:
                job.remove()
        for job_id, job in wanted.items():
            jitter = job.interval * job.jitter if job.jitter else None
            existing = scheduler.get_job(job_id)
            if existing is not None:
                existing.modify(args=[job_id, job.action])
                if existing.trigger.interval.total_seconds() != job.interval:
                    existing.reschedule("interval", seconds=job.interval, jitter=jitter)
                continue
            first = spread.uniform(0, min(job.interval, FIRST_RUN_SPREAD)) if job.jitter else 0
            scheduler.add_job(
                self.tracked,
                "interval",
                args=[job_id, job.action],
                seconds=job.interval,
                jitter=jitter,
                id=job_id,
                next_run_time=now + timedelta(seconds=first),
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
            )

    def reschedule(self, job_id: str, when: float | None) -> None:
        """Run `job_id` next at `when` (a Unix time), if it is scheduled."""
        if self.scheduler is not None and when is not None and self.scheduler.get_job(job_id):
            self.scheduler.modify_job(job_id, next_run_time=datetime.fromtimestamp(when, timezone.utc))

    def run_now(self, job_id: str, action: Action) -> None:
        """Run `action` now, beside the schedule, tracked like a scheduled run."""
        asyncio.get_running_loop().create_task(self.tracked(job_id, action))

    async def tracked(self, job_id: str, action: Action) -> None:
        """Run a job so that shutdown can wait for it and an error never stops the loop."""
        task = asyncio.current_task()
        assert task is not None
        self.inflight.add(task)
        try:
            await action()
        except asyncio.CancelledError:  # at shutdown, past the grace period
            log.warning("job abandoned job=%s", job_id)
        except ConnectionError as exc:  # the shared state is unreachable: said in one line, tried again next time
            log.error("job failed job=%s error=%r", job_id, str(exc))
        except Exception:
            log.exception("job failed job=%s", job_id)
        finally:
            self.inflight.discard(task)

    def halt(self) -> None:
        """Start nothing more on schedule; what runs goes on (APScheduler's shutdown would cancel it)."""
        if self.scheduler is not None:
            self.scheduler.pause()

    async def finish(self, grace: float) -> None:
        """Give the runs under way, and those they start (a delivery after a poll), `grace`
        seconds in all to finish, then cancel what is left."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        while True:
            await asyncio.sleep(0)  # runs just started take their first step, and their place in `inflight`
            pending = {t for t in self.inflight if not t.done()}
            if not pending:
                break
            if loop.time() >= deadline:
                for task in pending:
                    task.cancel()
                await asyncio.wait(pending, timeout=1.0)
                break
            await asyncio.wait(pending, timeout=deadline - loop.time(), return_when=asyncio.FIRST_COMPLETED)
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
