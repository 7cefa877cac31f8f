"""The plain data that flows through rasid: reports in, matches, alerts out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

MatchKind = Literal["place", "keyword", "exclude"]


@dataclass(frozen=True)
class Report:
    """One news item from a source. `text` is what is matched; offsets point into it."""

    source: str
    title: str
    text: str
    url: str | None = None
    guid: str | None = None
    published: datetime | None = None
    path: str | None = None


@dataclass(frozen=True)
class PlaceRef:
    """Which gazetteer place a match stands for."""

    id: str
    kind: str
    country: str
    admin1: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "kind": self.kind, "country": self.country, "admin1": self.admin1}


@dataclass(frozen=True, slots=True)
class Match:
    """A watch-list entry found in a text; `text[start:end] == surface`. (The C scanner sets
    its fields directly, as a frozen dataclass's own `__init__` does: give it no `__post_init__`.)"""

    kind: MatchKind
    term: str
    surface: str
    start: int
    end: int
    spelling: str
    prefix: str = ""
    suffix: str = ""
    context: str = ""
    place: PlaceRef | None = None

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "kind": self.kind,
            "term": self.term,
            "surface": self.surface,
            "start": self.start,
            "end": self.end,
        }
        if self.spelling != self.term:
            out["alias"] = self.spelling
        if self.prefix:
            out["prefix"] = self.prefix
        if self.suffix:
            out["suffix"] = self.suffix
        if self.context:
            out["context"] = self.context
        if self.place:
            out["place"] = self.place.to_json()
        return out


@dataclass(frozen=True)
class Verdict:
    """What one watch-list made of one text."""

    watchlist: str
    fired: bool
    matches: tuple[Match, ...]
    reason: str = ""
    notes: tuple[str, ...] = ()
    """Near misses worth knowing: a name found without its context cue, say."""


@dataclass(frozen=True)
class Alert:
    """A watch-list fired on a report; `id` is stable across restarts and retries."""

    id: str
    watchlist: str
    report: Report
    matches: tuple[Match, ...]
    notifiers: tuple[str, ...] = field(default=())
    story_id: str = ""
    story_sources: int = 1
