"""Who may reach what: with `http.users` or `http.proxy` set, every page, API answer and feed
needs a signed-in person, and read-only people change nothing; without them, only a loopback
address serves anything beyond health and metrics."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from rasid.config.models import HttpConfig
from rasid.web.people import People

OPEN = ("/healthz", "/metrics", "/login", "/static/")
"""Paths anyone reaching the address may ask for: probes, the sign-in page and its assets."""
READ_ONLY_POSTS = ("/try", "/logout")
"""Forms a read-only person may still send: they change nothing stored."""


def for_machines(path: str) -> bool:
    """Whether a path is read by programs (answered 401 with a Basic challenge, not sent to the sign-in page)."""
    return path.startswith("/api/") or path.endswith((".atom", ".geojson"))


class Access:
    """The middleware: sets `scope["person"]` (None when nobody needs to sign in) or answers
    for the app."""

    def __init__(self, app: ASGIApp, people: People, settings: Callable[[], HttpConfig], loopback: bool) -> None:
        self.app = app
        self.people = people
        self.settings = settings
        self.loopback = loopback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope["person"] = None
        path: str = scope["path"]
        if path.startswith(OPEN) or (self.loopback and not self.settings().signs_in):
            await self.app(scope, receive, send)
            return
        if not self.settings().signs_in:  # nobody to sign in, on an address others reach: closed
            await _closed(path)(scope, receive, send)
            return
        person = await self.people.of(HTTPConnection(scope))
        if person is None:
            await _unknown(scope)(scope, receive, send)
            return
        if person.read_only and scope["method"] not in ("GET", "HEAD") and path not in READ_ONLY_POSTS:
            refused = PlainTextResponse("refused: a read-only user cannot triage, retry or purge", status_code=403)
            await refused(scope, receive, send)
            return
        scope["person"] = person
        await self.app(scope, receive, send)


CLOSED = "alerts are served on a loopback address only (http.listen: 127.0.0.1:PORT), or to people who sign in (http.users, http.proxy)"


def _closed(path: str) -> Response:
    return JSONResponse({"error": CLOSED}, status_code=403) if for_machines(path) else PlainTextResponse(CLOSED, status_code=403)


def _unknown(scope: Scope) -> Response:
    if for_machines(scope["path"]):
        return PlainTextResponse("sign in: HTTP Basic with a console user", status_code=401,
                                 headers={"WWW-Authenticate": 'Basic realm="rasid", charset="UTF-8"'})  # fmt: skip
    query = scope.get("query_string", b"").decode("latin-1")
    back = scope["path"] + (f"?{query}" if query else "")
    return RedirectResponse("/login?next=" + quote(back, safe=""), status_code=303)
