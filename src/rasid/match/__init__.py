"""Arabic-aware watch-list matching: compile once, match many texts."""

from __future__ import annotations

from rasid.config.models import CustomPlace, PlaceSet, WatchList
from rasid.match.compiler import WatchListError
from rasid.match.gazetteer import Gazetteer, Place
from rasid.match.matcher import Matcher


def build_matcher(watchlists: list[WatchList], custom_places: list[CustomPlace] = ()) -> Matcher:  # type: ignore[assignment]
    """A `Matcher`, with the gazetteer loaded only when a watch-list names gazetteer places."""
    uses_gazetteer = any(isinstance(p, PlaceSet) for wl in watchlists for p in wl.places)
    gazetteer = gazetteer_with(custom_places) if uses_gazetteer else None
    return Matcher(watchlists, gazetteer)


def gazetteer_with(custom_places: list[CustomPlace]) -> Gazetteer:
    """The bundled gazetteer plus the config's own places."""
    base = Gazetteer.bundled()
    extra = []
    for i, custom in enumerate(custom_places):
        country = custom.country.upper()
        areas = base.areas(country)  # its point is its division's seat, or its country's capital
        if custom.within:
            areas = [a for a in base.areas(custom.within) if a.kind == "governorate" and a.country == country]
            if not areas:
                raise WatchListError(f"gazetteer.places[{i}].within: no governorate called {custom.within!r} in {custom.country}")
        admin1 = areas[0].admin1 if custom.within else ""
        lat, lon = (areas[0].lat, areas[0].lon) if areas else (None, None)
        extra.append(
            Place(f"custom-{i}", custom.kind, country, admin1, 0, custom.name, (custom.name, *custom.aliases), (), lat, lon)
        )
    return base.extended(extra)


__all__ = ["Matcher", "WatchListError", "build_matcher", "gazetteer_with"]
