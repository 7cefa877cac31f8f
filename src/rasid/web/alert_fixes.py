"""After a false positive: the watch-list changes that would have prevented it, each checked
over the last week's archive as `rasid diff-config` would check it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from rasid.config import Config
from rasid.fixes import Fix, checked_fixes
from rasid.store import Store
from rasid.web.templates import rendered

CHECKED_OVER = 7 * 86400.0
"""Seconds of archive each change is checked over."""


def alert_fixes(store: Store, templates: Environment, config: Callable[[], Config]) -> Callable[[Request], Any]:
    async def handle(request: Request) -> Response:
        alert_id = request.path_params["alert_id"]
        document = await asyncio.to_thread(store.alert_document, alert_id)
        if document is None:
            return PlainTextResponse("no such alert", status_code=404)
        in_force = config()
        watchlist = next((w for w in in_force.watchlists if w.name == document["watchlist"]), None)
        report = await asyncio.to_thread(store.archived_report, alert_id)
        fixes: list[Fix] = []
        if watchlist is not None and report is not None:
            archive = await asyncio.to_thread(lambda: list(store.archived(time.time() - CHECKED_OVER)))
            fixes = await asyncio.to_thread(checked_fixes, watchlist, report, archive, in_force.gazetteer.places)
        return rendered(
            templates, request, "fixes", "fixes", alert=document, fixes=fixes, archived=report is not None,
            listed=watchlist is not None,
        )  # fmt: skip

    return handle
