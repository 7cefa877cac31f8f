"""The SQL for a filtered, newest-first page of alerts, and for the places of the alerts a filter
selects. Each query is led by the most selective index the filter allows, so that a page costs
the same at a thousand alerts and at a million."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

DeliveryState = Literal["pending", "delivered", "dead"]
TermKey = tuple[str, str]
"""A row key of `alert_terms`: `(kind, key)` (`rasid.store.alert_index`)."""


@dataclass(frozen=True)
class AlertFilter:
    """Which alerts: every condition given must hold."""

    watchlist: str | None = None
    source: str | None = None
    terms: tuple[tuple[TermKey, ...], ...] = ()
    """Each a choice of `alert_terms` keys (a place, area, country or keyword), of which the
    alert must have one: `((("area", "SY-DR"), ("place", "درعا")),)` is "in Daraa governorate
    or named درعا"."""
    state: DeliveryState | None = None
    """The delivery state to some notifier (to `notifier`, when given)."""
    notifier: str | None = None
    since: float | None = None
    until: float | None = None
    before: tuple[float, str] | None = field(default=None)
    """The `(created, id)` cursor: only alerts listed after it."""


def alert_page(f: AlertFilter, limit: int) -> tuple[str, list[Any]]:
    """`SELECT created, id, document` of the first `limit` alerts `f` selects, newest first. With
    a choice of keys to lead, each key's first `limit` are taken (from its index, in order) and
    merged."""
    if not f.terms or len(f.terms[0]) == 1:
        return _page(f, limit)
    parts, args = [], []
    for n, key in enumerate(f.terms[0]):
        sql, more = _page(replace(f, terms=((key,), *f.terms[1:])), limit)
        parts.append(f"SELECT * FROM ({sql}) AS b{n}")
        args += more
    return " UNION ".join(parts) + " ORDER BY 1 DESC, 2 DESC LIMIT ?", [*args, limit]


def _page(f: AlertFilter, limit: int) -> tuple[str, list[Any]]:
    source, where, args = _selection(f)
    sql = f"SELECT a.created, a.id, a.document FROM {source} WHERE {' AND '.join(where)} ORDER BY {_order(f)} LIMIT ?"
    return sql, [*args, limit]


def place_counts(f: AlertFilter) -> tuple[str, list[Any]]:
    """`SELECT place, name, lat, lon, alerts, newest` for every place of the alerts `f` selects
    (led by time: a map covers a span of days)."""
    source, where, args = _selection(f, lead=False)
    sql = (
        f"SELECT p.place, min(p.name), min(p.lat), min(p.lon), count(*), max(p.created) FROM {source}"
        f" CROSS JOIN alert_places p WHERE {' AND '.join(where)} AND p.created = a.created AND p.alert_id = a.id"
        " GROUP BY p.place"
    )
    return sql, args


def _order(f: AlertFilter) -> str:
    return "t0.created DESC, t0.alert_id DESC" if f.terms else "a.created DESC, a.id DESC"



def _selection(f: AlertFilter, lead: bool = True) -> tuple[str, list[str], list[Any]]:
    """The FROM clause, its conditions and their arguments. With a place or keyword, the rows of
    `alert_terms` lead (in time order, from their key); otherwise the alerts themselves, by the
    watch-list's or source's index or by time. Alerts pending or dead somewhere are few, and
    looked up from the outbox's state index."""
    where: list[str] = ["a.document IS NOT NULL"]
    args: list[Any] = []
    checked = f.terms
    if f.terms and lead:
        source = "alert_terms t0 CROSS JOIN alerts a"
        ((kind, key),) = f.terms[0]
        where += ["t0.kind = ?", "t0.term = ?", "a.id = t0.alert_id"]
        args += [kind, key]
        time_column, id_column = "t0.created", "t0.alert_id"
        checked = f.terms[1:]
    else:
        source = "alerts a"
        time_column, id_column = "a.created", "a.id"
    for choice in checked:
        either = " OR ".join("(t.kind = ? AND t.term = ?)" for _ in choice)
        where.append(f"EXISTS (SELECT 1 FROM alert_terms t WHERE t.created = a.created AND t.alert_id = a.id AND ({either}))")
        args += [part for key in choice for part in key]
    for column, value in (("a.watchlist", f.watchlist), ("a.source", f.source)):
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    if f.since is not None:
        where.append(f"{time_column} >= ?")
        args.append(f.since)
    if f.until is not None:
        where.append(f"{time_column} < ?")
        args.append(f.until)
    if f.before is not None:
        where.append(f"({time_column} < ? OR ({time_column} = ? AND {id_column} < ?))")
        args += [f.before[0], f.before[0], f.before[1]]
    if f.state is not None or f.notifier is not None:
        conditions = [("o.status", f.state), ("o.notifier", f.notifier)]
        test = " AND ".join(f"{column} = ?" for column, value in conditions if value is not None)
        args += [value for _, value in conditions if value is not None]
        if f.state in ("pending", "dead") and source == "alerts a":
            where.append(f"a.id IN (SELECT o.alert_id FROM outbox o WHERE {test})")
        else:
            where.append(f"EXISTS (SELECT 1 FROM outbox o WHERE o.alert_id = a.id AND {test})")
    return source, where, args
