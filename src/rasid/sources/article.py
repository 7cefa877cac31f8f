"""Full text of linked articles, for feeds that carry only a line of each report.

Article links come from untrusted feed content, so a link (and every redirect) must resolve to
a public address, unless the feed allows private ones; the checked address is the one dialled.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import time
from collections import OrderedDict
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from rasid.sources.decode import decode_document
from rasid.sources.fetch import CONNECT_TIMEOUT, MAX_REDIRECTS, FetchError, HostLimiter
from rasid.sources.html import main_text

log = logging.getLogger("rasid.sources.article")

CACHE_SIZE = 2048
PER_HOST_SPACING = 0.5
"""Seconds between two article requests to one host."""


async def public_address(host: str, port: int, allow_private: bool) -> str:
    """The address `host` resolves to, refused if it is loopback, private, link-local or reserved."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve {host}: {exc.strerror}") from None
    address = infos[0][4][0]
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if not allow_private and not ip.is_global:
        raise FetchError(f"{host} resolves to a non-public address ({ip}); set allow_private to fetch it")
    return address


class ArticleFetcher:
    """Fetches and extracts article text, caching by URL and spacing requests per host."""

    def __init__(self, client: httpx.AsyncClient, limiter: HostLimiter, timeout: float = 20.0, max_bytes: int = 5_000_000) -> None:
        self.client = client
        self.limiter = limiter
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._cache: OrderedDict[str, str | None] = OrderedDict()
        self._last: dict[str, float] = {}

    async def text(self, url: str, allow_private: bool = False) -> str | None:
        """The main text of the article at `url`, or None when it cannot be had (logged)."""
        if url in self._cache:
            self._cache.move_to_end(url)
            return self._cache[url]
        try:
            html = await asyncio.wait_for(self._get(url, allow_private), self.timeout)
            text = await asyncio.to_thread(main_text, html)
        except (FetchError, asyncio.TimeoutError) as exc:
            log.warning("article not fetched url=%s error=%r", url, str(exc) or "timeout")
            text = None
        self._cache[url] = text
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return text

    async def _get(self, url: str, allow_private: bool) -> str:
        for _ in range(MAX_REDIRECTS + 1):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise FetchError(f"not an http(s) URL: {url!r}")
            port = parts.port or (443 if parts.scheme == "https" else 80)
            address = await public_address(parts.hostname, port, allow_private)
            host_for_url = f"[{address}]" if ":" in address else address
            dialled = urlunsplit((parts.scheme, f"{host_for_url}:{port}", parts.path or "/", parts.query, ""))
            await self._space(parts.hostname)
            async with self.limiter(url):
                try:
                    async with self.client.stream(
                        "GET",
                        dialled,
                        headers={"Host": parts.netloc.rpartition("@")[2]},
                        extensions={"sni_hostname": parts.hostname},
                        timeout=httpx.Timeout(self.timeout, connect=CONNECT_TIMEOUT),
                        follow_redirects=False,
                    ) as r:
                        if r.status_code in (301, 302, 303, 307, 308) and "location" in r.headers:
                            url = urljoin(url, r.headers["location"])
                            continue
                        if r.status_code >= 400:
                            raise FetchError(f"HTTP {r.status_code}", r.status_code)
                        body = bytearray()
                        async for chunk in r.aiter_bytes():
                            body += chunk
                            if len(body) > self.max_bytes:
                                raise FetchError("article over the size cap")
                        return decode_document(bytes(body), r.headers.get("content-type"))
                except httpx.HTTPError as exc:
                    raise FetchError(f"{type(exc).__name__}: {exc}") from None
        raise FetchError(f"more than {MAX_REDIRECTS} redirects")

    async def _space(self, host: str) -> None:
        wait = self._last.get(host, 0.0) + PER_HOST_SPACING - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        self._last[host] = time.monotonic()
