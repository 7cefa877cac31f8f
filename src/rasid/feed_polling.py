"""`FeedPolling`: a feed polled, its new entries taken in, its state and health kept."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable

import httpx

from rasid.dedup import report_keys
from rasid.ingest import Ingestion, quiet_before
from rasid.leases import Leases
from rasid.metrics import Metrics
from rasid.models import Report
from rasid.source_health import SourceHealth
from rasid.sources.article import ArticleFetcher
from rasid.sources.feeds import FeedSource
from rasid.sources.fetch import HostLimiter
from rasid.sources.health import with_item_outcome
from rasid.sources.sitemap import slug_title
from rasid.store import FeedState, Store

log = logging.getLogger("rasid.daemon")

ARRIVALS = 50
"""A feed's latest new reports whose arrival times judge whether it has gone silent."""


class FeedPolling:
    """One poll of a feed: fetched politely (`FeedSource.poll`), its new entries (with their
    linked article's text, if asked) ingested, then its state saved, so that a poll whose
    reports were not all recorded is fetched whole again; `reschedule(job, when)` moves the
    feed's next poll after a failure or a recovery."""

    def __init__(
        self,
        store: Store,
        client: httpx.AsyncClient,
        limiter: HostLimiter,
        articles: ArticleFetcher,
        ingestion: Ingestion,
        health: SourceHealth,
        leases: Leases,
        metrics: Metrics,
        clock: Callable[[], float],
        reschedule: Callable[[str, float | None], None],
    ) -> None:
        self.store = store
        self.client = client
        self.limiter = limiter
        self.articles = articles
        self.ingestion = ingestion
        self.health = health
        self.leases = leases
        self.metrics = metrics
        self.clock = clock
        self.reschedule = reschedule

    async def poll(self, feed: FeedSource) -> None:
        if not self.leases.polls(feed.name):
            return
        previous, arrivals = await asyncio.to_thread(self._history, feed.name)
        if previous.disabled and previous.url == feed.config.url:
            return
        if previous.disabled:  # its URL changed in the config: try again
            previous = dataclasses.replace(previous, disabled=None, url=None, errors=0, etag=None, last_modified=None)
        started = time.monotonic()
        poll = await feed.poll(self.client, previous, self.clock(), self.limiter)
        self.metrics.poll_seconds.labels("feed").observe(time.monotonic() - started)
        self.metrics.polls.labels(feed.name, "error" if poll.error else poll.state.last_status or "ok").inc()
        job = f"feed:{feed.name}"
        if poll.state.disabled or poll.error:
            poll.state = await self.health.check(feed.name, feed.config.alert_after, poll.state, arrivals)
            await asyncio.to_thread(self.store.save_feed_state, feed.name, poll.state)
        if poll.state.disabled:
            log.error("feed disabled source=%s reason=%r", feed.name, poll.error)
            return
        if poll.error:
            self.reschedule(job, poll.state.next_poll)
            log.warning(
                "feed poll failed source=%s error=%r errors=%d retry_in=%.0fs",
                feed.name, poll.error, poll.state.errors, (poll.state.next_poll or 0) - self.clock(),
            )  # fmt: skip
            return
        if previous.errors:
            self.reschedule(job, poll.state.next_poll)
        backfill = previous.last_success is None and feed.config.backfill == "skip"
        if feed.config.full_text and not backfill:
            poll.reports = await self._with_full_text(feed, poll.reports)
        quiet = quiet_before(self.clock(), feed.config.max_age, backfill)
        ingested = await self.ingestion.ingest(poll.reports, quiet)
        self.health.log_failures(feed.name, [("entry skipped", poll.failures), ("report not recorded", ingested.failed)])
        state = with_item_outcome(poll.state, poll.failures + ingested.failed, bool(poll.reports), self.clock())
        if ingested.failed:  # the next poll fetches the whole feed again, for the reports not recorded
            state = dataclasses.replace(state, etag=None, last_modified=None)
        # silence is judged on the arrivals before this poll, and not when this one brought news
        state = await self.health.check(feed.name, feed.config.alert_after, state, [] if ingested.new else arrivals)
        # Saved only now: had ingesting failed or the process died, the next poll fetches these
        # entries again instead of being told by the server they are not modified.
        await asyncio.to_thread(self.store.save_feed_state, feed.name, state)
        log.info(
            "feed polled source=%s status=%s entries=%d new=%d alerts=%d failed=%d",
            feed.name, state.last_status, len(poll.reports), ingested.new, ingested.alerts,
            len(poll.failures) + len(ingested.failed),
        )  # fmt: skip

    async def _with_full_text(self, feed: FeedSource, reports: list[Report]) -> list[Report]:
        """Reports not seen before, with the main text of their linked article when it can be had."""
        out = []
        for report in reports:
            seen = await asyncio.to_thread(self.store.find_reports, report_keys(report)[:2])
            if report.url and not seen:
                text = await self.articles.text(report.url, feed.config.allow_private)
                titled = self.articles.titles.get(report.url) if report.title == slug_title(report.url) else None
                if titled:  # a sitemap's page with no title but its address: the page's own
                    report = dataclasses.replace(report, title=titled)
                if text:
                    report = dataclasses.replace(report, text=f"{report.title}\n\n{text}")
            out.append(report)
        return out

    def _history(self, name: str) -> tuple[FeedState, list[float]]:
        """A feed's poll state and when its latest new reports arrived (blocking)."""
        return self.store.feed_state(name), self.store.recent_arrivals(name, ARRIVALS)
