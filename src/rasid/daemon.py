"""`Daemon`: sources, pipeline, store and delivery wired together on one asyncio loop."""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, TextIO

import httpx

from rasid.config import Config, ConfigError
from rasid.delivery import OutboxWorker, build_senders
from rasid.feed_polling import FeedPolling
from rasid.folder_scanning import FolderScanning
from rasid.ingest import Ingestion, Ingestor
from rasid.jobs import Job, Jobs
from rasid.leases import LEASE_ROUND, Leases
from rasid.match import WatchListError
from rasid.metrics import Metrics
from rasid.notify import Notifier, watchdog_interval
from rasid.pipeline import Pipeline
from rasid.source_health import SourceHealth
from rasid.sources.article import ArticleFetcher
from rasid.sources.channels import ChannelSource
from rasid.sources.pages import PageSource
from rasid.sources.sitemaps import SitemapSource
from rasid.sources.feeds import USER_AGENT, FeedSource
from rasid.sources.fetch import HostLimiter
from rasid.sources.folders import FolderSource
from rasid.store import QueuedAlert, Store

if TYPE_CHECKING:
    from rasid.web.server import Served

log = logging.getLogger("rasid.daemon")

SHUTDOWN_GRACE = 5.0
STATUS_INTERVAL = 30.0
FEED_JITTER = 0.1
"""Each feed poll lands up to this share of its interval early or late, so feeds never poll in lockstep."""
PRUNE_INTERVAL = 6 * 3600.0
BRIEF_CHECK = 30.0
"""Seconds between checks whether a brief is due."""
BRIEF_LATE = 3600.0
"""A brief not sent within this long after its time is skipped."""


class Daemon:
    """Polls every source, turns new reports into alerts and delivers them: the wiring of
    `FeedPolling`, `FolderScanning`, `Ingestion`, `SourceHealth`, `Leases`, the `OutboxWorker`
    and the `Jobs` that run them, under the config in force."""

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
        self.jobs = Jobs()
        self.leases = Leases(store, clock)
        self.limiter = HostLimiter()
        self._stop: asyncio.Event | None = None
        self._briefed: dict[str, float] = {}
        """Each notifier's last brief queued by this process, by the end of its period."""
        self.apply(config)
        self.health_of_sources = SourceHealth(store, clock, lambda: list(self.senders), self._deliver_soon)
        self.polling = FeedPolling(
            store, self.client, self.limiter, ArticleFetcher(self.client, self.limiter), self.ingestion,
            self.health_of_sources, self.leases, self.metrics, clock, self.jobs.reschedule,
        )  # fmt: skip
        self.scanning = FolderScanning(store, self.ingestion, self.health_of_sources, self.jobs, clock, lambda: self.folders)

    def apply(self, config: Config) -> None:
        """Take `config` as the one in force: sources, watch-lists, notifiers and the console's
        people are replaced; the store, and with it the outbox and the dedup state, stays, and
        so does the HTTP address until a restart. Raises before changing anything when the new
        watch-lists cannot be compiled."""
        if hasattr(self, "config") and _listen(self.config) != _listen(config):
            log.warning("http.listen changed: it takes effect at the next start (now %s)", _listen(self.config) or "off")
        senders = build_senders(config.notifiers, self.client, self.stream)
        per_watchlist = frozenset(n.name for n in config.notifiers if n.one_per == "watchlist")
        pipeline = Pipeline(config.watchlists, list(senders), config.gazetteer.places, config.dedup, per_watchlist)
        ingestor = Ingestor(self.store, pipeline, self.metrics, self.clock, config.dedup.window, config.archive.enabled)
        if hasattr(self, "ingestion"):
            self.ingestion.ingestor = ingestor
        else:
            self.ingestion = Ingestion(ingestor, self._deliver_soon)
        self.config = config
        self.store.claim_ttl = config.storage.lease_ttl
        self.senders = senders
        if hasattr(self, "worker"):  # a reload: the worker, its drains under way and any paused state stay
            self.worker.configure(senders, config.delivery.max_age, config.delivery.retry)
        else:
            self.worker = OutboxWorker(
                self.store, senders, config.delivery.max_age, self.clock, schedule=config.delivery.retry, metrics=self.metrics
            )
        self.feeds = [
            *(FeedSource(f) for f in config.sources.feeds),
            *(ChannelSource(t) for t in config.sources.telegram),
            *(SitemapSource(s) for s in config.sources.sitemaps),
            *(PageSource(p) for p in config.sources.pages),
        ]
        self.folders = [FolderSource(f) for f in config.sources.folders]
        if self._stop is not None:  # running: its jobs and watchers follow the sources
            self.jobs.sync(self._wanted_jobs())
            self.scanning.watch(self._stop)

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
        await asyncio.gather(*(self.poll_feed(f) for f in self.feeds), *(self.scanning.scan_settled(f) for f in self.folders))
        await self.deliver()
        if self.store.shared:
            await asyncio.to_thread(self.store.leave)

    async def run(self, stop: asyncio.Event) -> None:
        """Poll and deliver on schedule until `stop` is set, then shut down cleanly."""
        self._stop = stop
        await self.lease_round()
        self.jobs.start(self._wanted_jobs())
        self.scanning.watch(stop)
        log.info(
            "started feeds=%d folders=%d watchlists=%d notifiers=%s",
            len(self.feeds), len(self.folders), len(self.config.watchlists), ",".join(self.senders) or "-",
        )  # fmt: skip
        server = None
        if self.config.http is not None:
            server = self._http(self.config.http.listen)
            await server.start()
        self.notify.ready(self.status_line())
        heartbeat = asyncio.create_task(self._heartbeat(stop))
        await stop.wait()
        self.notify.stopping()
        log.info("stopping in_flight=%d", len(self.jobs.inflight))
        self.jobs.halt()
        heartbeat.cancel()
        await asyncio.gather(heartbeat, self.scanning.unwatch(), return_exceptions=True)
        if server is not None:
            await server.close()
        await self.jobs.finish(SHUTDOWN_GRACE)
        if self.store.shared:
            await asyncio.to_thread(self.store.leave)

    def _http(self, listen: str) -> Served:
        """`/healthz`, `/metrics` and, on a loopback address or with people to sign in, the
        console, the alerts API and feeds."""
        from rasid.web.app import build_app, is_loopback
        from rasid.web.server import Served

        loopback = is_loopback(listen)
        app = build_app(
            self.store, self.health, self.metrics_text, alerts_shown=loopback or self.config.http.signs_in,
            watchlists=lambda: [w.name for w in self.config.watchlists],
            verdicts=lambda text: self.ingestion.ingestor.pipeline.matcher.verdicts(text),
            config=lambda: self.config, loopback=loopback,
        )  # fmt: skip
        return Served(app, listen)

    def _wanted_jobs(self) -> dict[str, Job]:
        """The scheduled jobs for exactly the sources in force, delivery and upkeep."""
        return {
            **{f"feed:{f.name}": Job(f.config.interval, partial(self.poll_feed, f), FEED_JITTER) for f in self.feeds},
            **{f"folder:{f.name}": Job(f.config.interval, partial(self.scanning.scan, f)) for f in self.folders},
            "delivery": Job(self.config.delivery.interval, self.deliver),
            "prune": Job(PRUNE_INTERVAL, self.prune),
            **({"briefs": Job(BRIEF_CHECK, self.brief)} if any(n.brief for n in self.config.notifiers) else {}),
            **({"leases": Job(self.config.storage.lease_ttl * LEASE_ROUND, self.lease_round)} if self.store.shared else {}),
        }

    async def poll_feed(self, feed: FeedSource) -> None:
        await self.polling.poll(feed)

    async def lease_round(self) -> None:
        """On a shared store: renew this instance's leases (`Leases.round`), and poll a feed just
        taken over when it is due."""
        gained = await self.leases.round([f.name for f in self.feeds], self.config.storage.lease_ttl)
        now = self.clock()
        for feed in self.feeds:
            if feed.name in gained:
                state = await asyncio.to_thread(self.store.feed_state, feed.name)
                due = state.next_poll or ((state.last_poll or 0) + feed.config.interval)
                self.jobs.reschedule(f"feed:{feed.name}", max(due, now))

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
            body["leases"] = sorted(self.leases.held)
        return ok, {**body, "sources": sources}

    async def metrics_text(self) -> bytes:
        counts = await asyncio.to_thread(self.store.outbox_counts)
        oldest = await asyncio.to_thread(self.store.oldest_pending)
        self.metrics.outbox_depth.set(counts["pending"])
        self.metrics.oldest_pending.set(self.clock() - oldest if oldest else 0)
        return self.metrics.exposition()

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

    async def brief(self) -> None:
        """Queue each notifier's brief once its time has come (within `BRIEF_LATE` of it: a daemon
        that was down then sends it late, not a day late). Its id is the notifier's and period's,
        so a restart or a second instance queues it once."""
        from rasid.briefs import gathered_brief

        now = self.clock()
        for n in self.config.notifiers:
            if n.brief is None or n.name not in self.senders:
                continue
            until = n.brief.latest(now)
            if now - until > BRIEF_LATE or self._briefed.get(n.name) == until:
                continue
            document = await asyncio.to_thread(gathered_brief, self.store, self.config, until - n.brief.every, until, n.name)
            await asyncio.to_thread(self.store.enqueue, [QueuedAlert(document["id"], n.name, document)], now)
            self._briefed[n.name] = until
            log.info("brief queued notifier=%s until=%s alerts=%d", n.name, document["until"], document["alerts"])
            self._deliver_soon()

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

    def _deliver_soon(self) -> None:
        """Alerts or events were queued: a delivery pass now, beside the schedule."""
        self.jobs.run_now("delivery", self.deliver)


def install_signal_handlers(stop: asyncio.Event) -> None:
    """SIGTERM and SIGINT set `stop`."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)


def _listen(config: Config) -> str | None:
    return config.http.listen if config.http is not None else None
