"""`PageSource`: a site's listing page polled like a feed, its items read with the config's CSS selectors."""

from __future__ import annotations

import asyncio

import httpx

from rasid.config.models import PageConfig
from rasid.sources.feedparse import ParsedFeed
from rasid.sources.feeds import FeedSource
from rasid.sources.fetch import HostLimiter
from rasid.sources.listing import Selectors, parse_listing
from rasid.store.base import FeedState


class PageSource(FeedSource):
    kind = "page"

    def __init__(self, config: PageConfig) -> None:
        super().__init__(config)
        self.selectors = Selectors(config.item, config.title, config.link, config.date, config.text)

    def status_of(self, problem: str) -> str:
        return "selector matches nothing" if "matches nothing" in problem else "unreadable"

    async def read(
        self, client: httpx.AsyncClient, body: bytes, content_type: str | None, previous: FeedState, now: float,
        limiter: HostLimiter,
    ) -> ParsedFeed:  # fmt: skip
        return await asyncio.to_thread(parse_listing, body, content_type, self.url(previous), self.selectors, self.zone, now)
