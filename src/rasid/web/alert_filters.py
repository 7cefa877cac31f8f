"""The alert filters of a request's query string (`?watchlist=…&place=…&since=7d`), shared by
the alert list, the map, the JSON API and the feeds."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import cast

from rasid.match.gazetteer import Gazetteer
from rasid.normalize import normalize_term
from rasid.store.alert_index import place_keys
from rasid.store.alert_query import AlertFilter, DeliveryState, TermKey

FIELDS = ("watchlist", "source", "place", "keyword", "notifier", "state", "since", "until")
STATES = ("pending", "delivered", "dead", "silenced")
_SPAN = re.compile(r"^(\d+)([mhdw])$")
_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


class FilterError(ValueError):
    """A filter that cannot be read, with what was expected."""


@dataclass(frozen=True)
class ChosenFilters:
    """The filters as the person wrote them (to show and link again), and as the store takes them."""

    given: dict[str, str]
    selected: AlertFilter


def chosen_filters(params: Mapping[str, str], gazetteer: Gazetteer | None, now: float) -> ChosenFilters:
    """Read the filters in `params`; a place that names a governorate or country selects every
    place inside it."""
    given = {name: params[name].strip() for name in FIELDS if params.get(name, "").strip()}
    terms: list[tuple[TermKey, ...]] = []
    if "place" in given:
        terms.append(place_keys(given["place"], gazetteer))
    if "keyword" in given:
        terms.append((("keyword", normalize_term(given["keyword"])),))
    state = given.get("state")
    if state is not None and state not in STATES:
        raise FilterError(f"state must be one of {', '.join(STATES)}")
    if state == "silenced":  # held by a silence: filed as such, never in the outbox
        terms.append((("silenced", "any"),))
        state = None
    selected = AlertFilter(
        watchlist=given.get("watchlist"),
        source=given.get("source"),
        terms=tuple(terms),
        state=cast(DeliveryState | None, state),
        notifier=given.get("notifier"),
        since=_moment(given["since"], now, "since") if "since" in given else None,
        until=_moment(given["until"], now, "until") if "until" in given else None,
    )
    return ChosenFilters(given, selected)


def with_cursor(chosen: ChosenFilters, before: tuple[float, str] | None) -> AlertFilter:
    return replace(chosen.selected, before=before)


def _moment(raw: str, now: float, name: str) -> float:
    """`24h`, `7d`, `2w` before now, or a date (`2026-11-30`) or time in ISO 8601, UTC unless it says otherwise."""
    span = _SPAN.match(raw)
    if span:
        return now - int(span.group(1)) * _SECONDS[span.group(2)]
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise FilterError(f"{name} must be a span before now (24h, 7d, 2w) or a date (2026-11-30)") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp()


def cursor(raw: str | None) -> tuple[float, str] | None:
    """The `before` cursor (`created~id`, as a page's `next` gives it)."""
    if not raw:
        return None
    created, _, alert_id = raw.partition("~")
    try:
        moment = float(created)
    except ValueError:
        raise FilterError("before must be the `next` of an earlier answer") from None
    if not alert_id:
        raise FilterError("before must be the `next` of an earlier answer")
    return moment, alert_id
