"""A feed server on fifty loopback addresses, in the benchmark's own process, for the polling benchmarks."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.sharedctypes import Synchronized

HOSTS = [f"127.0.0.{i}" for i in range(2, 52)]
"""Fifty loopback addresses stand for fifty news sites, so the per-host limit acts as it would."""


class FeedHandler(BaseHTTPRequestHandler):
    """Quiet HTTP/1.1; subclasses answer GET with `reply`."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve_forever(handler: type[BaseHTTPRequestHandler], port: Synchronized[int]) -> None:
    """Serve `handler` on every address of `HOSTS` at one port, published through `port`."""
    first = ThreadingHTTPServer((HOSTS[0], 0), handler)
    servers = [first] + [ThreadingHTTPServer((host, first.server_address[1]), handler) for host in HOSTS[1:]]
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    port.value = first.server_address[1]
    threading.Event().wait()
