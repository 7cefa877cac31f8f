"""The plain data that flows through rasid: reports in, matches, alerts out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import regex

MatchKind = Literal["place", "keyword", "exclude"]

MAX_TEXT_CHARS = 200_000
"""A report's text is cut to this many characters (about a hundred pages): matching and dedup
cost memory and time in proportion to it, and no news report is longer."""
MAX_TITLE_CHARS = 1_000
"""A report's title is cut to this many characters."""
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


@cache
def _graphemes() -> regex.Pattern[str]:
    """What a reader sees as one character (a letter and its marks); imported only to cut an
    overlong text."""
    import regex

    return regex.compile(r"\X")


def clean_text(text: str) -> str:
    """`text` with every surrogate code point (from a character reference such as `&#xD800;`, a
    JSON escape or a file name in a legacy encoding) and NUL (which PostgreSQL refuses in text)
    replaced by U+FFFD, so that it can be stored and logged."""
    return _UNSTORABLE.sub("\ufffd", text) if _UNSTORABLE.search(text) else text


def cut_text(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a grapheme boundary."""
    if len(text) <= limit:
        return text
    window = max(0, limit - 64)
    cut = window
    for grapheme in _graphemes().finditer(text, window, limit + 64):
        if grapheme.end() > limit:
            break
        cut = grapheme.end()
    return text[:cut]


@dataclass(frozen=True)
class Report:
    """One news item from a source. `text` is what is matched; offsets point into it. Its text
    fields are cleaned (`clean_text`) as it is made, so that whatever stores or logs it can."""

    source: str
    title: str
    text: str
    url: str | None = None
    guid: str | None = None
    published: datetime | None = None
    path: str | None = None

    def __post_init__(self) -> None:
        for name in ("title", "text", "url", "guid", "path"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, clean_text(value))

    def bounded(self) -> Report:
        """This report with its title and text cut to `MAX_TITLE_CHARS` and `MAX_TEXT_CHARS`."""
        if len(self.text) <= MAX_TEXT_CHARS and len(self.title) <= MAX_TITLE_CHARS:
            return self
        return replace(self, title=cut_text(self.title, MAX_TITLE_CHARS), text=cut_text(self.text, MAX_TEXT_CHARS))


@dataclass(frozen=True)
class ItemFailure:
    """A feed entry, file or report that could not be read or recorded, and why."""

    item: str
    """The entry's id or link, the file's path, or `entry 3`."""
    error: str

    def __str__(self) -> str:
        return f"{self.item}: {self.error}"


@dataclass(frozen=True)
class PlaceRef:
    """Which gazetteer place a match stands for: its id, kind, country, first-level division
    (an ISO 3166-2 code in the Arab League's countries), reported name and point."""

    id: str
    kind: str
    country: str
    admin1: str
    name: str = ""
    lat: float | None = None
    lon: float | None = None

    @property
    def area(self) -> str:
        """Where it lies, as a code: its ISO 3166-2 division (YE-HU), country and GeoNames admin1
        code elsewhere (FR-11), or its country alone."""
        if "-" in self.admin1:
            return self.admin1
        return f"{self.country}-{self.admin1}" if self.admin1 else self.country

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "kind": self.kind, "country": self.country, "admin1": self.admin1,
                "lat": self.lat, "lon": self.lon}  # fmt: skip


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
    confidence: float | None = None
    """For a checked match (gazetteer places, hand-typed terms with `evidence: true`): how far it can be trusted, 0-1."""
    evidence: tuple[str, ...] = ()
    """What decided `confidence`: the place's kind and size, doubts on its name, cues in the text."""

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
        if self.confidence is not None:
            out["confidence"] = self.confidence
            out["evidence"] = list(self.evidence)
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
