"""The outbox page: deliveries pending and dead, per notifier; dead ones requeued, waiting ones
sent now, old rows purged (the forms carry the CSRF token)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from rasid.source_status import when
from rasid.store import Store
from rasid.web import csrf
from rasid.web.forms import read_form
from rasid.web.templates import rendered

SHOWN = 200
PURGE_AFTER = 30 * 86400.0
"""The purge button removes delivered and dead rows older than this."""


def outbox_page(store: Store, templates: Environment) -> Callable[[Request], Any]:
    async def handle(request: Request) -> Response:
        per_notifier = await asyncio.to_thread(store.outbox_by_notifier)
        rows = await asyncio.to_thread(store.outbox_rows, ("pending", "dead"), SHOWN)
        shown = [
            {
                "id": r.alert_id, "notifier": r.notifier, "status": r.status, "attempts": r.attempts,
                "next": when(r.next_attempt) if r.status == "pending" else "-", "error": r.last_error or "",
                "title": (r.document.get("report") or {}).get("title") or r.document.get("type", ""),
            }
            for r in rows
        ]  # fmt: skip
        return rendered(templates, request, "outbox", "outbox", per_notifier=per_notifier, rows=shown)

    return handle


def outbox_action(store: Store) -> Callable[[Request], Any]:
    """`retry` (dead rows back to pending), `hasten` (pending rows due now) or `purge`."""

    async def handle(request: Request) -> Response:
        form = await read_form(request)
        if form is None or not csrf.valid(request, form.get("csrf")):
            return PlainTextResponse("refused: this form did not come from the console's own page", status_code=403)
        now = time.time()
        action = request.path_params["action"]
        if action == "retry":
            await asyncio.to_thread(store.requeue, None, now)
        elif action == "hasten":
            await asyncio.to_thread(store.hasten, now)
        elif action == "purge":
            await asyncio.to_thread(store.purge, now - PURGE_AFTER)
        else:
            return PlainTextResponse("no such action", status_code=404)
        return RedirectResponse("/outbox", status_code=303)

    return handle
