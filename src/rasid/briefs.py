"""Briefs: one summary per period for a notifier (what goes into a morning report): counts by
watch-list, governorate and keyword, the stories most outlets carried, which of them are new,
and the sources in trouble. Pure: the figures come from the store."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any

from rasid.config import Config
from rasid.normalize import normalize_term
from rasid.source_status import source_rows
from rasid.store.alert_index import place_area
from rasid.store.base import BriefFigures, Store

TOP = 10
"""Governorates, keywords and stories a brief names at most."""


def brief_document(
    figures: BriefFigures, since: float, until: float, area_names: dict[str, str], problems: list[dict[str, str]],
    name: str = "", keyword_names: dict[str, str] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The brief of `[since, until)`; `name` (a notifier's) makes its id its own; `keyword_names`
    writes keywords, counted in matching form (غاره), as the watch-lists write them (غارة)."""
    written = keyword_names or {}

    def iso(moment: float) -> str:
        return datetime.fromtimestamp(moment, timezone.utc).isoformat(timespec="seconds")

    return {
        "type": "brief",
        "id": "brief_" + hashlib.sha256(f"{name}\x00{since}\x00{until}".encode()).hexdigest()[:24],
        "since": iso(since),
        "until": iso(until),
        "created_at": iso(until),
        "alerts": figures.alerts,
        "watchlists": [{"name": w, "alerts": n} for w, n in figures.by_watchlist],
        "areas": [{"code": c, "name": area_names.get(c, c), "alerts": n} for c, n in figures.by_area[:TOP]],
        "keywords": [{"term": written.get(k, k), "alerts": n} for k, n in figures.by_keyword[:TOP]],
        "stories": [{"id": i, "title": t, "outlets": n, "new": new} for i, t, n, new in figures.stories[:TOP]],
        "sources": problems,
    }


def source_problems(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The sources (as `rasid sources` lists them) that are disabled, unhealthy or failing."""
    out = []
    for r in rows:
        problem = r.get("disabled") or r.get("unhealthy") or (f"{r['errors']} errors, last: {r['status']}" if r.get("errors") else None)
        if problem:
            out.append({"source": r["source"], "problem": str(problem)})
    return out


def gathered_brief(store: Store, config: Config, since: float, until: float, name: str = "") -> dict[str, Any]:
    """The brief of `[since, until)` from `store`, its governorates named as the gazetteer names them."""
    from rasid.match import gazetteer_with

    places = gazetteer_with(config.gazetteer.places).places
    names = {place_area(p.country, p.admin1): p.name for p in places if p.kind == "governorate"}
    problems = source_problems(source_rows(config, store.feed_states()))
    return brief_document(store.brief_figures(since, until), since, until, names, problems, name, keyword_names(config))


def keyword_names(config: Config) -> dict[str, str]:
    """Each watch-list keyword by its matching form (the key alerts are filed under), as written."""
    out: dict[str, str] = {}
    for wl in config.watchlists:
        for item in wl.keywords:
            written = (item if isinstance(item, str) else item.name).rstrip("*")
            out.setdefault(normalize_term(written), written)
    return out
