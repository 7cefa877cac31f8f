"""Compile watch-lists into patterns for one Aho-Corasick automaton."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import ahocorasick

from rasid.config.models import Term, WatchList
from rasid.match.morphology import ARTICLE, MIN_STEM
from rasid.models import MatchKind
from rasid.normalize import normalize_term

Form = Literal["full", "bare", "stem", "latin"]
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_DOUBLED = re.compile(r"([a-z])\1+")


@dataclass(frozen=True)
class Entry:
    """One place, keyword or exclusion of one watch-list."""

    watchlist: int
    kind: MatchKind
    term: str

    @property
    def inflects(self) -> bool:
        return self.kind != "place"


@dataclass(frozen=True)
class Pattern:
    """A normalized key in the automaton and how a hit on it is verified."""

    entry: Entry
    key: str
    form: Form
    spelling: str


def compile_patterns(watchlists: list[WatchList]) -> list[Pattern]:
    """Every pattern of every entry of every watch-list."""
    patterns: list[Pattern] = []
    for index, wl in enumerate(watchlists):
        groups: list[tuple[MatchKind, list[Term]]] = [
            ("place", wl.places),
            ("keyword", wl.keywords),
            ("exclude", [Term(name=x) for x in wl.exclude]),
        ]
        for kind, terms in groups:
            for term in terms:
                entry = Entry(index, kind, term.name)
                for spelling in term.spellings:
                    patterns.extend(_patterns_for(entry, spelling))
    return patterns


def _patterns_for(entry: Entry, spelling: str) -> list[Pattern]:
    key = normalize_term(spelling)
    if not key:
        return []
    if not _ARABIC.search(key):
        keys = {key, _DOUBLED.sub(r"\1", key)}
        return [Pattern(entry, k, "latin", spelling) for k in sorted(keys)]
    out = [Pattern(entry, key, "full", spelling)]
    first_word = key.split(" ")[0]
    if first_word.startswith(ARTICLE) and len(first_word) - len(ARTICLE) >= MIN_STEM:
        out.append(Pattern(entry, key[len(ARTICLE) :], "bare", spelling))
    if entry.inflects and " " not in key and spelling.rstrip().endswith("ة") and len(key) - 1 >= MIN_STEM:
        out.append(Pattern(entry, key[:-1], "stem", spelling))
    return out


def build_automaton(patterns: list[Pattern]) -> ahocorasick.Automaton:
    """An automaton whose values are `(key, patterns with that key)`."""
    by_key: dict[str, list[Pattern]] = {}
    for p in patterns:
        by_key.setdefault(p.key, []).append(p)
    automaton = ahocorasick.Automaton()
    for key, group in by_key.items():
        automaton.add_word(key, (key, tuple(group)))
    automaton.make_automaton()
    return automaton
