"""The sources page: `rasid sources` as a table, each source with the reports it brought each
day of the last two weeks as a small bar chart."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import Response

from rasid.config import Config
from rasid.source_status import source_rows
from rasid.store import Store
from rasid.web.templates import rendered

DAYS = 14


def source_list(store: Store, templates: Environment, config: Callable[[], Config]) -> Callable[[Request], Any]:
    async def handle(request: Request) -> Response:
        now = time.time()
        today = int(now // 86400)
        states = await asyncio.to_thread(store.feed_states)
        arrivals = await asyncio.to_thread(store.arrivals_since, (today - DAYS + 1) * 86400.0)
        rows = source_rows(config(), states)
        for row in rows:
            per_day = [0] * DAYS
            for seen in arrivals.get(row["source"], []):
                per_day[int(seen // 86400) - today + DAYS - 1] += 1
            row["per_day"] = per_day
            row["peak"] = max(per_day) or 1
        return rendered(templates, request, "sources", "sources page", rows=rows, days=DAYS)

    return handle
