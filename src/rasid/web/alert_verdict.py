"""Triage: a person marks an alert useful or a false positive, with a note."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from rasid.store import Store
from rasid.web import csrf
from rasid.web.forms import read_form

VERDICTS = ("useful", "false_positive")
MAX_NOTE = 2000


def alert_verdict(store: Store) -> Callable[[Request], Any]:
    async def handle(request: Request) -> Response:
        form = await read_form(request)
        if form is None:
            return PlainTextResponse("a form is a few kilobytes of application/x-www-form-urlencoded", status_code=400)
        if not csrf.valid(request, form.get("csrf")):
            return PlainTextResponse("refused: this form did not come from the console's own page", status_code=403)
        verdict = form.get("verdict", "")
        if verdict not in VERDICTS:
            return PlainTextResponse(f"verdict must be one of {', '.join(VERDICTS)}", status_code=400)
        note = form.get("note", "")[:MAX_NOTE]
        alert_id = request.path_params["alert_id"]
        if not await asyncio.to_thread(store.set_verdict, alert_id, verdict, note, time.time()):
            return PlainTextResponse("no such alert", status_code=404)
        target = f"/alerts/{alert_id}/fixes" if verdict == "false_positive" else f"/#{alert_id}"
        return RedirectResponse(target, status_code=303)

    return handle

