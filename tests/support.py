"""Real servers on 127.0.0.1 for tests: a feed server and a webhook receiver."""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_2c1ebfdfacf94312.txt"
DATA = Path(__file__).resolve().parent / "data"
PUBLISHED = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=1)
"""When test feed items say they were published: recent, so they alert."""


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    received: float = field(default_factory=time.monotonic)
    """When it arrived (monotonic), for latency figures."""

    def json(self) -> Any:
        return json.loads(self.body)


class _Server:
    """A threaded HTTP server whose answers come from `respond(request)`."""

    def __init__(self, port: int = 0) -> None:
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                with outer._lock:
                    outer.requests.append(request)
                response = outer.respond(request)
                if response.delay:
                    time.sleep(response.delay)
                self.send_response(response.status)
                for k, v in response.headers.items():
                    self.send_header(k, v)
                self.send_header("content-length", str(len(response.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(response.body)

            do_GET = do_POST = do_HEAD = _handle

        ThreadingHTTPServer.allow_reuse_address = True  # a receiver back on the port one stopped on
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def respond(self, request: Request) -> Response:
        raise NotImplementedError

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class FeedServer(_Server):
    """Serves fixed responses by path; honours If-None-Match against an ETag."""

    def __init__(self) -> None:
        self.routes: dict[str, Response] = {}
        super().__init__()

    def respond(self, request: Request) -> Response:
        response = self.routes.get(request.path.split("?")[0], Response(404, b"not found"))
        etag = response.headers.get("ETag")
        if etag and request.headers.get("if-none-match") == etag:
            return Response(304, headers={"ETag": etag})
        return response


class WebhookReceiver(_Server):
    """Records POSTs; answers from `plan` (one response per request) and then 200."""

    def __init__(self, plan: list[Response] | None = None, port: int = 0) -> None:
        self.plan = list(plan or [])
        super().__init__(port)

    def respond(self, request: Request) -> Response:
        with self._lock:
            if self.plan:
                return self.plan.pop(0)
        return Response(200, b"ok")

    def posts(self) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.method == "POST"]

    def wait_for(self, count: int, timeout: float = 15.0) -> list[Request]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.posts()) >= count:
                return self.posts()
            time.sleep(0.05)
        return self.posts()


def rss(items: list[dict[str, str]], encoding: str = "utf-8") -> bytes:
    """An RSS 2.0 document; item values are escaped text."""
    from xml.sax.saxutils import escape

    parts = [f'<?xml version="1.0" encoding="{encoding}"?>', "<rss version=\"2.0\"><channel>", "<title>Test feed</title>"]
    for item in items:
        parts.append("<item>" + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in item.items()) + "</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts).encode(encoding)


def seed_item() -> dict[str, str]:
    title, _, body = SEED.read_text(encoding="utf-8").partition("\n")
    return {
        "title": title,
        "link": "https://news.example/2020/07/jasim-meeting",
        "guid": "https://news.example/?p=1001",
        "description": "<p>" + body.strip().replace("\n", "</p><p>") + "</p>",
        "pubDate": PUBLISHED.strftime("%a, %d %b %Y %H:%M:%S +0000"),
    }


MEMORY_LIMIT = 1024 * 1024 * 1024
"""Address space for a `rasid` subprocess under attack: a regression fails the test, not the machine."""


def limit_memory(limit: int = MEMORY_LIMIT) -> Callable[[], None]:
    """A `preexec_fn` capping the child's address space at `limit` bytes."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def rasid(
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float = 60,
    input_text: str | None = None,
    memory_limit: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the real `rasid` command line in a subprocess, its address space capped if asked."""
    return subprocess.run(
        [sys.executable, "-m", "rasid", *args],
        cwd=cwd,
        env=clean_env(env),
        input=input_text,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit_memory(memory_limit) if memory_limit else None,
    )


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RASID_", "NOTIFY_SOCKET", "JOURNAL_STREAM"))}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


class TricklingReceiver:
    """A raw HTTP server that reads a request, then sends its answer's header lines one every `pace`
    seconds and never ends them; records how long each connection stayed open."""

    def __init__(self, pace: float = 0.5) -> None:
        import socket

        self.pace = pace
        self.durations: list[float] = []
        """Seconds each connection stayed open, once the client closed it."""
        self.opened = 0
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self._listener.getsockname()[:2]
        return f"http://{host}:{port}"

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.opened += 1
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: Any) -> None:
        import select

        started = time.monotonic()
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            try:
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                while not self._closing.is_set():
                    readable, _, _ = select.select([conn], [], [], self.pace)
                    if readable and not conn.recv(65536):
                        break  # the client gave up
                    if not readable:
                        conn.sendall(b"x-wait: still thinking\r\n")
            except OSError:
                pass
        with self._lock:
            self.durations.append(time.monotonic() - started)

    def close(self) -> None:
        self._closing.set()
        self._listener.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    """Whether `condition` came true within `timeout` seconds (polled every 50 ms)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def healthz(port: int) -> tuple[int, dict[str, Any]]:
    """The status and JSON body of `/healthz` on 127.0.0.1:`port`; (0, {}) when nothing answers."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())
    except OSError:
        return 0, {}
