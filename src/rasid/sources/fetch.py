"""HTTP fetching for sources: conditional, capped, redirect-aware, polite per host."""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import socket
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from rasid.httpbody import (
    ACCEPT_ENCODING,
    BodyTooLarge,
    UnsupportedEncoding,
    read_capped,
)
from rasid.neterrors import transport_error
from rasid.redact import redact_url
from rasid.retry_after import parse_retry_after

MAX_REDIRECTS = 5
PER_HOST = 2
"""Requests at once to one host, whatever the number of its feeds."""
CONNECT_TIMEOUT = 10.0


class FetchError(Exception):
    """A fetch that produced no usable body; `gone` for HTTP 410."""

    def __init__(self, message: str, status: int | None = None, gone: bool = False, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.gone = gone
        self.retry_after = retry_after
        """Seconds the server asked us to wait (429, 503 with `Retry-After`)."""


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


async def public_address(host: str, port: int, allow_private: bool) -> str:
    """The address `host` resolves to, refused if it is loopback, private, link-local or reserved."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve {host}: {exc.strerror}") from None
    except UnicodeError as exc:  # a host name IDNA cannot encode (a label too long, say)
        raise FetchError(f"cannot resolve {host}: {exc}") from None
    address = infos[0][4][0]
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if not allow_private and not ip.is_global:
        raise FetchError(f"{host} resolves to a non-public address ({ip}); set allow_private to fetch it")
    return address


@dataclass(frozen=True)
class Dial:
    """Where a request really goes: a URL naming the checked address, with the original Host
    header and TLS server name, so DNS cannot be switched between the check and the connection."""

    url: str
    host_header: dict[str, str]
    extensions: dict[str, str]


async def checked_dial(url: str, allow_private: bool) -> Dial:
    """The dial for `url` once its host resolves to a public address (or any, if `allow_private`)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"not an http(s) URL: {redact_url(url)!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = await public_address(parts.hostname, port, allow_private)
    host_for_url = f"[{address}]" if ":" in address else address
    dialled = urlunsplit((parts.scheme, f"{host_for_url}:{port}", parts.path or "/", parts.query, ""))
    return Dial(dialled, {"Host": parts.netloc.rpartition("@")[2]}, {"sni_hostname": parts.hostname})


def same_origin(a: str, b: str) -> bool:
    """Whether two URLs have the same scheme, host and port."""
    def origin(url: str) -> tuple[str, str | None, int | None]:
        parts = urlsplit(url)
        return parts.scheme, parts.hostname, parts.port or {"http": 80, "https": 443}.get(parts.scheme)

    return origin(a) == origin(b)


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    timeout: float,
    max_bytes: int,
    limiter: HostLimiter,
    *,
    home: str | None = None,
    credentials: dict[str, str] | None = None,
    allow_private: bool = False,
) -> Fetched:
    """GET `url`, following at most `MAX_REDIRECTS` redirects, reading at most `max_bytes` once
    decompressed. `timeout` bounds each request from its start; waiting for a turn at a busy host
    does not count. `home` (default `url`) is the configured address: `credentials` (secret
    headers) are sent to its origin only, and any other host must resolve to a public address
    unless `allow_private`."""
    home = home or url
    moved_to: str | None = None
    permanent = True
    for _ in range(MAX_REDIRECTS + 1):
        sent = {"Accept-Encoding": ACCEPT_ENCODING, **headers}
        if credentials and same_origin(url, home):
            sent.update(credentials)
        dial = None if urlsplit(url).hostname == urlsplit(home).hostname else await checked_dial(url, allow_private)
        async with limiter(url):
            try:
                step = await asyncio.wait_for(_request(client, url, dial, sent, timeout, max_bytes), timeout)
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
    client: httpx.AsyncClient, url: str, dial: Dial | None, headers: dict[str, str], timeout: float, max_bytes: int
) -> Fetched | tuple[int, str]:
    """One request (to the checked address of `dial`, if given): the response, or a redirect's status and target."""
    try:
        request_timeout = httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout))
        async with client.stream(
            "GET",
            dial.url if dial else url,
            headers={**headers, **dial.host_header} if dial else headers,
            extensions=dial.extensions if dial else None,
            timeout=request_timeout,
            follow_redirects=False,
        ) as r:
            if r.status_code in (301, 302, 303, 307, 308) and "location" in r.headers:
                location = r.headers["location"]
                try:
                    target = urljoin(url, location)
                    parts = urlsplit(target)
                    _ = parts.port  # raises for a port out of range
                except ValueError as exc:
                    raise FetchError(f"redirect to an invalid address: {exc}", r.status_code) from None
                if parts.scheme not in ("http", "https") or not parts.hostname:
                    raise FetchError(f"redirect to a non-HTTP address {redact_url(target)!r}", r.status_code)
                return r.status_code, target
            if r.status_code == 410:
                raise FetchError("HTTP 410 Gone", 410, gone=True)
            if r.status_code == 304:
                return Fetched(304, headers=dict(r.headers), url=url)
            if r.status_code >= 400:
                wait = parse_retry_after(r.headers.get("retry-after")) if r.status_code in (429, 503) else None
                said = f", retry after {wait:.0f}s" if wait is not None else ""
                raise FetchError(f"HTTP {r.status_code}{said}", r.status_code, retry_after=wait)
            declared = int(r.headers.get("content-length") or 0)
            if declared > max_bytes:
                raise FetchError(f"response of {declared} bytes is over max_bytes ({max_bytes})", r.status_code)
            try:
                body = await read_capped(r, max_bytes)
            except BodyTooLarge:
                raise FetchError(f"response over max_bytes ({max_bytes}) once decompressed", r.status_code) from None
            except UnsupportedEncoding as exc:
                raise FetchError(str(exc), r.status_code) from None
            return Fetched(r.status_code, body, dict(r.headers), url)
    except httpx.TimeoutException as exc:
        raise FetchError(f"timeout ({type(exc).__name__})") from None
    except httpx.HTTPError as exc:
        raise FetchError(transport_error(exc, url)) from None
    except (httpx.InvalidURL, ValueError) as exc:  # a redirect to an address that is not one
        raise FetchError(f"invalid address {redact_url(url)!r}: {exc}") from None
