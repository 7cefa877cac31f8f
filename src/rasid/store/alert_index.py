"""What an alert can be found by and where it lies on the map, read off its document: the rows
of `alert_terms` and `alert_places`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rasid.normalize import normalize_term

if TYPE_CHECKING:
    from rasid.match.gazetteer import Gazetteer

TermKind = str
"""`place` (a place's name as listed or as the gazetteer names it), `area` (its division's code,
`YE-TA`), `country` (`YE`), `keyword`, or `silenced` (`any`, and the silence's id)."""


def place_area(country: str, admin1: str) -> str:
    """A division's code as `PlaceRef.area` gives it: `YE-TA`, `FR-11`, or the country alone."""
    if "-" in admin1:
        return admin1
    return f"{country}-{admin1}" if admin1 else country


def alert_terms(document: dict[str, Any]) -> set[tuple[TermKind, str]]:
    """`(kind, key)` for each way the alert list can be filtered to this alert; names are keyed
    in matching form, so إدلب and ادلب find the same alerts."""
    out: set[tuple[TermKind, str]] = set()
    if document.get("silenced"):
        out |= {("silenced", "any"), ("silenced", document["silenced"]["id"])}
    for m in document.get("matches", ()):
        if m.get("kind") == "keyword":
            out.add(("keyword", normalize_term(m["term"])))
        elif m.get("kind") == "place":
            out.add(("place", normalize_term(m["term"])))
            place = m.get("place")
            if place:
                if place.get("name"):
                    out.add(("place", normalize_term(place["name"])))
                if place.get("country"):
                    out.add(("country", place["country"]))
                    out.add(("area", place_area(place["country"], place.get("admin1") or "")))
    return out


NAMED = "name:"
"""The key of a place known only by the watch-list's name for it (no gazetteer place was matched)."""


def alert_places(document: dict[str, Any]) -> dict[str, tuple[str, float | None, float | None]]:
    """`{place key: (name, lat, lon)}` of the alert's places: a gazetteer place by its id, with
    its point; a name a watch-list lists by `NAMED` and its name, with no point (the map looks
    the name up)."""
    out: dict[str, tuple[str, float | None, float | None]] = {}
    for m in document.get("matches", ()):
        if m.get("kind") != "place":
            continue
        place = m.get("place")
        if place:
            out.setdefault(place["id"], (place.get("name") or m["term"], place.get("lat"), place.get("lon")))
        else:
            out.setdefault(NAMED + normalize_term(m["term"]), (m["term"], None, None))
    return out


def place_keys(name: str, gazetteer: Gazetteer | None) -> tuple[tuple[TermKind, str], ...]:
    """The `alert_terms` keys a place name selects: the name itself, and the code of the
    country or governorate it names (or of a region's one governorate), which every place
    inside it was filed under."""
    keys: list[tuple[TermKind, str]] = []
    for area in gazetteer.areas(name) if gazetteer is not None else []:
        if area.kind == "country":
            keys.append(("country", area.country))
        elif area.kind == "governorate":
            keys.append(("area", place_area(area.country, area.admin1)))
        elif area.kind == "region" and len(area.members) == 1 and "-" in area.members[0]:
            keys.append(("area", area.members[0]))
        else:
            continue
        break
    return (*keys, ("place", normalize_term(name)))
