"""Watch-lists run over the archive: what would have fired, and what a change adds or drops."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from rasid.match import Matcher
from rasid.store.base import ArchivedReport


@dataclass(frozen=True)
class Fired:
    """An archived report a watch-list fires on, and the words it matched."""

    report: ArchivedReport
    terms: tuple[str, ...]
    surfaces: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        r = self.report
        return {
            "id": r.id,
            "first_seen": datetime.fromtimestamp(r.first_seen, timezone.utc).isoformat(timespec="seconds"),
            "source": r.source,
            "title": r.title,
            "url": r.url,
            "terms": list(self.terms),
            "matched": list(self.surfaces),
        }


def replay(matcher: Matcher, reports: Iterable[ArchivedReport]) -> dict[str, list[Fired]]:
    """Per watch-list (in config order), the reports it fires on."""
    out: dict[str, list[Fired]] = {wl.name: [] for wl in matcher.watchlists}
    for report in reports:
        for verdict in matcher.fired(report.text):
            terms = tuple(dict.fromkeys(m.term for m in verdict.matches))
            surfaces = tuple(dict.fromkeys(m.surface for m in verdict.matches))
            out[verdict.watchlist].append(Fired(report, terms, surfaces))
    return out


@dataclass(frozen=True)
class Difference:
    watchlist: str
    added: list[Fired]
    dropped: list[Fired]


def diff(old: dict[str, list[Fired]], new: dict[str, list[Fired]]) -> list[Difference]:
    """Per watch-list name, the reports the new config fires on and the old did not, and back."""
    out = []
    for name in dict.fromkeys([*old, *new]):
        before = {f.report.id: f for f in old.get(name, [])}
        after = {f.report.id: f for f in new.get(name, [])}
        added = [f for rid, f in after.items() if rid not in before]
        dropped = [f for rid, f in before.items() if rid not in after]
        out.append(Difference(name, added, dropped))
    return out
