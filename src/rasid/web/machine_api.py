"""The alerts for programs, with the console's filters: `/api/alerts`, `/api/stories`,
`/api/sources` and `/api/verdicts` as JSON with cursors, `/api/places.geojson`, and Atom feeds
of every alert and of each watch-list (`/alerts.atom`, `/watchlists/{name}.atom`)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from rasid.config import Config
from rasid.match.gazetteer import Gazetteer
from rasid.source_status import source_rows
from rasid.store import Store
from rasid.web.alert_filters import FilterError, chosen_filters, cursor, with_cursor
from rasid.web.atom import atom_feed
from rasid.web.geojson import located, place_features

PAGE = 50
"""Alerts in one answer of the API or one feed, unless `limit` asks for fewer (or up to `MAX_PAGE`)."""
MAX_PAGE = 500


def machine_routes(store: Store, places: Callable[[], Gazetteer | None], config: Callable[[], Config] | None) -> list[BaseRoute]:
    """The routes; `places()` (blocking) is the gazetteer place filters are read with, `config()` the config in force."""

    async def api_alerts(request: Request) -> Response:
        gazetteer = await asyncio.to_thread(places)
        try:
            limit = _limit(request)
            chosen = chosen_filters(request.query_params, gazetteer, time.time())
            selected = with_cursor(chosen, cursor(request.query_params.get("before")))
        except (ValueError, FilterError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        rows = await asyncio.to_thread(store.alert_documents, limit, selected)
        next_cursor = f"{rows[-1][0]!r}~{rows[-1][1]}" if len(rows) == limit else None
        body = {"alerts": [document for _, _, document in rows], "next": next_cursor}
        return _json(body)

    async def api_places(request: Request) -> Response:
        """GeoJSON: a point for each place the selected alerts name (the last 7 days unless `since` says)."""
        gazetteer = await asyncio.to_thread(places)
        try:
            chosen = chosen_filters({"since": "7d", **request.query_params}, gazetteer, time.time())
        except FilterError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        counts = await asyncio.to_thread(store.alert_place_counts, chosen.selected)
        body = place_features(located(counts, gazetteer))
        return _json(body, "application/geo+json")

    async def feed(request: Request) -> Response:
        watchlist = request.path_params.get("name")
        gazetteer = await asyncio.to_thread(places)
        try:
            chosen = chosen_filters({**request.query_params, **({"watchlist": watchlist} if watchlist else {})}, gazetteer, time.time())
        except FilterError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        rows = await asyncio.to_thread(store.alert_documents, PAGE, chosen.selected)
        title = f"rasid: {watchlist}" if watchlist else "rasid: every alert"
        body = atom_feed(title, str(request.url), [document for _, _, document in rows])
        return Response(body, media_type="application/atom+xml; charset=utf-8")

    async def api_stories(request: Request) -> Response:
        """Stories newest first (the last 7 days unless `since` says), with their outlets, by cursor."""
        try:
            limit = _limit(request)
            since = chosen_filters({"since": request.query_params.get("since", "7d")}, None, time.time()).selected.since
            before = cursor(request.query_params.get("before"))
        except (ValueError, FilterError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        rows = await asyncio.to_thread(store.stories, since or 0.0, limit, before)
        body = {"stories": [s.to_json() for s in rows], "next": f"{rows[-1].created!r}~{rows[-1].id}" if len(rows) == limit else None}
        return _json(body)

    async def api_sources(request: Request) -> Response:
        """Every configured source's state, as `rasid sources --json` gives it."""
        if config is None:
            return JSONResponse({"error": "no config to list sources from"}, status_code=404)
        states = await asyncio.to_thread(store.feed_states)
        body = {"sources": source_rows(config(), states)}
        return _json(body)

    async def api_verdicts(request: Request) -> Response:
        """Every verdict given, with its alert: the evaluation set a team builds for its lists."""
        judged = await asyncio.to_thread(store.verdicts)
        rows = [
            {"alert": alert_id, "verdict": verdict, "note": note, "at": at}
            for alert_id, (verdict, note, at) in judged.items()
        ]
        return _json({"verdicts": rows})

    return [
        Route("/api/alerts", api_alerts),
        Route("/api/verdicts", api_verdicts),
        Route("/api/stories", api_stories),
        Route("/api/sources", api_sources),
        Route("/api/places.geojson", api_places),
        Route("/alerts.atom", feed),
        Route("/watchlists/{name}.atom", feed),
    ]


def _json(body: object, media_type: str = "application/json") -> Response:
    return Response(json.dumps(body, ensure_ascii=False), media_type=media_type)


def _limit(request: Request) -> int:
    raw = request.query_params.get("limit", str(PAGE))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise ValueError(f"limit must be a whole number from 1 to {MAX_PAGE}")
    return int(raw)
