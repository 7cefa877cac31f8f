"""The HTTP app: `/healthz` and `/metrics` for machines that watch the daemon, and where the
alerts may be shown, the console's pages and the machine interfaces (`machine_api`), behind
the host check and who may sign in."""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from rasid.config import Config
from rasid.config.models import GazetteerConfig, HttpConfig
from rasid.match.gazetteer import Gazetteer
from rasid.models import Verdict
from rasid.store import Store
from rasid.web.access import Access
from rasid.web.alert_fixes import alert_fixes
from rasid.web.alert_list import alert_list
from rasid.web.alert_verdict import alert_verdict
from rasid.web.machine_api import machine_routes
from rasid.web.map_page import map_page
from rasid.web.outbox_page import outbox_action, outbox_page
from rasid.web.people import People
from rasid.web.sign_in import login, login_page, logout
from rasid.web.source_list import source_list
from rasid.web.story_page import story_page
from rasid.web.templates import environment
from rasid.web.try_watchlists import try_watchlists

Health = Callable[[], Awaitable[tuple[bool, dict[str, object]]]]
MetricsText = Callable[[], Awaitable[bytes]]

def is_loopback(listen: str) -> bool:
    """Whether `host:port` listens on this machine only."""
    host = listen.rpartition(":")[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build_app(
    store: Store,
    health: Health,
    metrics: MetricsText,
    *,
    alerts_shown: bool,
    watchlists: Callable[[], list[str]] = list,
    verdicts: Callable[[str], list[Verdict]] = lambda text: [],
    config: Callable[[], Config] | None = None,
    loopback: bool = True,
) -> Starlette:
    """The routes for `store`; the alerts, the console and its triage (`alerts_shown`) only
    where the address is this machine's alone or people must sign in: alerts quote the news a
    team follows, which is nobody else's business. `watchlists()` names the watch-lists in force, `verdicts(text)`
    matches a text against them, `config()` is the config in force (for the sources page, the
    gazetteer and who may sign in); `loopback`: whether the address is this machine's alone."""
    settings = (lambda: config().http or HttpConfig()) if config is not None else HttpConfig
    people = People(store, settings)

    async def healthz(request: Request) -> Response:
        ok, detail = await health()
        return JSONResponse(detail, status_code=200 if ok else 503)

    async def metrics_page(request: Request) -> Response:
        return Response(await metrics(), media_type="text/plain; version=0.0.4; charset=utf-8")

    known: list[tuple[GazetteerConfig, Gazetteer]] = []

    def places() -> Gazetteer | None:
        """The gazetteer with the config's own places, made again only when they change (a
        blocking call: the first loads the bundled gazetteer)."""
        if config is None:
            return None
        from rasid.match import gazetteer_with

        custom = config().gazetteer
        if not known or known[0][0] != custom:
            known[:] = [(custom, gazetteer_with(custom.places))]
        return known[0][1]

    routes: list[BaseRoute] = [Route("/healthz", healthz), Route("/metrics", metrics_page)]
    if alerts_shown:
        templates = environment()
        routes += [
            *machine_routes(store, places, config),
            Route("/login", login_page(templates)),
            Route("/login", login(templates, people, settings), methods=["POST"]),
            Route("/logout", logout(people), methods=["POST"]),
            Route("/", alert_list(store, templates, watchlists, places)),
            Route("/map", map_page(store, templates, watchlists, places)),
            Route("/alerts/{alert_id}/verdict", alert_verdict(store), methods=["POST"]),
            Route("/try", try_watchlists(templates, verdicts), methods=["GET", "POST"]),
            Route("/stories/{story_id}", story_page(store, templates)),
            Route("/outbox", outbox_page(store, templates)),
            Route("/outbox/{action}", outbox_action(store), methods=["POST"]),
            *([Route("/sources", source_list(store, templates, config))] if config is not None else []),
            *([Route("/alerts/{alert_id}/fixes", alert_fixes(store, templates, config))] if config is not None else []),
            Mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static"),
        ]
    middleware = [Middleware(LoopbackNames)] if alerts_shown and loopback else []
    middleware.append(Middleware(Access, people=people, settings=settings, loopback=loopback))
    return Starlette(routes=routes, middleware=middleware)


LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


class LoopbackNames:
    """On a loopback address, only requests that name this machine as the host they are for:
    a web page whose domain an attacker re-points at 127.0.0.1 (DNS rebinding) would otherwise
    read the alerts with the browser of someone on the machine."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _host_name(Headers(scope=scope).get("host", "")) not in LOOPBACK_NAMES:
            await PlainTextResponse("this console answers to 127.0.0.1 and localhost only", status_code=421)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _host_name(host: str) -> str:
    """`127.0.0.1:9464` -> `127.0.0.1`, `[::1]:9464` -> `::1`."""
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if host.count(":") == 1 else host
