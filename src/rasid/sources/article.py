"""Full text of linked articles, for feeds that carry only a line of each report.

Article links come from untrusted feed content, so a link (and every redirect) must resolve to
a public address, unless the feed allows private ones; the checked address is the one dialled.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from urllib.parse import urljoin, urlsplit

import httpx

from rasid.httpbody import (
    ACCEPT_ENCODING,
    BodyTooLarge,
    UnsupportedEncoding,
    read_capped,
)
from rasid.models import MAX_TEXT_CHARS, cut_text
from rasid.redact import redact_url
from rasid.sources.decode import decode_document
from rasid.sources.fetch import (
    CONNECT_TIMEOUT,
    MAX_REDIRECTS,
    FetchError,
    HostLimiter,
    checked_dial,
    public_address,
)
from rasid.sources.html import main_text, page_title

__all__ = ["ArticleFetcher", "public_address"]

log = logging.getLogger("rasid.sources.article")

CACHE_SIZE = 2048
CACHE_CHARS = 20_000_000
"""The cache holds at most this many characters of article text in all (about 40 MB of Arabic);
the least recently used pages leave first."""
PER_HOST_SPACING = 0.5
"""Seconds between two article requests to one host."""


class ArticleFetcher:
    """Fetches and extracts article text, caching by URL and spacing requests per host."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        limiter: HostLimiter,
        timeout: float = 20.0,
        max_bytes: int = 5_000_000,
        cache_chars: int = CACHE_CHARS,
    ) -> None:
        self.client = client
        self.cache_chars = cache_chars
        self.limiter = limiter
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._cache: OrderedDict[str, str | None] = OrderedDict()
        self.titles: OrderedDict[str, str] = OrderedDict()
        """The `<title>` of the pages fetched lately, for reports that came with none of their own."""
        self._cached_chars = 0
        self._last: dict[str, float] = {}

    async def text(self, url: str, allow_private: bool = False) -> str | None:
        """The main text of the article at `url` (at most `MAX_TEXT_CHARS`), or None when it
        cannot be had (logged)."""
        if url in self._cache:
            self._cache.move_to_end(url)
            return self._cache[url]
        text = None
        try:
            html = await asyncio.wait_for(self._get(url, allow_private), self.timeout)
            text = await asyncio.to_thread(main_text, html)
            title = await asyncio.to_thread(page_title, html)
            if title:
                self.titles[url] = title
                while len(self.titles) > CACHE_SIZE:
                    self.titles.popitem(last=False)
        except (FetchError, asyncio.TimeoutError) as exc:
            log.warning("article not fetched url=%s error=%r", redact_url(url), str(exc) or "timeout")
        except Exception as exc:  # the extractor on hostile markup: this article is lost, not the poll
            log.warning("article not read url=%s error=%r", redact_url(url), f"{type(exc).__name__}: {exc}")
        if text is not None and len(text) > MAX_TEXT_CHARS:
            log.warning("article text cut url=%s chars=%d kept=%d", redact_url(url), len(text), MAX_TEXT_CHARS)
            text = cut_text(text, MAX_TEXT_CHARS)
        self._remember(url, text)
        return text

    def _remember(self, url: str, text: str | None) -> None:
        self._cache[url] = text
        self._cached_chars += len(text or "")
        while len(self._cache) > CACHE_SIZE or self._cached_chars > self.cache_chars:
            _, dropped = self._cache.popitem(last=False)
            self._cached_chars -= len(dropped or "")

    async def _get(self, url: str, allow_private: bool) -> str:
        for _ in range(MAX_REDIRECTS + 1):
            dial = await checked_dial(url, allow_private)
            await self._space(urlsplit(url).hostname or "")
            async with self.limiter(url):
                try:
                    async with self.client.stream(
                        "GET",
                        dial.url,
                        headers={**dial.host_header, "Accept-Encoding": ACCEPT_ENCODING},
                        extensions=dial.extensions,
                        timeout=httpx.Timeout(self.timeout, connect=CONNECT_TIMEOUT),
                        follow_redirects=False,
                    ) as r:
                        if r.status_code in (301, 302, 303, 307, 308) and "location" in r.headers:
                            url = urljoin(url, r.headers["location"])
                            continue
                        if r.status_code >= 400:
                            raise FetchError(f"HTTP {r.status_code}", r.status_code)
                        body = await read_capped(r, self.max_bytes)
                        return decode_document(body, r.headers.get("content-type"), f"article={redact_url(url)}")
                except BodyTooLarge:
                    raise FetchError(f"article over the size cap ({self.max_bytes} bytes)") from None
                except UnsupportedEncoding as exc:
                    raise FetchError(str(exc)) from None
                except httpx.HTTPError as exc:
                    raise FetchError(f"{type(exc).__name__}: {exc}") from None
        raise FetchError(f"more than {MAX_REDIRECTS} redirects")

    async def _space(self, host: str) -> None:
        wait = self._last.get(host, 0.0) + PER_HOST_SPACING - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        self._last[host] = time.monotonic()
