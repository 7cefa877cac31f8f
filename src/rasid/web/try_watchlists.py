"""Try the watch-lists: paste a report, see which lists fire and why, before touching the YAML
(what `rasid match` prints, as a page)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from rasid.explain import how
from rasid.models import Verdict
from rasid.web import csrf
from rasid.web.forms import read_form
from rasid.web.templates import rendered

MAX_TEXT = 200_000
"""Characters of pasted text matched at most, as much as one report holds."""


def try_watchlists(templates: Environment, verdicts: Callable[[str], list[Verdict]]) -> Callable[[Request], Any]:
    async def handle(request: Request) -> Response:
        text, results = "", None
        if request.method == "POST":
            form = await read_form(request, MAX_TEXT * 4)
            if form is None or not csrf.valid(request, form.get("csrf")):
                return PlainTextResponse("refused: this form did not come from the console's own page", status_code=403)
            text = form.get("text", "")[:MAX_TEXT]
            results = [_shown(v) for v in await asyncio.to_thread(verdicts, text)]
        return rendered(templates, request, "try", "try", text=text, results=results)

    return handle


def _shown(verdict: Verdict) -> dict[str, Any]:
    return {
        "watchlist": verdict.watchlist,
        "fired": verdict.fired,
        "reason": verdict.reason,
        "notes": verdict.notes,
        "matches": [{"kind": m.kind, "term": m.term, "surface": m.surface, "how": how(m)} for m in verdict.matches],
        "surfaces": [m.surface for m in verdict.matches],
    }
