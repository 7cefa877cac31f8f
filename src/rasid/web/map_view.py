"""The map's geometry: which part of the world to show, where each place falls on it, and which
places are drawn as one circle at that scale. Degrees throughout: x is the longitude times
`stretch` (so that a degree east is as long as a degree north in the middle of the view) and
y the latitude turned over, as the outlines in `static/countries.svg` are drawn."""

from __future__ import annotations

import math
from dataclasses import dataclass

from rasid.store import PlaceCount

ARAB_WORLD = (-18.0, -13.0, 60.0, 38.0)
"""West, south, east, north of the view with no alerts to show."""
MIN_SPAN = 3.0
"""Degrees: the view is never closer than this (a village's alerts still show its neighbours)."""
CLUSTER = 1 / 20
"""Places closer than this share of the view's width are one circle."""


@dataclass(frozen=True)
class View:
    west: float
    south: float
    east: float
    north: float

    @property
    def stretch(self) -> float:
        return math.cos(math.radians((self.south + self.north) / 2))

    @property
    def box(self) -> tuple[float, float, float, float]:
        """The SVG viewBox: x, y, width, height."""
        return self.west * self.stretch, -self.north, (self.east - self.west) * self.stretch, self.north - self.south

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        return lon * self.stretch, -lat


@dataclass(frozen=True)
class Circle:
    """One or more places drawn as one: where, how many alerts, which places (largest count first)."""

    x: float
    y: float
    alerts: int
    places: tuple[PlaceCount, ...]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """West, south, east, north of its places."""
        lons = [p.lon for p in self.places if p.lon is not None]
        lats = [p.lat for p in self.places if p.lat is not None]
        return min(lons), min(lats), max(lons), max(lats)


def view_of(counts: list[PlaceCount], asked: tuple[float, float, float, float] | None = None) -> View:
    """The asked box, else the box around every place (with a margin), else the Arab world."""
    if asked is not None:
        west, south, east, north = asked
    elif counts:
        lons = [c.lon for c in counts if c.lon is not None]
        lats = [c.lat for c in counts if c.lat is not None]
        west, south, east, north = min(lons), min(lats), max(lons), max(lats)
    else:
        west, south, east, north = ARAB_WORLD
    margin = max(MIN_SPAN, east - west, north - south) * 0.1
    west, south, east, north = west - margin, south - margin, east + margin, north + margin
    width, height = max(MIN_SPAN, east - west), max(MIN_SPAN, north - south)
    middle_x, middle_y = (west + east) / 2, (south + north) / 2
    return View(middle_x - width / 2, max(-85.0, middle_y - height / 2), middle_x + width / 2, min(85.0, middle_y + height / 2))


def circles(counts: list[PlaceCount], view: View) -> list[Circle]:
    """The places inside `view`, the larger first, each joining the first circle closer than
    `CLUSTER` of the view's width."""
    reach = view.box[2] * CLUSTER
    groups: list[tuple[float, float, list[PlaceCount]]] = []
    for c in sorted(counts, key=lambda c: (-c.alerts, c.place)):
        if c.lon is None or c.lat is None or not (view.west <= c.lon <= view.east and view.south <= c.lat <= view.north):
            continue
        x, y = view.point(c.lon, c.lat)
        home = next((g for g in groups if math.hypot(g[0] - x, g[1] - y) < reach), None)
        if home is None:
            groups.append((x, y, [c]))
        else:
            home[2].append(c)
    return [Circle(x, y, sum(p.alerts for p in members), tuple(members)) for x, y, members in groups]
