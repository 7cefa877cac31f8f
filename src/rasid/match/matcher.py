"""`Matcher`: find watch-list entries in a text and decide which watch-lists fire."""

from __future__ import annotations

from dataclasses import dataclass

from rasid.config.models import WatchList
from rasid.match.compiler import Pattern, build_automaton, compile_patterns
from rasid.match.morphology import (
    LATIN_SUFFIXES,
    MAX_PREFIX,
    MAX_SUFFIX,
    MIN_STEM,
    PREFIXES,
    PREFIXES_BEFORE_ARTICLE,
    PREFIXES_REPLACING_ARTICLE,
    STEM_SUFFIXES,
    SUFFIXES,
    VERB_PREFIXES,
    ARTICLE,
)
from rasid.models import Match, Verdict
from rasid.normalize import NormalizedText, normalize


@dataclass(frozen=True)
class _Hit:
    pattern: Pattern
    start: int  # normalized word start
    end: int  # normalized word end
    prefix: str
    suffix: str


class Matcher:
    """Compiled watch-lists; pure and reusable across texts."""

    def __init__(self, watchlists: list[WatchList]) -> None:
        self.watchlists = list(watchlists)
        self.patterns = compile_patterns(self.watchlists)
        self._automaton = build_automaton(self.patterns) if self.patterns else None

    def verdicts(self, text: str) -> list[Verdict]:
        """One verdict per watch-list, in config order."""
        nt = normalize(text)
        by_list: list[list[Match]] = [[] for _ in self.watchlists]
        for hit in self._hits(nt):
            by_list[hit.pattern.entry.watchlist].append(_to_match(nt, hit))
        return [_decide(wl, _longest_first(found)) for wl, found in zip(self.watchlists, by_list)]

    def fired(self, text: str) -> list[Verdict]:
        """Only the verdicts of watch-lists that fire."""
        return [v for v in self.verdicts(text) if v.fired]

    def _hits(self, nt: NormalizedText) -> list[_Hit]:
        if self._automaton is None:
            return []
        text = nt.text
        hits: list[_Hit] = []
        for last, (key, patterns) in self._automaton.iter(text):
            start, end = last - len(key) + 1, last + 1
            word_start = start
            while word_start > 0 and text[word_start - 1].isalnum():
                word_start -= 1
                if start - word_start > MAX_PREFIX:
                    break
            word_end = end
            while word_end < len(text) and text[word_end].isalnum():
                word_end += 1
                if word_end - end > MAX_SUFFIX:
                    break
            prefix, suffix = text[word_start:start], text[end:word_end]
            for pattern in patterns:
                if _accepts(pattern, prefix, suffix, nt, end):
                    hits.append(_Hit(pattern, word_start, word_end, prefix, suffix))
        return hits


def _accepts(pattern: Pattern, prefix: str, suffix: str, nt: NormalizedText, end: int) -> bool:
    if len(prefix) > MAX_PREFIX or len(suffix) > MAX_SUFFIX:
        return False
    form, entry = pattern.form, pattern.entry
    if form == "latin":
        if prefix or suffix not in LATIN_SUFFIXES:
            return False
        return not suffix or _apostrophe_before(nt, end)
    if (prefix or suffix) and len(pattern.key.replace(" ", "")) < MIN_STEM:
        return False
    if form == "stem":
        return prefix in _prefixes(pattern) and suffix in STEM_SUFFIXES
    if suffix and not (entry.inflects and suffix in SUFFIXES):
        return False
    return prefix in _prefixes(pattern)


def _prefixes(pattern: Pattern) -> frozenset[str]:
    if pattern.form == "bare":
        return PREFIXES_REPLACING_ARTICLE
    if pattern.key.startswith(ARTICLE):
        return PREFIXES_BEFORE_ARTICLE
    if pattern.entry.inflects:
        return PREFIXES | VERB_PREFIXES
    return PREFIXES


def _apostrophe_before(nt: NormalizedText, end: int) -> bool:
    """Whether the original has an apostrophe before the `s` at normalized `end`."""
    gap = nt.original[nt.to_original(end - 1) + 1 : nt.to_original(end)]
    return any(ch in "'\u2019\u02bc" for ch in gap)


def _to_match(nt: NormalizedText, hit: _Hit) -> Match:
    start, end = nt.span(hit.start, hit.end)
    p = hit.pattern
    return Match(p.entry.kind, p.entry.term, nt.original[start:end], start, end, p.spelling, hit.prefix, hit.suffix)


def _longest_first(matches: list[Match]) -> list[Match]:
    """One match per entry and span; a match inside a longer one of its list is dropped."""
    unique = {(m.kind, m.term, m.start, m.end): m for m in matches}
    ordered = sorted(unique.values(), key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Match] = []
    for m in ordered:
        if any(k.start <= m.start and m.end <= k.end and (k.end - k.start) > (m.end - m.start) for k in kept):
            continue
        kept.append(m)
    return kept


def _decide(wl: WatchList, matches: list[Match]) -> Verdict:
    excluded = [m for m in matches if m.kind == "exclude"]
    found = tuple(m for m in matches if m.kind != "exclude")
    places = any(m.kind == "place" for m in found)
    keywords = any(m.kind == "keyword" for m in found)
    if excluded:
        return Verdict(wl.name, False, found, f"excluded by {excluded[0].term}")
    if wl.match == "all" and not (places and keywords):
        missing = "keyword" if places else "place"
        return Verdict(wl.name, False, found, f"match: all, and no {missing} matched")
    if not found:
        return Verdict(wl.name, False, found, "nothing matched")
    return Verdict(wl.name, True, found)
