"""The map: the places the selected alerts name (the last 7 days unless the filters say), on
country outlines that ship with rasid; a circle leads to those alerts, or closer in where it
stands for several places."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from rasid.match.gazetteer import Gazetteer
from rasid.store import Store
from rasid.web.alert_filters import STATES, FilterError, chosen_filters
from rasid.web.geojson import located
from rasid.web.map_view import Circle, View, circles, view_of
from rasid.web.templates import rendered

DEFAULT_SPAN = "7d"


def map_page(store: Store, templates: Environment, watchlists: Callable[[], list[str]],
             gazetteer: Callable[[], Gazetteer | None]) -> Callable[[Request], Any]:  # fmt: skip
    async def handle(request: Request) -> Response:
        params = dict(request.query_params)
        params.setdefault("since", DEFAULT_SPAN)
        places = await asyncio.to_thread(gazetteer)
        try:
            chosen = chosen_filters(params, places, time.time())
            asked = _box(params.get("bbox"))
        except FilterError as exc:
            return PlainTextResponse(str(exc), status_code=400)
        counts = located(await asyncio.to_thread(store.alert_place_counts, chosen.selected), places)
        view = view_of(counts, asked)
        shown = circles(counts, view)
        return rendered(
            templates, request, "map", "map", shown=view, circles=[_drawn(c, view, chosen.given) for c in shown],
            places=counts[:50], chosen=chosen.given, watchlists=watchlists(), states=STATES,
            list_query=urlencode(chosen.given), stroke=view.box[2] / 600,
        )  # fmt: skip

    return handle


def _drawn(circle: Circle, view: View, given: dict[str, str]) -> dict[str, Any]:
    """A circle as the template draws it: its size, label and link."""
    first = circle.places[0]
    if len(circle.places) == 1:
        link = "/?" + urlencode({**given, "place": first.name})
    else:
        west, south, east, north = circle.bounds
        link = "/map?" + urlencode({**given, "bbox": f"{west:.3f},{south:.3f},{east:.3f},{north:.3f}"})
    unit = view.box[2] / 100
    return {
        "x": round(circle.x, 4), "y": round(circle.y, 4), "r": round(unit * (1.2 + 0.7 * math.sqrt(circle.alerts)), 4),
        "alerts": circle.alerts, "label": first.name + (f" \u2066+{len(circle.places) - 1}\u2069" if len(circle.places) > 1 else ""),  # isolated: "+1" stays as written in RTL
        "names": "، ".join(p.name for p in circle.places[:12]), "link": link, "font": round(unit * 2.8, 4),
    }  # fmt: skip


def _box(raw: str | None) -> tuple[float, float, float, float] | None:
    if not raw:
        return None
    try:
        west, south, east, north = (float(part) for part in raw.split(","))
    except ValueError:
        raise FilterError("bbox is west,south,east,north in degrees") from None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise FilterError("bbox is west,south,east,north in degrees")
    return west, south, east, north
