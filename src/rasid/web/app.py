"""The HTTP routes: `/healthz` and `/metrics` for machines that watch the daemon, the alerts as
JSON (`/api/alerts`) and as Atom feeds (`/alerts.atom`, `/watchlists/{name}.atom`) for people
and their readers."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import time
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
from rasid.config.models import HttpConfig
from rasid.match.gazetteer import Gazetteer
from rasid.models import Verdict
from rasid.source_status import source_rows
from rasid.store import Store
from rasid.web.access import CLOSED, Access
from rasid.web.alert_fixes import alert_fixes
from rasid.web.alert_filters import FilterError, chosen_filters, cursor, with_cursor
from rasid.web.alert_list import alert_list
from rasid.web.alert_verdict import alert_verdict
from rasid.web.atom import atom_feed
from rasid.web.geojson import located, place_features
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

PAGE = 50
"""Alerts in one answer of the API or one feed, unless `limit` asks for fewer (or up to `MAX_PAGE`)."""
MAX_PAGE = 500


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

    def refused() -> Response:
        return JSONResponse({"error": CLOSED}, status_code=403)

    known: dict[int, Gazetteer] = {}

    def places() -> Gazetteer | None:
        """The gazetteer with the config's own places, made again only when the config changes."""
        if config is None:
            return None
        from rasid.match import gazetteer_with

        custom = config().gazetteer
        if id(custom) not in known:
            known.clear()
            known[id(custom)] = gazetteer_with(custom.places)
        return known[id(custom)]

    async def api_alerts(request: Request) -> Response:
        if not alerts_shown:
            return refused()
        try:
            limit = _limit(request)
            chosen = chosen_filters(request.query_params, places(), time.time())
            selected = with_cursor(chosen, cursor(request.query_params.get("before")))
        except (ValueError, FilterError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        rows = await asyncio.to_thread(store.alert_documents, limit, selected)
        next_cursor = f"{rows[-1][0]!r}~{rows[-1][1]}" if len(rows) == limit else None
        body = {"alerts": [document for _, _, document in rows], "next": next_cursor}
        return Response(json.dumps(body, ensure_ascii=False), media_type="application/json")

    async def api_places(request: Request) -> Response:
        """GeoJSON: a point for each place the selected alerts name (the last 7 days unless `since` says)."""
        if not alerts_shown:
            return refused()
        try:
            chosen = chosen_filters({"since": "7d", **request.query_params}, places(), time.time())
        except FilterError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        counts = await asyncio.to_thread(store.alert_place_counts, chosen.selected)
        body = place_features(located(counts, places()))
        return Response(json.dumps(body, ensure_ascii=False), media_type="application/geo+json")

    async def feed(request: Request) -> Response:
        if not alerts_shown:
            return refused()
        watchlist = request.path_params.get("name")
        try:
            chosen = chosen_filters({**request.query_params, **({"watchlist": watchlist} if watchlist else {})}, places(), time.time())
        except FilterError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        rows = await asyncio.to_thread(store.alert_documents, PAGE, chosen.selected)
        title = f"rasid: {watchlist}" if watchlist else "rasid: every alert"
        body = atom_feed(title, str(request.url), [document for _, _, document in rows])
        return Response(body, media_type="application/atom+xml; charset=utf-8")

    async def api_stories(request: Request) -> Response:
        """Stories newest first (the last 7 days unless `since` says), with their outlets, by cursor."""
        if not alerts_shown:
            return refused()
        try:
            limit = _limit(request)
            since = chosen_filters({"since": request.query_params.get("since", "7d")}, None, time.time()).selected.since
            before = cursor(request.query_params.get("before"))
        except (ValueError, FilterError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        rows = await asyncio.to_thread(store.stories, since or 0.0, limit, before)
        body = {"stories": [s.to_json() for s in rows], "next": f"{rows[-1].created!r}~{rows[-1].id}" if len(rows) == limit else None}
        return Response(json.dumps(body, ensure_ascii=False), media_type="application/json")

    async def api_sources(request: Request) -> Response:
        """Every configured source's state, as `rasid sources --json` gives it."""
        if not alerts_shown or config is None:
            return refused()
        states = await asyncio.to_thread(store.feed_states)
        body = {"sources": source_rows(config(), states)}
        return Response(json.dumps(body, ensure_ascii=False), media_type="application/json")

    async def api_verdicts(request: Request) -> Response:
        """Every verdict given, with its alert: the evaluation set a team builds for its lists."""
        if not alerts_shown:
            return refused()
        judged = await asyncio.to_thread(store.verdicts)
        rows = [
            {"alert": alert_id, "verdict": verdict, "note": note, "at": at}
            for alert_id, (verdict, note, at) in judged.items()
        ]
        return Response(json.dumps({"verdicts": rows}, ensure_ascii=False), media_type="application/json")

    routes: list[BaseRoute] = [
        Route("/healthz", healthz),
        Route("/metrics", metrics_page),
        Route("/api/alerts", api_alerts),
        Route("/api/verdicts", api_verdicts),
        Route("/api/stories", api_stories),
        Route("/api/sources", api_sources),
        Route("/api/places.geojson", api_places),
        Route("/alerts.atom", feed),
        Route("/watchlists/{name}.atom", feed),
    ]
    if alerts_shown:
        templates = environment()
        routes += [
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


def _limit(request: Request) -> int:
    raw = request.query_params.get("limit", str(PAGE))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise ValueError(f"limit must be a whole number from 1 to {MAX_PAGE}")
    return int(raw)
