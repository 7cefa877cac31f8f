"""`SitemapSource`: a site's (news) sitemap polled like a feed, each new page it lists taken in
through the full-text path; an index is followed to its newest sitemaps."""

from __future__ import annotations

import asyncio
import logging

import httpx

from rasid.config.models import SitemapConfig
from rasid.sources.discovery import looks_like_html
from rasid.sources.feedparse import ParsedFeed
from rasid.sources.feeds import HTML_PAGE, FeedSource
from rasid.sources.fetch import FetchError, HostLimiter, fetch
from rasid.sources.sitemap import parse_sitemap
from rasid.store.base import FeedState

log = logging.getLogger("rasid.sources.sitemap")

CHILDREN = 3
"""The newest sitemaps of an index read at each poll."""


class SitemapSource(FeedSource):
    kind = "sitemap"

    def __init__(self, config: SitemapConfig) -> None:
        super().__init__(config)
        self.languages = frozenset(language.lower() for language in config.languages)

    async def read(
        self, client: httpx.AsyncClient, body: bytes, content_type: str | None, previous: FeedState, now: float,
        limiter: HostLimiter,
    ) -> ParsedFeed:  # fmt: skip
        if looks_like_html(content_type, body):  # a login page, a redesign's front page
            return ParsedFeed([], f"{HTML_PAGE} (a sitemap was expected)")
        found = await asyncio.to_thread(parse_sitemap, body, now, self.languages)
        if not found.children:
            return found.parsed
        entries, failures, problems = [], [], []
        for child in found.children[:CHILDREN]:
            try:
                got = await fetch(client, child, {}, self.config.timeout, self.config.max_bytes, limiter,
                                  home=self.config.url, allow_private=self.config.allow_private)  # fmt: skip
            except FetchError as exc:
                problems.append(f"{child}: {exc}")
                continue
            part = await asyncio.to_thread(parse_sitemap, got.body, now, self.languages)
            entries += part.parsed.entries
            failures += part.parsed.failures
            if part.parsed.problem:
                problems.append(f"{child}: {part.parsed.problem}")
        for problem in problems:
            log.warning("sitemap not read source=%s %s", self.name, problem)
        return ParsedFeed(entries, "; ".join(problems) if problems and not entries else None, failures)
