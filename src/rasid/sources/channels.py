"""`ChannelSource`: a public Telegram channel polled through its web preview, with the same
politeness, conditional requests, backoff and health as a feed; its first poll pages back to
`max_age` with the preview's `before=`, a later one to the poll before it (a channel may post
more than a page between two polls)."""

from __future__ import annotations

import asyncio
import logging

import httpx

from rasid.sources.feedparse import ParsedFeed
from rasid.sources.feeds import FeedSource
from rasid.sources.fetch import FetchError, HostLimiter, fetch
from rasid.sources.telegram import parse_preview
from rasid.store.base import FeedState

log = logging.getLogger("rasid.sources.telegram")

MAX_PAGES = 20
"""Pages of older posts read at one poll at most (about 20 posts each)."""
OVERLAP = 120.0
"""Seconds before the last good poll a later poll pages back to: posts a busy channel made
since are all read, whatever the two clocks say."""


class ChannelSource(FeedSource):
    kind = "Telegram preview"

    def status_of(self, problem: str) -> str:
        if "layout changed" in problem:
            return "layout changed: no posts found"
        if "not a public channel" in problem:
            return "not a public channel"
        return "unreadable"

    async def read(
        self, client: httpx.AsyncClient, body: bytes, content_type: str | None, previous: FeedState, now: float,
        limiter: HostLimiter,
    ) -> ParsedFeed:  # fmt: skip
        page = await asyncio.to_thread(parse_preview, body, content_type, now, f"source={self.name}")
        entries, failures = list(page.parsed.entries), list(page.parsed.failures)
        if page.parsed.problem is None:  # the first poll reads back to max_age, a later one to the poll before it
            since = now - self.config.max_age
            if previous.last_success is not None:
                since = max(since, previous.last_success - OVERLAP)
            before, oldest, pages = page.before, page.oldest, 1
            while before is not None and oldest is not None and oldest.timestamp() > since and pages < MAX_PAGES:
                url = f"{self.config.url}?before={before}"
                try:
                    got = await fetch(client, url, {}, self.config.timeout, self.config.max_bytes, limiter,
                                      home=self.config.url, allow_private=self.config.allow_private)  # fmt: skip
                except FetchError as exc:
                    log.warning("older posts not read source=%s before=%d error=%s", self.name, before, exc)
                    break
                older = await asyncio.to_thread(parse_preview, got.body, got.headers.get("content-type"), now)
                entries += older.parsed.entries
                failures += older.parsed.failures
                before, oldest, pages = older.before, older.oldest, pages + 1
        entries.sort(key=lambda e: int(e.guid.rpartition("/")[2]) if e.guid.rpartition("/")[2].isdigit() else 0)  # oldest first
        return ParsedFeed(entries, page.parsed.problem, failures)
