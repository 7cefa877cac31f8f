"""A story's page: the report that opened it and every outlet that carried it since, in order,
with how close each copy was."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from rasid.store import Store
from rasid.web.interface import language, words


def story_page(store: Store, templates: Environment) -> Callable[[Request], Any]:
    async def handle(request: Request) -> Response:
        story = await asyncio.to_thread(store.story, request.path_params["story_id"])
        if story is None:
            return PlainTextResponse("no such story", status_code=404)
        lang = language(request)
        copies = [
            {"source": s.source, "title": s.title, "url": s.url, "seen": _iso(s.seen), "similarity": s.similarity}
            for s in story.sources
        ]
        page = templates.get_template("views/story.html").render(
            lang=lang, t=words(lang), title=story.title, story=story, created=_iso(story.created), copies=copies
        )
        return HTMLResponse(page)

    return handle


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).isoformat(timespec="seconds")
