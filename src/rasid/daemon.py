"""`Daemon`: sources, pipeline, store and delivery wired together on one asyncio loop."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import random
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import TextIO

import httpx
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from rasid.config import Config, ConfigError
from rasid.dedup import report_keys
from rasid.delivery import OutboxWorker, build_senders
from rasid.endpoint import serve
from rasid.match import WatchListError
from rasid.metrics import Metrics
from rasid.models import ItemFailure, Report
from rasid.notify import Notifier, watchdog_interval
from rasid.ingest import BATCH, Filed, Ingestor
from rasid.pipeline import Pipeline
from rasid.sources.article import ArticleFetcher
from rasid.sources.completions import CompletionWatch
from rasid.sources.feeds import USER_AGENT, FeedSource
from rasid.sources.fetch import HostLimiter
from rasid.sources.folders import BATCH_BYTES, UNRECORDED, FolderSource
from rasid.sources.health import assess, with_item_outcome
from rasid.store import FeedState, QueuedAlert, Store

log = logging.getLogger("rasid.daemon")

SHUTDOWN_GRACE = 5.0
STATUS_INTERVAL = 30.0
ONCE_SETTLE_LIMIT = 30.0
FEED_JITTER = 0.1
"""Each feed poll lands up to this share of its interval early or late, so feeds never poll in lockstep."""
FIRST_POLL_SPREAD = 10.0
PRUNE_INTERVAL = 6 * 3600.0
LEASE_ROUND = 0.25
"""Leases are renewed every quarter of `lease_ttl` and granted for the other three quarters, so
that a dead instance's feeds are taken over within `lease_ttl`."""


@dataclass
class Ingested:
    """What ingesting reports did, report by report."""

    filed: list[Filed] = field(default_factory=list)

    @property
    def new(self) -> int:
        return sum(1 for f in self.filed if f.plan is not None)

    @property
    def alerts(self) -> int:
        return sum(len(f.plan.alerts) for f in self.filed if f.plan is not None)

    @property
    def queued(self) -> int:
        return sum(len(f.plan.queued) for f in self.filed if f.plan is not None)

    @property
    def failed(self) -> list[ItemFailure]:
        """Reports that could not be recorded (not marked seen: they come again)."""
        return [f.failure for f in self.filed if f.failure is not None]


class Daemon:
    """Polls every source, turns new reports into alerts and delivers them."""

    def __init__(
        self,
        config: Config,
        store: Store,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.clock = clock
        self.stream = stream
        self.client = httpx.AsyncClient(headers={"user-agent": USER_AGENT})
        self.notify = Notifier()
        self.metrics = Metrics()
        self._watchers: dict[tuple[str, tuple[Path, bool]], asyncio.Task[None]] = {}
        self._completions_due: set[str] = set()
        """Folders with files newly complete, a scan for them already asked for."""
        self._stop: asyncio.Event | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self._inflight: set[asyncio.Task[object]] = set()
        self.limiter = HostLimiter()
        self.articles = ArticleFetcher(self.client, self.limiter)
        self.apply(config)
        self._scan_locks: dict[str, asyncio.Lock] = {}
        self._ingest_lock = asyncio.Lock()
        self._leases: set[str] = set()
        """Feeds this instance may poll, on a shared store (a private store polls every feed)."""
        self._failing: dict[str, set[str]] = {}
        """Each source's items that failed at its last poll or scan, so a failure is logged once while it lasts."""

    def apply(self, config: Config) -> None:
        """Take `config` as the one in force: sources, watch-lists and notifiers are replaced;
        the store, and with it the outbox and the dedup state, stays. Raises before changing
        anything when the new watch-lists cannot be compiled."""
        senders = build_senders(config.notifiers, self.client, self.stream)
        pipeline = Pipeline(config.watchlists, list(senders), config.gazetteer.places, config.dedup)
        self.ingestor = Ingestor(
            self.store, pipeline, self.metrics, self.clock, config.dedup.window, config.archive.enabled
        )
        self.config = config
        self.store.claim_ttl = config.storage.lease_ttl
        self.senders = senders
        if hasattr(self, "worker"):  # a reload: the worker, its drains under way and any paused state stay
            self.worker.configure(senders, config.delivery.max_age, config.delivery.retry)
        else:
            self.worker = OutboxWorker(
                self.store, senders, config.delivery.max_age, self.clock, schedule=config.delivery.retry, metrics=self.metrics
            )
        self.feeds = [FeedSource(f) for f in config.sources.feeds]
        self.folders = [FolderSource(f) for f in config.sources.folders]
        if self._scheduler is not None:
            self._sync_jobs()

    async def reload(self, load: Callable[[], Config]) -> bool:
        """Re-read the config with `load` (in a thread: the loop keeps running); on any error keep
        the running one. `READY=1` follows `RELOADING=1` whatever happens. Returns whether it changed."""
        self.notify.reloading()
        status = "reload refused"
        try:
            config = await asyncio.to_thread(load)
            self.apply(config)
        except (ConfigError, WatchListError) as exc:
            log.error("reload refused, the running config stays: %s", str(exc).replace("\n", "; "))
            status = f"reload refused: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
            return False
        except Exception as exc:  # MemoryError and the like: the daemon goes on with what it had
            log.error("reload failed, the running config stays: %s: %s", type(exc).__name__, exc)
            status = f"reload failed: {type(exc).__name__}"
            return False
        else:
            log.info(
                "reloaded feeds=%d folders=%d watchlists=%d notifiers=%s",
                len(self.feeds), len(self.folders), len(config.watchlists), ",".join(self.senders) or "-",
            )  # fmt: skip
            status = "reloaded"  # what READY=1 says should the store fail to give the full line
            status = await asyncio.to_thread(self.status_line)
            return True
        finally:
            self.notify.send("READY=1", f"STATUS={status}")

    def status_line(self) -> str:
        names = "، ".join(w.name for w in self.config.watchlists)
        counts = self.store.outbox_counts()
        return (
            f"{len(self.feeds)} feeds, {len(self.folders)} folders; watching {names}; "
            f"{self.metrics.alerts_total()} alerts since start; {counts['pending']} pending"
        )

    async def once(self) -> None:
        """One pass over every source (waiting for files still being written), then one delivery pass.
        On a shared store only the feeds no live instance holds are polled."""
        await self.lease_round()
        await asyncio.gather(*(self.poll_feed(f) for f in self.feeds), *(self._scan_settled(f) for f in self.folders))
        await self.deliver()
        if self.store.shared:
            await asyncio.to_thread(self.store.leave)

    async def _scan_settled(self, folder: FolderSource) -> None:
        """Scan until no file is still being written, or give up on those after `ONCE_SETTLE_LIMIT`."""
        deadline = time.monotonic() + ONCE_SETTLE_LIMIT
        while await self.scan_folder(folder, rescan=False):
            if time.monotonic() > deadline:
                log.warning("files still being written left for the next run source=%s", folder.name)
                return
            await asyncio.sleep(max(folder.config.settle, 0.05))

    async def run(self, stop: asyncio.Event) -> None:
        """Poll and deliver on schedule until `stop` is set, then shut down cleanly."""
        self._stop = stop
        await self.lease_round()
        self._scheduler = AsyncIOScheduler(timezone=timezone.utc)
        self._sync_jobs()
        self._scheduler.start()
        log.info(
            "started feeds=%d folders=%d watchlists=%d notifiers=%s",
            len(self.feeds), len(self.folders), len(self.config.watchlists), ",".join(self.senders) or "-",
        )  # fmt: skip
        server = None
        if self.config.http is not None:
            server = await serve(self.config.http.listen, self.health, self.metrics_text)
        self.notify.ready(self.status_line())
        heartbeat = asyncio.create_task(self._heartbeat(stop))
        await stop.wait()
        self.notify.stopping()
        log.info("stopping in_flight=%d", len(self._inflight))
        self._scheduler.shutdown(wait=False)
        heartbeat.cancel()
        watchers = list(self._watchers.values())
        for watcher in watchers:
            watcher.cancel()
        await asyncio.gather(heartbeat, *watchers, return_exceptions=True)
        if server is not None:
            server.close()
        await self._finish_inflight()
        if self.store.shared:
            await asyncio.to_thread(self.store.leave)

    async def lease_round(self) -> None:
        """On a shared store: say this instance is alive, keep its outbox claims, and renew, give
        back and take feed leases so that live instances share the feeds; a lease outlives a dead
        instance by at most `storage.lease_ttl`."""
        if not self.store.shared:
            return
        now = self.clock()
        term = self.config.storage.lease_ttl * (1 - LEASE_ROUND)
        try:
            await asyncio.to_thread(self.store.heartbeat, now)
            held = await asyncio.to_thread(self.store.claim_leases, [f.name for f in self.feeds], now, term)
        except Exception:
            self._leases = set()  # cut off from the shared state: poll nothing until leases are had again
            raise
        gained, lost = held - self._leases, self._leases - held
        self._leases = held
        if gained or lost:
            log.info("leases changed held=%d gained=%d given_back=%d", len(held), len(gained), len(lost))
        for feed in self.feeds:
            if feed.name in gained:
                state = await asyncio.to_thread(self.store.feed_state, feed.name)
                due = state.next_poll or ((state.last_poll or 0) + feed.config.interval)
                self._reschedule(f"feed:{feed.name}", max(due, now))

    async def health(self) -> tuple[bool, dict[str, object]]:
        """Alive (this runs on the loop), the database writable and delivery not paused for it; each source's state."""
        writable = await asyncio.to_thread(self.store.writable)
        states = await asyncio.to_thread(self.store.feed_states) if writable else {}
        names = [f.name for f in self.feeds] + [f.name for f in self.folders]
        sources = {
            name: {
                "status": states[name].last_status if name in states else None,
                "errors": states[name].errors if name in states else 0,
                "disabled": states[name].disabled if name in states else None,
                "unhealthy": states[name].unhealthy if name in states else None,
                "item_errors": states[name].item_errors if name in states else 0,
                "last_item_error": states[name].last_item_error if name in states else None,
            }
            for name in names
        }
        paused = self.worker.paused
        ok = writable and paused is None
        body: dict[str, object] = {"ok": ok, "database": "writable" if writable else "not writable"}
        body["delivery"] = f"paused: {paused}" if paused else "running"
        if self.store.shared:
            body["instance"] = self.store.instance_id
            body["leases"] = sorted(self._leases)
        return ok, {**body, "sources": sources}

    async def metrics_text(self) -> bytes:
        counts = await asyncio.to_thread(self.store.outbox_counts)
        oldest = await asyncio.to_thread(self.store.oldest_pending)
        self.metrics.outbox_depth.set(counts["pending"])
        self.metrics.oldest_pending.set(self.clock() - oldest if oldest else 0)
        return self.metrics.exposition()

    def _sync_jobs(self) -> None:
        """Scheduler jobs and folder watchers for exactly the sources in force."""
        scheduler = self._scheduler
        assert scheduler is not None
        now = datetime.now(timezone.utc)
        spread = random.Random()
        wanted: dict[str, tuple[float, Callable[[], Awaitable[object]]]] = {
            **{f"feed:{f.name}": (f.config.interval, partial(self.poll_feed, f)) for f in self.feeds},
            **{f"folder:{f.name}": (f.config.interval, partial(self.scan_folder, f)) for f in self.folders},
            "delivery": (self.config.delivery.interval, self.deliver),
            "prune": (PRUNE_INTERVAL, self.prune),
            **({"leases": (self.config.storage.lease_ttl * LEASE_ROUND, self.lease_round)} if self.store.shared else {}),
        }
        for job in scheduler.get_jobs():
            if job.id not in wanted:
                job.remove()
        for job_id, (interval, action) in wanted.items():
            is_feed = job_id.startswith("feed:")
            existing = scheduler.get_job(job_id)
            if existing is not None:
                existing.modify(args=[job_id, action])
                if existing.trigger.interval.total_seconds() != interval:
                    existing.reschedule("interval", seconds=interval, jitter=interval * FEED_JITTER if is_feed else None)
                continue
            first = spread.uniform(0, min(interval, FIRST_POLL_SPREAD)) if is_feed else 0
            scheduler.add_job(
                self._tracked,
                "interval",
                args=[job_id, action],
                seconds=interval,
                jitter=interval * FEED_JITTER if is_feed else None,
                id=job_id,
                next_run_time=now + timedelta(seconds=first),
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
            )
        if self._stop is None:
            return
        watched = {f.name: (f.config.path, f.config.recursive) for f in self.folders if f.config.watch}
        for key in list(self._watchers):
            if key not in watched.items():
                self._watchers.pop(key).cancel()
        for key in watched.items():
            if key not in self._watchers:
                self._watchers[key] = asyncio.get_running_loop().create_task(self._watch(*key, self._stop))

    async def _watch(self, name: str, where: tuple[Path, bool], stop: asyncio.Event) -> None:
        """Scan a folder as soon as something changes in it (inotify); scans on schedule go on too.
        The watcher outlives reloads that keep the folder's path, and scans the folder then in force."""
        from watchfiles import awatch

        path, recursive = where
        loop = asyncio.get_running_loop()
        completions = CompletionWatch.open()  # files renamed in or closed after writing: read at once
        if completions is not None:
            for directory in [path, *(p for p in path.rglob("*") if p.is_dir())] if recursive else [path]:
                completions.add(directory)
            loop.add_reader(completions.fileno(), completions.read, partial(self._completed, name))
        try:
            async for _ in awatch(path, recursive=recursive, stop_event=stop, debounce=200, step=50):
                folder = next((f for f in self.folders if f.name == name), None)
                if folder is not None:
                    self._rescan(folder)
        except (OSError, RuntimeError) as exc:
            log.warning("folder watch unavailable, scanning on schedule only source=%s error=%r", name, str(exc))
        finally:
            if completions is not None:
                loop.remove_reader(completions.fileno())
                completions.close()

    def _completed(self, name: str, path: Path) -> None:
        """A file of folder `name` is complete: it is read by a scan started now (one for a burst)."""
        folder = next((f for f in self.folders if f.name == name), None)
        if folder is None:
            return
        folder.completed(path)
        if name not in self._completions_due:
            self._completions_due.add(name)
            asyncio.get_running_loop().call_soon(self._rescan_completed, folder)

    def _rescan_completed(self, folder: FolderSource) -> None:
        self._completions_due.discard(folder.name)
        self._rescan(folder)

    async def _heartbeat(self, stop: asyncio.Event) -> None:
        """WATCHDOG=1 from the event loop itself, so that a hung loop gets restarted; STATUS= now and then."""
        interval = watchdog_interval()
        tick = min(interval or STATUS_INTERVAL, STATUS_INTERVAL)
        last_status = time.monotonic()
        while not stop.is_set():
            if interval:
                self.notify.watchdog()
            if time.monotonic() - last_status >= STATUS_INTERVAL:
                self.notify.status(await asyncio.to_thread(self.status_line))
                last_status = time.monotonic()
            await asyncio.sleep(tick)

    async def close(self) -> None:
        await self.client.aclose()
        self.store.close()

    async def _tracked(self, job_id: str, job: Callable[[], Awaitable[object]]) -> None:
        """Run a job so that shutdown can wait for it and an error never stops the loop."""
        task = asyncio.current_task()
        assert task is not None
        self._inflight.add(task)
        try:
            await job()
        except asyncio.CancelledError:  # at shutdown, past the grace period
            log.warning("job abandoned job=%s", job_id)
        except ConnectionError as exc:  # the shared state is unreachable: said in one line, tried again next time
            log.error("job failed job=%s error=%r", job_id, str(exc))
        except Exception:
            log.exception("job failed job=%s", job_id)
        finally:
            self._inflight.discard(task)

    async def _finish_inflight(self) -> None:
        pending = {t for t in self._inflight if not t.done()}
        if not pending:
            return
        done, still = await asyncio.wait(pending, timeout=SHUTDOWN_GRACE)
        for task in still:
            task.cancel()
        if still:
            await asyncio.wait(still, timeout=1.0)

    async def poll_feed(self, feed: FeedSource) -> None:
        if self.store.shared and feed.name not in self._leases:
            return
        previous, arrivals = await asyncio.to_thread(self._feed_history, feed.name)
        if previous.disabled and previous.url == feed.config.url:
            return
        if previous.disabled:  # its URL changed in the config: try again
            previous = dataclasses.replace(previous, disabled=None, url=None, errors=0, etag=None, last_modified=None)
        started = time.monotonic()
        poll = await feed.poll(self.client, previous, self.clock(), self.limiter)
        self.metrics.poll_seconds.labels("feed").observe(time.monotonic() - started)
        self.metrics.polls.labels(feed.name, "error" if poll.error else poll.state.last_status or "ok").inc()
        if poll.state.disabled or poll.error:
            poll.state = await self._check_health(feed.name, feed.config.alert_after, poll.state, arrivals)
            await asyncio.to_thread(self.store.save_feed_state, feed.name, poll.state)
        if poll.state.disabled:
            log.error("feed disabled source=%s reason=%r", feed.name, poll.error)
            return
        if poll.error:
            self._reschedule(f"feed:{feed.name}", poll.state.next_poll)
            log.warning(
                "feed poll failed source=%s error=%r errors=%d retry_in=%.0fs",
                feed.name, poll.error, poll.state.errors, (poll.state.next_poll or 0) - self.clock(),
            )  # fmt: skip
            return
        if previous.errors:
            self._reschedule(f"feed:{feed.name}", poll.state.next_poll)
        backfill = previous.last_success is None and feed.config.backfill == "skip"
        if feed.config.full_text and not backfill:
            poll.reports = await self._with_full_text(feed, poll.reports)
        ingested = await self.ingest(poll.reports, quiet_before=self._quiet_before(feed.config.max_age, backfill))
        self._log_failures(feed.name, [("entry skipped", poll.failures), ("report not recorded", ingested.failed)])
        state = with_item_outcome(poll.state, poll.failures + ingested.failed, bool(poll.reports), self.clock())
        if ingested.failed:  # the next poll fetches the whole feed again, for the reports not recorded
            state = dataclasses.replace(state, etag=None, last_modified=None)
        # silence is judged on the arrivals before this poll, and not when this one brought news
        state = await self._check_health(feed.name, feed.config.alert_after, state, [] if ingested.new else arrivals)
        # Saved only now: had ingesting failed or the process died, the next poll fetches these
        # entries again instead of being told by the server they are not modified.
        await asyncio.to_thread(self.store.save_feed_state, feed.name, state)
        log.info(
            "feed polled source=%s status=%s entries=%d new=%d alerts=%d failed=%d",
            feed.name, state.last_status, len(poll.reports), ingested.new, ingested.alerts,
            len(poll.failures) + len(ingested.failed),
        )  # fmt: skip

    async def scan_folder(self, folder: FolderSource, rescan: bool = True) -> bool:
        """Read new and changed files, a batch of at most `BATCH_BYTES` at a time, each batch
        recorded before the next is read; returns whether some are still being written."""
        async with self._scan_locks.setdefault(folder.name, asyncio.Lock()):
            known = await asyncio.to_thread(self.store.file_states, folder.name)
            backfill = not known and folder.config.backfill == "skip"
            quiet_before = self._quiet_before(folder.config.max_age, backfill)
            done: set[str] = set()
            failures: list[ItemFailure] = []
            unrecorded: list[ItemFailure] = []
            read = 0
            unsettled = False
            while True:
                try:
                    scan = await asyncio.to_thread(folder.scan, known, BATCH_BYTES, frozenset(done))
                except Exception as exc:  # the folder gone, or a bug met on hostile input: counted, not the job
                    error = str(exc) if isinstance(exc, OSError) else f"{type(exc).__name__}: {exc}"
                    log.warning("folder scan failed source=%s error=%r", folder.name, error)
                    await self._note_scan(folder, error=error)
                    return False
                ingested = await self.ingest([r for _, reports in scan.reports for r in reports], quiet_before)
                filed = iter(ingested.filed)
                for rel, reports in scan.reports:
                    of_file = Ingested([next(filed) for _ in reports])
                    unrecorded += of_file.failed
                    if of_file.failed:  # read again at the next scan, for the reports not recorded
                        first = of_file.failed[0]
                        scan.states[rel] = dataclasses.replace(scan.states[rel], status=f"{UNRECORDED}{first.error}")
                    log.info(
                        "file read source=%s file=%s reports=%d new=%d alerts=%d failed=%d",
                        folder.name, rel, len(reports), of_file.new, of_file.alerts, len(of_file.failed),
                    )  # fmt: skip
                await asyncio.to_thread(self.store.save_file_states, folder.name, scan.states)
                done.update(scan.states)
                failures += scan.failures
                read += sum(len(r) for _, r in scan.reports)
                unsettled |= scan.unsettled
                if not scan.more:
                    break
                known = await asyncio.to_thread(self.store.file_states, folder.name)
            self._log_failures(folder.name, [("report not recorded", unrecorded)])  # files say their own failures
            await self._note_scan(folder, new_items=read, failures=failures + unrecorded)
        if unsettled and rescan:
            asyncio.get_running_loop().call_later(folder.config.settle, self._rescan, folder)
        return unsettled

    async def _note_scan(
        self, folder: FolderSource, new_items: int = 0, error: str | None = None, failures: list[ItemFailure] | None = None
    ) -> None:
        """Keep a folder's scans in the same table as feeds' polls, for `rasid sources`, and
        announce the folder turning unhealthy or recovering."""
        previous = await asyncio.to_thread(self.store.feed_state, folder.name)
        now = self.clock()
        if error:
            state = dataclasses.replace(previous, last_poll=now, last_status=error, errors=previous.errors + 1, new_items=0)
        else:
            state = dataclasses.replace(previous, last_poll=now, last_success=now, last_status="ok", errors=0, new_items=new_items)
            state = with_item_outcome(state, failures or [], new_items > 0, now)
        state = await self._check_health(folder.name, folder.config.alert_after, state, [])
        state = dataclasses.replace(state, next_poll=now + folder.config.interval)
        await asyncio.to_thread(self.store.save_feed_state, folder.name, state)

    def _rescan(self, folder: FolderSource) -> None:
        asyncio.get_running_loop().create_task(self._tracked(f"folder:{folder.name}", partial(self.scan_folder, folder)))

    async def _with_full_text(self, feed: FeedSource, reports: list[Report]) -> list[Report]:
        """Reports not seen before, with the main text of their linked article when it can be had."""
        out = []
        for report in reports:
            seen = await asyncio.to_thread(self.store.find_reports, report_keys(report)[:2])
            if report.url and not seen:
                text = await self.articles.text(report.url, feed.config.allow_private)
                if text:
                    report = dataclasses.replace(report, text=f"{report.title}\n\n{text}")
            out.append(report)
        return out

    def _feed_history(self, name: str) -> tuple[FeedState, list[float]]:
        """A feed's poll state and when its latest 50 new reports arrived (blocking)."""
        return self.store.feed_state(name), self.store.recent_arrivals(name, 50)

    async def _check_health(self, source: str, alert_after: float, state: FeedState, arrivals: list[float]) -> FeedState:
        """Announce a source turning unhealthy, once, and its recovery. It is judged silent from
        `arrivals` (when its recent reports arrived; folders give none: files come when people
        drop them)."""
        now = self.clock()
        reason = assess(state, alert_after, arrivals, now)
        if reason and not state.unhealthy:
            log.error("source unhealthy source=%s reason=%r", source, reason)
            await self._announce_source("source.unhealthy", source, reason, now)
            return dataclasses.replace(state, unhealthy=reason)
        if not reason and state.unhealthy:
            log.warning("source recovered source=%s", source)
            await self._announce_source("source.recovered", source, state.unhealthy, now)
            return dataclasses.replace(state, unhealthy=None)
        return state

    async def _announce_source(self, kind: str, source: str, reason: str, now: float) -> None:
        event_id = "event_" + hashlib.sha256(f"{kind}\x00{source}\x00{now}".encode()).hexdigest()[:24]
        document = {
            "type": kind,
            "id": event_id,
            "source": source,
            "reason": reason,
            "created_at": datetime.fromtimestamp(now, timezone.utc).isoformat(timespec="seconds"),
        }
        await asyncio.to_thread(self.store.enqueue, [QueuedAlert(event_id, n, document) for n in self.senders], now)
        asyncio.get_running_loop().create_task(self._tracked("delivery", self.deliver))

    def _quiet_before(self, max_age: float, backfill: bool) -> datetime:
        """Reports published before this moment are recorded without alerting."""
        if backfill:
            return datetime.max.replace(tzinfo=timezone.utc)
        return datetime.fromtimestamp(self.clock() - max_age, timezone.utc)

    def _reschedule(self, job_id: str, when: float | None) -> None:
        if self._scheduler is not None and when is not None and self._scheduler.get_job(job_id):
            self._scheduler.modify_job(job_id, next_run_time=datetime.fromtimestamp(when, timezone.utc))

    async def ingest(self, reports: list[Report], quiet_before: datetime | None = None) -> Ingested:
        """Record each report once, file it under its story and queue its alerts, `BATCH` reports
        at a time. Reports published before `quiet_before` (a backlog) are recorded without
        alerting. One that fails is returned in `failed` (for the caller to log and count), is
        not marked seen, and never stops the others (only a store that cannot be reached stops
        them all). `Ingested.filed` follows the order of `reports`."""
        result = Ingested()
        ingestor = self.ingestor
        for start in range(0, len(reports), BATCH):
            examined = await asyncio.to_thread(ingestor.examine, reports[start : start + BATCH])  # off the loop
            async with self._ingest_lock:  # one batch at a time meets the story index
                result.filed += await asyncio.to_thread(ingestor.record, examined, quiet_before)
        if result.queued:
            asyncio.get_running_loop().create_task(self._tracked("delivery", self.deliver))
        return result

    def _log_failures(self, source: str, failures: list[tuple[str, list[ItemFailure]]]) -> None:
        """Log each item failure (`(event, failures)` pairs) with its source and item: as a warning
        when the item did not fail at the source's last poll, else at debug level, so that an
        entry a feed keeps carrying is not logged at every poll."""
        before = self._failing.get(source, set())
        for event, items in failures:
            for failure in items:
                level = logging.DEBUG if failure.item in before else logging.WARNING
                log.log(level, "%s source=%s item=%r error=%r", event, source, failure.item, failure.error)
        self._failing[source] = {failure.item for _, items in failures for failure in items}

    async def prune(self) -> None:
        """Forget fingerprints older than the dedup window and archived texts past their retention."""
        removed = await asyncio.to_thread(self.store.prune_fingerprints, self.clock() - self.config.dedup.window)
        archived = await asyncio.to_thread(self.store.prune_archive, self.clock() - self.config.archive.retention)
        if removed or archived:
            log.info("pruned fingerprints=%d archived=%d", removed, archived)

    async def deliver(self) -> None:
        """Set every notifier with pending alerts delivering, each on its own; returns once each has
        gone over its queue after the call (every due alert has had its attempt)."""
        await self.worker.deliver_due()


def install_signal_handlers(stop: asyncio.Event) -> None:
    """SIGTERM and SIGINT set `stop`."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
