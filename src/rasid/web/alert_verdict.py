"""Triage: a person marks an alert useful or a false positive, with a note."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from rasid.store import Store
from rasid.web import csrf

VERDICTS = ("useful", "false_positive")
MAX_NOTE = 2000


def alert_verdict(store: Store) -> Callable[[Request], Any]:
    async def handle(request: Request) -> Response:
        form = await _form(request)
        if form is None:
            return PlainTextResponse("a form is a few kilobytes of application/x-www-form-urlencoded", status_code=400)
        if not csrf.valid(request, str(form.get("csrf") or "")):
            return PlainTextResponse("refused: this form did not come from the console's own page", status_code=403)
        verdict = str(form.get("verdict") or "")
        if verdict not in VERDICTS:
            return PlainTextResponse(f"verdict must be one of {', '.join(VERDICTS)}", status_code=400)
        note = str(form.get("note") or "")[:MAX_NOTE]
        alert_id = request.path_params["alert_id"]
        if not await asyncio.to_thread(store.set_verdict, alert_id, verdict, note, time.time()):
            return PlainTextResponse("no such alert", status_code=404)
        return RedirectResponse(f"/#{alert_id}", status_code=303)

    return handle


MAX_FORM = 16_384


async def _form(request: Request) -> dict[str, str] | None:
    """The fields of a small urlencoded form (the console sends no other), or None."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            return None
    return {key: values[0] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}
