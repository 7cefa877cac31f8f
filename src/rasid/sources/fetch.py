"""HTTP fetching for sources: conditional, capped, redirect-aware, polite per host."""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

MAX_REDIRECTS = 5
PER_HOST = 2
"""Requests at once to one host, whatever the number of its feeds."""
CONNECT_TIMEOUT = 10.0


class FetchError(Exception):
    """A fetch that produced no usable body; `gone` for HTTP 410."""

    def __init__(self, message: str, status: int | None = None, gone: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.gone = gone


@dataclass
class Fetched:
    """A response body, or `not_modified`, and where the resource now lives."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    url: str = ""
    moved_to: str | None = None
    """The target of a permanent redirect (301, 308), to poll from now on."""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class HostLimiter:
    """One semaphore per host."""

    def __init__(self, per_host: int = PER_HOST) -> None:
        self.per_host = per_host
        self._semaphores: dict[str, asyncio.Semaphore] = {}

    def __call__(self, url: str) -> asyncio.Semaphore:
        host = urlsplit(url).hostname or ""
        if host not in self._semaphores:
            self._semaphores[host] = asyncio.Semaphore(self.per_host)
        return self._semaphores[host]


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    timeout: float,
    max_bytes: int,
    limiter: HostLimiter,
) -> Fetched:
    """GET `url`, following at most `MAX_REDIRECTS` redirects, reading at most `max_bytes`.
    `timeout` bounds each request from its start; waiting for a turn at a busy host does not count."""
    moved_to: str | None = None
    permanent = True
    for _ in range(MAX_REDIRECTS + 1):
        async with limiter(url):
            try:
                step = await asyncio.wait_for(_request(client, url, headers, timeout, max_bytes), timeout)
            except asyncio.TimeoutError:
                raise FetchError(f"no complete answer within {timeout:g}s") from None
        if isinstance(step, Fetched):
            return dataclasses.replace(step, moved_to=moved_to)
        status, target = step
        permanent = permanent and status in (301, 308)
        if permanent:
            moved_to = target
        url = target
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")


async def _request(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], timeout: float, max_bytes: int
) -> Fetched | tuple[int, str]:
    """One request: the response, or a redirect's status and target."""
    try:
        request_timeout = httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout))
        async with client.stream("GET", url, headers=headers, timeout=request_timeout, follow_redirects=False) as r:
            if r.status_code in (301, 302, 303, 307, 308) and "location" in r.headers:
                target = urljoin(url, r.headers["location"])
                if urlsplit(target).scheme not in ("http", "https"):
                    raise FetchError(f"redirect to a non-HTTP address {target!r}", r.status_code)
                return r.status_code, target
            if r.status_code == 410:
                raise FetchError("HTTP 410 Gone", 410, gone=True)
            if r.status_code == 304:
                return Fetched(304, headers=dict(r.headers), url=url)
            if r.status_code >= 400:
                raise FetchError(f"HTTP {r.status_code}", r.status_code)
            declared = int(r.headers.get("content-length") or 0)
            if declared > max_bytes:
                raise FetchError(f"response of {declared} bytes is over max_bytes ({max_bytes})", r.status_code)
            body = bytearray()
            async for chunk in r.aiter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    raise FetchError(f"response over max_bytes ({max_bytes})", r.status_code)
            return Fetched(r.status_code, bytes(body), dict(r.headers), url)
    except httpx.TimeoutException as exc:
        raise FetchError(f"timeout ({type(exc).__name__})") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__) from None
