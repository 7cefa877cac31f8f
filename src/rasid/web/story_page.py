"""A story's page: the report that opened it and every outlet that carried it since, in order,
with how close each copy was."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from rasid.store import Store
from rasid.web.templates import rendered


def story_page(store: Store, templates: Environment) -> Callable[[Request], Any]:
    async def handle(request: Request) -> Response:
        story = await asyncio.to_thread(store.story, request.path_params["story_id"])
        if story is None:
            return PlainTextResponse("no such story", status_code=404)
        copies = [
            {"source": s.source, "title": s.title, "url": s.url, "seen": _iso(s.seen), "similarity": s.similarity}
            for s in story.sources
        ]
        return rendered(templates, request, "story", story.title, story=story, created=_iso(story.created), copies=copies)

    return handle


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).isoformat(timespec="seconds")
