"""The health and metrics endpoint: `/healthz` and `/metrics` on a small asyncio server."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("rasid.http")

Health = Callable[[], Awaitable[tuple[bool, dict[str, object]]]]
MetricsText = Callable[[], Awaitable[bytes]]


async def serve(listen: str, health: Health, metrics: MetricsText) -> asyncio.base_events.Server:
    """Start serving on `host:port`; GET only, one response per connection."""
    host, _, port = listen.rpartition(":")

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readline(), 5)
            while (await asyncio.wait_for(reader.readline(), 5)) not in (b"\r\n", b"\n", b""):
                pass
            method, path, *_ = request.decode("latin-1").split() or ["", ""]
            if method != "GET":
                status, body, kind = 405, b"method not allowed\n", "text/plain"
            elif path == "/healthz":
                ok, detail = await health()
                status, body, kind = (200 if ok else 503), json.dumps(detail, ensure_ascii=False).encode(), "application/json"
            elif path == "/metrics":
                status, body, kind = 200, await metrics(), "text/plain; version=0.0.4; charset=utf-8"
            else:
                status, body, kind = 404, b"not found\n", "text/plain"
            reason = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}[status]
            head = f"HTTP/1.1 {status} {reason}\r\ncontent-type: {kind}\r\ncontent-length: {len(body)}\r\nconnection: close\r\n\r\n"
            writer.write(head.encode() + body)
            await writer.drain()
        except (asyncio.TimeoutError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, host or "127.0.0.1", int(port))
    log.info("http listening address=%s", listen)
    return server
