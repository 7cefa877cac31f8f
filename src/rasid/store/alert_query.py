"""The SQL for a filtered, newest-first page of alerts, and for the places of the alerts a filter
selects. The store first asks how many rows each condition's own index holds (`lead_sizes`,
each count stopping at `SMALL`) and lets the smallest lead (`Lead`): so a page reads about as
many rows at a million alerts as at a thousand, unless two large sets barely overlap."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

DeliveryState = Literal["pending", "delivered", "dead"]
TermKey = tuple[str, str]
"""A row key of `alert_terms`: `(kind, key)` (`rasid.store.alert_index`)."""
Lead = int | Literal["time", "state"]
"""What a query reads first: the rows of one of the filter's `terms` (its index), the outbox
rows in the delivery state asked for, or the alerts in time order (by watch-list or source
where one is asked for: the database's planner picks those indexes itself)."""
SMALL = 5000
"""Rows counted at most when sizing a condition: beyond this it counts as large."""


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


def lead_sizes(f: AlertFilter) -> list[tuple[Lead, str, list[Any]]]:
    """For each condition that could lead, a query counting its rows up to `SMALL`."""
    out: list[tuple[Lead, str, list[Any]]] = []
    for n, choice in enumerate(f.terms):
        either = " OR ".join("(kind = ? AND term = ?)" for _ in choice)
        window, window_args = _window("created", f)
        out.append((n, f"SELECT count(*) FROM (SELECT 1 FROM alert_terms WHERE ({either}){window} LIMIT {SMALL}) AS s",
                    [part for key in choice for part in key] + window_args))  # fmt: skip
    if f.state in ("pending", "dead"):
        test, args = _outbox_test(f)
        out.append(("state", f"SELECT count(*) FROM (SELECT 1 FROM outbox o WHERE {test} LIMIT {SMALL}) AS s", args))
    return out


def best_lead(f: AlertFilter, sizes: dict[Lead, int]) -> Lead:
    """The smallest of the terms' sets, else the delivery state's when it is small, else time.
    A term's rows lead even when large: they come in time order, so a page stops early."""
    terms = [lead for lead in sizes if isinstance(lead, int)]
    smallest = min(terms, key=lambda lead: sizes[lead]) if terms else None
    if "state" in sizes and sizes["state"] < SMALL and (smallest is None or sizes["state"] < sizes[smallest]):
        return "state"
    return smallest if smallest is not None else "time"


def alert_page(f: AlertFilter, limit: int, lead: Lead = "time") -> tuple[str, list[Any]]:
    """`SELECT created, id, document` of the first `limit` alerts `f` selects, newest first.
    Led by a choice of keys, each key's first `limit` are read (from its index, in order) and
    merged."""
    if not isinstance(lead, int) or len(f.terms[lead]) == 1:
        return _page(f, limit, lead)
    parts, args = [], []
    for n, key in enumerate(f.terms[lead]):
        sql, more = _page(replace(f, terms=(*f.terms[:lead], (key,), *f.terms[lead + 1 :])), limit, lead)
        parts.append(f"SELECT * FROM ({sql}) AS b{n}")
        args += more
    return " UNION ".join(parts) + " ORDER BY 1 DESC, 2 DESC LIMIT ?", [*args, limit]


def place_counts(f: AlertFilter, lead: Lead = "time") -> tuple[str, list[Any]]:
    """`SELECT place, name, lat, lon, alerts, newest` for every place of the alerts `f` selects
    (by time alone, from the places' own rows in time order)."""
    columns = "p.place, min(p.name), min(p.lat), min(p.lon), count(*), max(p.created)"
    if not (f.terms or f.watchlist or f.source or f.state or f.notifier):
        window, window_args = _window("p.created", f)
        return f"SELECT {columns} FROM alert_places p WHERE 1 = 1{window} GROUP BY p.place", window_args
    where, args = ["a.document IS NOT NULL"], []
    window, window_args = _window("a.created", f)
    where.append(window.removeprefix(" AND ") or "1 = 1")
    args += window_args
    for n, choice in enumerate(f.terms):
        either = " OR ".join("(t.kind = ? AND t.term = ?)" for _ in choice)
        keys = [part for key in choice for part in key]
        if n == lead:
            inner, inner_args = _window("t.created", f)
            where.append(f"a.id IN (SELECT t.alert_id FROM alert_terms t WHERE ({either}){inner})")
            args += keys + inner_args
        else:
            where.append(f"EXISTS (SELECT 1 FROM alert_terms t WHERE t.created = a.created AND t.alert_id = a.id AND ({either}))")
            args += keys
    more, more_args = _alert_conditions(f, lead)
    sql = (
        f"SELECT {columns} FROM alerts a CROSS JOIN alert_places p WHERE {' AND '.join(where + more)} AND p.created = a.created AND p.alert_id = a.id"
        " GROUP BY p.place"
    )
    return sql, args + more_args


def _page(f: AlertFilter, limit: int, lead: Lead) -> tuple[str, list[Any]]:
    where: list[str] = ["a.document IS NOT NULL"]
    args: list[Any] = []
    if isinstance(lead, int):
        source = "alert_terms t0 CROSS JOIN alerts a"
        ((kind, key),) = f.terms[lead]
        where += ["t0.kind = ?", "t0.term = ?", "a.id = t0.alert_id"]
        args += [kind, key]
        time_column, id_column = "t0.created", "t0.alert_id"
        order = "t0.created DESC, t0.alert_id DESC"
    else:
        source = "alerts a"
        time_column, id_column = "a.created", "a.id"
        order = "a.created DESC, a.id DESC"
    for n, choice in enumerate(f.terms):
        if n == lead:
            continue
        either = " OR ".join("(t.kind = ? AND t.term = ?)" for _ in choice)
        where.append(f"EXISTS (SELECT 1 FROM alert_terms t WHERE t.created = a.created AND t.alert_id = a.id AND ({either}))")
        args += [part for key in choice for part in key]
    window, window_args = _window(time_column, f)
    if window:
        where.append(window.removeprefix(" AND "))
        args += window_args
    if f.before is not None:
        where.append(f"({time_column} < ? OR ({time_column} = ? AND {id_column} < ?))")
        args += [f.before[0], f.before[0], f.before[1]]
    more, more_args = _alert_conditions(f, lead)
    sql = f"SELECT a.created, a.id, a.document FROM {source} WHERE {' AND '.join(where + more)} ORDER BY {order} LIMIT ?"
    return sql, [*args, *more_args, limit]


def _window(column: str, f: AlertFilter) -> tuple[str, list[Any]]:
    """` AND column >= ? AND column < ?` for `since` and `until`, as given."""
    sql, args = "", []
    if f.since is not None:
        sql += f" AND {column} >= ?"
        args.append(f.since)
    if f.until is not None:
        sql += f" AND {column} < ?"
        args.append(f.until)
    return sql, args


def _alert_conditions(f: AlertFilter, lead: Lead) -> tuple[list[str], list[Any]]:
    """The watch-list, source and delivery conditions, on `alerts a`."""
    where, args = [], []
    for column, value in (("a.watchlist", f.watchlist), ("a.source", f.source)):
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    if f.state is not None or f.notifier is not None:
        test, test_args = _outbox_test(f)
        if lead == "state":
            where.append(f"a.id IN (SELECT o.alert_id FROM outbox o WHERE {test})")
        else:
            where.append(f"EXISTS (SELECT 1 FROM outbox o WHERE o.alert_id = a.id AND {test})")
        args += test_args
    return where, args


def _outbox_test(f: AlertFilter) -> tuple[str, list[Any]]:
    conditions = [(column, value) for column, value in (("o.status", f.state), ("o.notifier", f.notifier)) if value is not None]
    return " AND ".join(f"{column} = ?" for column, _ in conditions), [value for _, value in conditions]
