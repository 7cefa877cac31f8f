"""What went wrong on the way to a server, in words an operator can act on."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import httpx


def transport_error(exc: httpx.HTTPError, url: str) -> str:
    """`connection refused 127.0.0.1:9001`: the operating system's reason, found under the
    errors httpx and anyio wrap it in, and the server's address (never the URL's path or
    credentials, which may carry tokens); the exception's name where no reason is given."""
    reason = ""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, OSError) and cause.errno:
            reason = os.strerror(cause.errno).lower()
        cause = cause.__cause__ or cause.__context__
    if not reason:
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return f"{reason} {_address(url)}".rstrip()


def _address(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme, 0)
    except ValueError:
        port = 0
    return f"{host}:{port}" if host and port else host
