"""`Matcher`: find watch-list entries in a text and decide which watch-lists fire."""

from __future__ import annotations

import re
from dataclasses import dataclass

import ahocorasick

from rasid.config.models import WatchList
from rasid.match.compiler import ArticleTest, Pattern, build_automaton, compile_patterns
from rasid.match.gazetteer import Gazetteer
from rasid.match.morphology import CONTEXT_WINDOW, MAX_PREFIX, strip_prefix
from rasid.models import Match, Verdict
from rasid.normalize import NormalizedText, normalize
from rasid.normalize.tables import PHRASE_BREAKS

_APOSTROPHES = frozenset("'\u2019\u02bc")
_PHRASE_BREAKS = re.compile("[" + re.escape(PHRASE_BREAKS) + "]")


@dataclass(frozen=True)
class _Hit:
    pattern: Pattern
    start: int  # normalized word start
    end: int  # normalized word end
    prefix: str
    suffix: str
    context: str


class Matcher:
    """Compiled watch-lists; pure and reusable across texts."""

    def __init__(
        self,
        watchlists: list[WatchList],
        gazetteer: Gazetteer | None = None,
        article_is_word: ArticleTest | None = None,
    ) -> None:
        self.watchlists = list(watchlists)
        self.patterns = compile_patterns(self.watchlists, gazetteer, article_is_word)
        self._plain = build_automaton([p for p in self.patterns if not p.entry.fold_hamza_seats])
        self._folded = build_automaton([p for p in self.patterns if p.entry.fold_hamza_seats])

    @property
    def term_count(self) -> int:
        return len({id(p.entry) for p in self.patterns})

    def verdicts(self, text: str) -> list[Verdict]:
        """One verdict per watch-list, in config order."""
        nt = normalize(text)
        by_list: list[list[Match]] = [[] for _ in self.watchlists]
        misses: list[Pattern] = []
        for hit in self.hits(nt, misses):
            by_list[hit.pattern.entry.watchlist].append(_to_match(nt, hit))
        notes: list[list[str]] = [[] for _ in self.watchlists]
        for p in misses:
            cues = "، ".join(p.entry.cues)
            note = f"{p.entry.term} appeared without a context cue ({cues})"
            if note not in notes[p.entry.watchlist]:
                notes[p.entry.watchlist].append(note)
        return [
            _decide(wl, _longest_first(found), nt, tuple(n))
            for wl, found, n in zip(self.watchlists, by_list, notes)
        ]

    def fired(self, text: str) -> list[Verdict]:
        """Only the verdicts of watch-lists that fire."""
        return [v for v in self.verdicts(text) if v.fired]

    def hits(self, nt: NormalizedText, misses: list[Pattern] | None = None) -> list[_Hit]:
        """Verified hits; patterns found without their context cue go to `misses`."""
        hits: list[_Hit] = []
        misses = [] if misses is None else misses
        if self._plain is not None:
            hits += _scan(self._plain, nt.text + " ", nt, misses)
        if self._folded is not None:
            folded = nt.text.replace("ؤ", "و").replace("ئ", "ي")
            hits += _scan(self._folded, folded + " ", nt, misses)
        return hits


def _scan(automaton: ahocorasick.Automaton, text: str, nt: NormalizedText, misses: list[Pattern]) -> list[_Hit]:
    hits: list[_Hit] = []
    size = len(text)
    for last, (length, any_prefix, patterns) in automaton.iter(text):
        start = last + 1 - length
        word_start = text.rfind(" ", max(0, start - MAX_PREFIX - 1), start) + 1
        if word_start == 0 and start > MAX_PREFIX:
            continue  # the word began further back: too long a prefix
        prefix = text[word_start:start]
        if prefix not in any_prefix:
            if prefix.isalnum() or not prefix:
                continue
            word_start = _word_start(text, start)  # a symbol other than a space ends the word
            prefix = text[word_start:start]
            if prefix not in any_prefix:
                continue
        for p in patterns:
            if prefix not in p.prefixes:
                continue
            if p.open_end or p.suffixes is not None:
                end = text.find(" ", last + 1)
                end = size if end == -1 else end
                suffix = text[last + 1 : end]
                if suffix and not suffix.isalnum():
                    end = _word_end(text, last + 1)
                    suffix = text[last + 1 : end]
                if p.suffixes is not None and suffix not in p.suffixes:
                    continue
            else:
                end = last if p.key.endswith(" ") else last + 1
                suffix = p.suffix
            if p.form == "latin" and suffix and not _apostrophe_before(nt, end - len(suffix)):
                continue
            if p.phrase and _crosses_punctuation(nt, start, end):
                continue
            cue = ""
            if p.entry.context:
                cue = _context_cue(text, word_start, p.entry.context)
                if not cue:
                    misses.append(p)
                    continue
            hits.append(_Hit(p, word_start, end, prefix, suffix, cue))
    return hits


def _word_start(text: str, i: int) -> int:
    while i and text[i - 1].isalnum():
        i -= 1
    return i


def _word_end(text: str, i: int) -> int:
    while i < len(text) and text[i].isalnum():
        i += 1
    return i


def _context_cue(text: str, word_start: int, cues: frozenset[str]) -> str:
    """The cue word among the few words before `word_start`, if any."""
    before = text[max(0, word_start - 80) : word_start].split()[-CONTEXT_WINDOW:]
    for word in reversed(before):
        if strip_prefix(word, cues) is not None:
            return word
    return ""


def _crosses_punctuation(nt: NormalizedText, start: int, end: int) -> bool:
    """Whether a phrase's words are separated by punctuation in the original (تنظيم. الدولة)."""
    o_start, o_end = nt.span(start, end)
    return _PHRASE_BREAKS.search(nt.original, o_start, o_end) is not None


def _apostrophe_before(nt: NormalizedText, i: int) -> bool:
    """Whether the original has an apostrophe just before normalized position `i`."""
    gap = nt.original[nt.to_original(i - 1) + 1 : nt.to_original(i)]
    return any(ch in _APOSTROPHES for ch in gap)


def _to_match(nt: NormalizedText, hit: _Hit) -> Match:
    start, end = nt.span(hit.start, hit.end)
    p = hit.pattern
    e = p.entry
    return Match(
        e.kind, e.term, nt.original[start:end], start, end, p.spelling.rstrip("*"),
        hit.prefix, hit.suffix, hit.context, e.place,
    )  # fmt: skip


def _longest_first(matches: list[Match]) -> list[Match]:
    """One match per entry and span; a match inside a longer one of its list is dropped."""
    unique = {(m.kind, m.term, m.place, m.start, m.end): m for m in matches}
    ordered = sorted(unique.values(), key=lambda m: (m.start, -m.end))
    kept: list[Match] = []
    cover: Match | None = None  # the kept match reaching furthest; it contains any later one that is contained
    for m in ordered:
        if cover is not None and m.end <= cover.end and (m.start, m.end) != (cover.start, cover.end):
            continue
        kept.append(m)
        if cover is None or m.end > cover.end:
            cover = m
    return kept


def _decide(wl: WatchList, matches: list[Match], nt: NormalizedText, notes: tuple[str, ...] = ()) -> Verdict:
    verdict = _rule(wl, matches, nt)
    return Verdict(verdict.watchlist, verdict.fired, verdict.matches, verdict.reason, notes)


def _rule(wl: WatchList, matches: list[Match], nt: NormalizedText) -> Verdict:
    excluded = [m for m in matches if m.kind == "exclude"]
    found = tuple(m for m in matches if m.kind != "exclude")
    places = [m for m in found if m.kind == "place"]
    keywords = [m for m in found if m.kind == "keyword"]
    if excluded:
        return Verdict(wl.name, False, found, f"excluded by {excluded[0].term}")
    if not found:
        return Verdict(wl.name, False, found, "nothing matched")
    if wl.match == "all" and not (places and keywords):
        missing = "keyword" if places else "place"
        return Verdict(wl.name, False, found, f"match: all, and no {missing} matched")
    if wl.near is not None and not _near(places, keywords, wl.near, nt.original):
        return Verdict(wl.name, False, found, f"no place and keyword within {wl.near} words")
    return Verdict(wl.name, True, found)


def _near(places: list[Match], keywords: list[Match], distance: int, text: str) -> bool:
    """Whether some place and some keyword stand within `distance` words of each other."""

    def words_between(a: Match, b: Match) -> int:
        first, second = (a, b) if a.start <= b.start else (b, a)
        gap = text[first.end : second.start]
        return len(gap.split()) + 1 if second.start >= first.end else 0

    return any(words_between(p, k) <= distance for p in places for k in keywords)
