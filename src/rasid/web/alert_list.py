"""The alerts page: newest first, by watch-list and source, a page at a time, with each alert's
passage, places, keywords, story and verdict."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import Response

from rasid.delivery.formats.wording import Wording
from rasid.store import Store
from rasid.web.interface import language
from rasid.web.templates import rendered

PAGE = 30


def alert_list(
    store: Store, templates: Environment, watchlists: Callable[[], list[str]], live_every: int = 10_000
) -> Callable[[Request], Any]:
    """The handler; the first page checks every `live_every` milliseconds for newer alerts and the daemon's health."""

    async def handle(request: Request) -> Response:
        params = request.query_params
        chosen = {"watchlist": params.get("watchlist") or None, "source": params.get("source") or None}
        before = _cursor(params.get("before"))
        rows = await asyncio.to_thread(store.alert_documents, PAGE, before, chosen["watchlist"], chosen["source"])
        judged = await asyncio.to_thread(store.verdicts, [alert_id for _, alert_id, _ in rows])
        wording = Wording(language(request))
        alerts = [_shown(document, judged.get(alert_id), wording) for _, alert_id, document in rows]
        after = {k: v for k, v in chosen.items() if v}
        next_page = urlencode({**after, "before": f"{rows[-1][0]!r}~{rows[-1][1]}"}) if len(rows) == PAGE else None
        live = None
        if before is None:  # the first page: it says when newer alerts arrive
            live = {"newest": rows[0][1] if rows else "", "query": "&" + urlencode(after) if after else "", "every": live_every}
        return rendered(
            templates, request, "alerts", "alerts", alerts=alerts, watchlists=watchlists(), chosen=chosen, next=next_page, live=live
        )

    return handle


def _shown(document: dict[str, Any], verdict: tuple[str, str, float] | None, wording: Wording) -> dict[str, Any]:
    matches = document.get("matches", [])
    return {
        **document,
        "sources": wording.sources((document.get("story") or {}).get("sources", 1)),
        "places": list(dict.fromkeys(m["term"] for m in matches if m.get("kind") == "place")),
        "keywords": list(dict.fromkeys(m["term"] for m in matches if m.get("kind") == "keyword")),
        "surfaces": [m["surface"] for m in matches],
        "verdict": verdict[0] if verdict else None,
        "note": verdict[1] if verdict else None,
    }


def _cursor(raw: str | None) -> tuple[float, str] | None:
    if not raw:
        return None
    created, _, alert_id = raw.partition("~")
    try:
        return float(created), alert_id
    except ValueError:
        return None
