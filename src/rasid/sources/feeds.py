"""`FeedSource`: poll an RSS or Atom feed over HTTP, politely, into reports."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import httpx

from rasid import __version__
from rasid.config.models import FeedConfig
from rasid.models import ItemFailure, Report
from rasid.redact import redact_url
from rasid.sources.discovery import looks_like_html
from rasid.sources.feedparse import ParsedFeed, parse_feed
from rasid.sources.fetch import FetchError, HostLimiter, fetch
from rasid.store.base import FeedState

log = logging.getLogger("rasid.sources.feed")

USER_AGENT = f"rasid/{__version__} (Arabic news monitor)"
HTML_PAGE = "the address serves a web page, not a feed"
BACKOFF_CAP = 6 * 3600.0


@dataclass
class FeedPoll:
    """The outcome of one poll: reports (empty on 304 or error), entries that could not be read,
    and the state to keep."""

    reports: list[Report] = field(default_factory=list)
    state: FeedState = field(default_factory=FeedState)
    error: str | None = None
    failures: list[ItemFailure] = field(default_factory=list)


class FeedSource:
    """One configured feed."""

    def __init__(self, config: FeedConfig) -> None:
        self.config = config
        self.name = config.name
        self.zone = ZoneInfo(config.timezone)

    kind = "feed"

    async def read(
        self, client: httpx.AsyncClient, body: bytes, content_type: str | None, previous: FeedState, now: float,
        limiter: HostLimiter,
    ) -> ParsedFeed:  # fmt: skip
        """The entries of a fetched body (off the event loop)."""
        if looks_like_html(content_type, body):
            return ParsedFeed([], f"{HTML_PAGE}: `rasid sources discover URL` finds the site's feeds")
        return await asyncio.to_thread(parse_feed, body, content_type, self.zone, now, f"source={self.name}")

    def status_of(self, problem: str) -> str:
        """The status a poll whose body yielded nothing is listed with (and a health event names)."""
        return "serves a web page" if problem.startswith(HTML_PAGE) else "unreadable"

    def url(self, state: FeedState) -> str:
        """Where to poll: the configured URL, or where a permanent redirect moved it."""
        return state.url if state.url and not state.disabled else self.config.url

    def backoff(self, errors: int) -> float:
        """Seconds until the next poll after `errors` failures in a row."""
        return min(self.config.interval * 2 ** max(0, errors - 1), max(BACKOFF_CAP, self.config.interval))

    async def poll(self, client: httpx.AsyncClient, previous: FeedState, now: float, limiter: HostLimiter) -> FeedPoll:
        """Fetch the feed (conditionally) and parse its entries, off the event loop; never raises
        for a bad feed, and an entry that cannot be read costs only itself."""
        headers = {}
        if previous.etag:
            headers["If-None-Match"] = previous.etag
        if previous.last_modified:
            headers["If-Modified-Since"] = previous.last_modified
        url = self.url(previous)
        try:
            got = await fetch(
                client, url, headers, self.config.timeout, self.config.max_bytes, limiter,
                home=self.config.url,
                credentials={k: v.get_secret_value() for k, v in self.config.headers.items()},
                allow_private=self.config.allow_private,
            )  # fmt: skip
        except FetchError as exc:
            if exc.gone:
                state = dataclasses.replace(previous, last_poll=now, last_status="410", url=self.config.url, disabled="410 Gone")
                return FeedPoll(state=state, error=f"{exc} at {redact_url(url)}: disabled until its URL changes")
            return self._failed(previous, now, str(exc), str(exc), exc.retry_after)
        moved = got.moved_to or previous.url
        if got.moved_to:
            log.warning(
                "feed moved permanently source=%s from=%s to=%s", self.name, redact_url(url), redact_url(got.moved_to)
            )
        ok = dataclasses.replace(
            previous, last_poll=now, last_success=now, errors=0, url=moved, next_poll=now + self.config.interval, new_items=0
        )
        if got.not_modified:
            return FeedPoll(state=dataclasses.replace(ok, last_status="304"))
        try:
            parsed = await self.read(client, got.body, got.headers.get("content-type"), previous, now, limiter)
        except Exception as exc:  # a parsing bug met on hostile input fails this poll, counted, not the job
            return self._failed(previous, now, "unreadable", f"unreadable {self.kind}: {type(exc).__name__}: {exc}")
        if parsed.problem and not parsed.entries and not parsed.failures:
            return self._failed(previous, now, self.status_of(parsed.problem), f"unreadable {self.kind}: {parsed.problem}")
        if parsed.problem:
            log.warning("feed malformed source=%s reason=%r entries=%d", self.name, parsed.problem, len(parsed.entries))
        reports = [Report(self.name, e.title, e.text, url=e.url, guid=e.guid, published=e.published) for e in parsed.entries]
        state = dataclasses.replace(
            ok,
            etag=got.headers.get("etag"),
            last_modified=got.headers.get("last-modified"),
            last_status=str(got.status),
            new_items=len(reports),
        )
        return FeedPoll(reports=reports, state=state, failures=parsed.failures)

    def _failed(self, previous: FeedState, now: float, status: str, error: str, retry_after: float | None = None) -> FeedPoll:
        """A poll that failed: one more error in a row, and the next poll backed off (no sooner
        than the server asked, up to `BACKOFF_CAP`)."""
        errors = previous.errors + 1
        wait = max(self.backoff(errors), min(retry_after or 0.0, BACKOFF_CAP))
        state = dataclasses.replace(previous, last_poll=now, last_status=status, errors=errors, next_poll=now + wait, new_items=0)
        return FeedPoll(state=state, error=error)
