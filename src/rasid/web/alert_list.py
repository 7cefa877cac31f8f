"""The alerts page: newest first, filtered by watch-list, place, keyword, source, delivery state
and time, a page at a time, with each alert's passage, places, keywords, story, deliveries and
verdict."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from rasid.delivery.formats.wording import Wording
from rasid.match.gazetteer import Gazetteer
from rasid.store import Delivery, Store
from rasid.web.alert_filters import STATES, FilterError, chosen_filters, cursor, with_cursor
from rasid.web.interface import language
from rasid.web.templates import rendered

PAGE = 30


def alert_list(
    store: Store,
    templates: Environment,
    watchlists: Callable[[], list[str]],
    gazetteer: Callable[[], Gazetteer | None],
    live_every: int = 10_000,
) -> Callable[[Request], Any]:
    """The handler; the first page checks every `live_every` milliseconds for newer alerts and the daemon's health."""

    async def handle(request: Request) -> Response:
        try:
            chosen = chosen_filters(request.query_params, await asyncio.to_thread(gazetteer), time.time())
            before = cursor(request.query_params.get("before"))
        except FilterError as exc:
            return PlainTextResponse(str(exc), status_code=400)
        rows = await asyncio.to_thread(store.alert_documents, PAGE, with_cursor(chosen, before))
        ids = [alert_id for _, alert_id, _ in rows]
        judged = await asyncio.to_thread(store.verdicts, ids)
        delivered = await asyncio.to_thread(store.deliveries, ids)
        stories = list({(d.get("story") or {}).get("id") or "": None for _, _, d in rows if d.get("story")})
        outlets = await asyncio.to_thread(store.story_outlets, stories)
        wording = Wording(language(request))
        alerts = [
            _shown(document, judged.get(alert_id), delivered.get(alert_id, []), outlets, wording)
            for _, alert_id, document in rows
        ]
        next_page = urlencode({**chosen.given, "before": f"{rows[-1][0]!r}~{rows[-1][1]}"}) if len(rows) == PAGE else None
        live = None
        if before is None:  # the first page: it says when newer alerts arrive
            query = "&" + urlencode(chosen.given) if chosen.given else ""
            live = {"newest": rows[0][1] if rows else "", "query": query, "every": live_every}
        return rendered(
            templates, request, "alerts", "alerts", alerts=alerts, watchlists=watchlists(), chosen=chosen.given,
            states=STATES, next=next_page, live=live, map_query=urlencode(chosen.given),
        )  # fmt: skip

    return handle


def _shown(
    document: dict[str, Any], verdict: tuple[str, str, float] | None, deliveries: list[Delivery],
    outlets: dict[str, list[str]], wording: Wording,
) -> dict[str, Any]:  # fmt: skip
    matches = document.get("matches", [])
    carried = outlets.get((document.get("story") or {}).get("id", ""), [])
    return {
        **document,
        "sources": wording.sources(max(len(carried), (document.get("story") or {}).get("sources", 1))),
        "outlets": carried,
        "places": list(dict.fromkeys(m["term"] for m in matches if m.get("kind") == "place")),
        "keywords": list(dict.fromkeys(m["term"] for m in matches if m.get("kind") == "keyword")),
        "surfaces": [m["surface"] for m in matches],
        "deliveries": deliveries,
        "verdict": verdict[0] if verdict else None,
        "note": verdict[1] if verdict else None,
    }
