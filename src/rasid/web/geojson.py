"""GeoJSON of the places alerts name, for the map and for other tools."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from rasid.match.gazetteer import Gazetteer
from rasid.store import PlaceCount


def located(counts: list[PlaceCount], gazetteer: Gazetteer | None) -> list[PlaceCount]:
    """The places with a point: a name a watch-list lists without the gazetteer gets the point
    of the gazetteer's first place by that name (the largest), and counts as that place."""
    by_place: dict[str, PlaceCount] = {}
    for c in counts:
        if c.lat is None or c.lon is None:
            found = next((p for p in gazetteer.lookup(c.name) if p.lat is not None), None) if gazetteer else None
            if found is None:
                continue
            c = replace(c, place=found.id, lat=found.lat, lon=found.lon)
        seen = by_place.get(c.place)
        by_place[c.place] = c if seen is None else replace(seen, alerts=seen.alerts + c.alerts, newest=max(seen.newest, c.newest))
    return sorted(by_place.values(), key=lambda c: (-c.alerts, c.place))


def place_features(counts: list[PlaceCount]) -> dict[str, Any]:
    """A FeatureCollection with a point per place: its name, id, how many alerts name it and when the newest came."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": c.place,
                "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
                "properties": {
                    "name": c.name,
                    "alerts": c.alerts,
                    "newest": datetime.fromtimestamp(c.newest, timezone.utc).isoformat(timespec="seconds"),
                },
            }
            for c in counts
        ],
    }
