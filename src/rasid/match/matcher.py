"""`Matcher`: find watch-list entries in a text and decide which watch-lists fire.

A hit is a key found where a word starts (after any character that is not a letter or digit),
or after a proclitic chain there; the letters after it up to the word's end must be a suffix its
entry allows. One match is kept per entry and span (the first pattern compiled wins), and a
match inside a longer one of the same watch-list is dropped.

Two engines do the same: the `_scan` C extension, and Python over a pyahocorasick automaton
where the extension was not built (no C compiler).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ahocorasick

from rasid.collector import collector_paused
from rasid.config.models import WatchList
from rasid.match.compiler import (
    ArticleTest,
    Pattern,
    build_automaton,
    compile_patterns,
    mention_patterns,
)
from rasid.match.evidence import (
    AFTER_CHARS,
    AREA_GAIN,
    BEFORE_CHARS,
    BEFORE_WORDS,
    COUNTRY_GAIN,
    CUES,
    FRAMED,
    FRAMES,
    FRAMES_AFTER,
    IN,
    NEIGHBOUR_GAIN,
    PERSON,
    PLACE_NOUN_GAIN,
    PREPOSITION_GAIN,
    SENTENCE_ENDS,
    SETTLED,
    Check,
    CheckKey,
    after_place_word,
    country_names,
    dropped_notes,
    weigh,
)
from rasid.match.gazetteer import Gazetteer
from rasid.match.idioms import IDIOMS, idiom_pattern, outside_idioms
from rasid.match.morphology import CONTEXT_WINDOW, MAX_PREFIX, strip_prefix
from rasid.models import Match, Verdict
from rasid.normalize import NormalizedText, normalize
from rasid.normalize.tables import (
    APOSTROPHES,
    FOLD_HAMZA_SEATS,
    PHRASE_BREAKS,
    char_table,
)

try:
    from rasid.match._scan import Scanner
except ImportError:  # built without a C compiler
    Scanner = None

NATIVE = Scanner is not None
"""Whether the C scanner was built."""

_PHRASE_BREAKS = re.compile("[" + re.escape(PHRASE_BREAKS) + "]")


@dataclass(frozen=True)
class _Hit:
    pattern: Pattern
    index: int  # of the pattern in Matcher.patterns
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
        *,
        native: bool = NATIVE,
    ) -> None:
        self.watchlists = list(watchlists)
        self._idioms = [idiom_pattern([*(IDIOMS if wl.idioms else ()), *wl.exclude_near]) for wl in self.watchlists]
        with collector_paused():
            self.patterns = compile_patterns(self.watchlists, gazetteer, article_is_word)
            checks = _checks(self.patterns)
            self._checked = sorted({p.entry.watchlist for p in self.patterns if p.prior is not None})
            # where the text names a country: found in the same pass, as an internal last watch-list
            mentions = mention_patterns(len(self.watchlists), country_names(gazetteer)) if gazetteer and self._checked else []
            self._lists = len(self.watchlists) + bool(mentions)
            scanned = self.patterns + mentions
            self._uids = _uids(scanned)
            self._folds = any(p.entry.fold_hamza_seats for p in self.patterns)
            lists = [*self.watchlists, None] if mentions else self.watchlists
            self._scanner = _scanner(scanned, self._uids, lists, checks, self._checked) if native else None
            self._checks = {} if self._scanner is not None else checks  # the scanner took what it needs
            if self._scanner is None:
                numbered = list(enumerate(scanned))
                self._plain = build_automaton([(i, p) for i, p in numbered if not p.entry.fold_hamza_seats])
                self._folded = build_automaton([(i, p) for i, p in numbered if p.entry.fold_hamza_seats])

    @property
    def native(self) -> bool:
        """Whether the C scanner does the matching."""
        return self._scanner is not None

    @property
    def term_count(self) -> int:
        return len({id(p.entry) for p in self.patterns})

    def verdicts(self, text: str) -> list[Verdict]:
        """One verdict per watch-list, in config order."""
        nt = normalize(text)
        misses: list[Pattern] = []
        notes: list[list[str]] = [[] for _ in self.watchlists]
        if self._scanner is not None:
            folded = _fold_seats(nt.text) if self._folds else None
            by_list, missed, dropped = self._scanner.matches(nt.original, nt.text, folded, nt.offsets())
            misses = [self.patterns[i] for i in missed]
            for i in self._checked:
                if dropped[i]:
                    notes[i] = dropped_notes(dropped[i], self.watchlists[i].min_confidence)
        else:
            by_list = self._python_matches(nt, misses)
            named = {m.term: m.surface for m in by_list[-1]} if self._lists > len(self.watchlists) else {}
            for i in self._checked:
                by_list[i], notes[i] = weigh(by_list[i], self._checks, nt, named, self.watchlists[i].min_confidence)
        for p in misses:
            cues = "، ".join(p.entry.cues)
            note = f"{p.entry.term} appeared without a context cue ({cues})"
            if note not in notes[p.entry.watchlist]:
                notes[p.entry.watchlist].append(note)
        verdicts = []
        for wl, found, n, idioms in zip(self.watchlists, by_list, notes, self._idioms):
            found, inside = outside_idioms(found, nt, idioms)
            verdicts.append(_decide(wl, found, nt, (*n, *inside)))
        return verdicts

    def fired(self, text: str) -> list[Verdict]:
        """Only the verdicts of watch-lists that fire."""
        return [v for v in self.verdicts(text) if v.fired]

    def _python_matches(self, nt: NormalizedText, misses: list[Pattern]) -> list[list[Match]]:
        """What the C scanner returns, in Python; patterns found without their context cue go to `misses`."""
        hits: list[_Hit] = []
        if self._plain is not None:
            hits += _scan(self._plain, nt.text + " ", nt, misses)
        if self._folded is not None:
            hits += _scan(self._folded, _fold_seats(nt.text) + " ", nt, misses)
        by_list: list[list[tuple[Match, int, int]]] = [[] for _ in range(self._lists)]
        for hit in hits:
            by_list[hit.pattern.entry.watchlist].append((_to_match(nt, hit), self._uids[hit.index], hit.index))
        return [_longest_first(found) for found in by_list]


def _uids(patterns: list[Pattern]) -> list[int]:
    """For each pattern, a number shared by the patterns of entries that name the same thing
    in the same watch-list: their matches on one span are one match."""
    entries = {id(p.entry): p.entry for p in patterns}
    by_identity: dict[tuple[object, ...], int] = {}
    uid = {
        key: by_identity.setdefault((e.watchlist, e.kind, e.term, e.place), len(by_identity)) for key, e in entries.items()
    }
    return [uid[id(p.entry)] for p in patterns]


def _checks(patterns: list[Pattern]) -> dict[CheckKey, Check]:
    """How the matches of each checked entry are weighed, by `evidence.CheckKey`."""
    out: dict[CheckKey, Check] = {}
    for p in patterns:
        if p.prior is None:
            continue
        e = p.entry
        key: CheckKey = id(e.place) if e.place is not None else e.term
        check = out.setdefault(key, Check({}, e.place.country if e.place else "", e.place.admin1 if e.place else ""))
        spelling = p.spelling.rstrip("*")
        if spelling not in check.priors or p.prior.confidence < check.priors[spelling].confidence:
            check.priors[spelling] = p.prior
    return out


def _settled(p: Pattern) -> tuple[float | None, tuple[str, ...]]:
    """The confidence and evidence a pattern's matches are made with: set when its prior settles them."""
    return (p.prior.confidence, p.prior.evidence) if p.prior is not None and p.prior.settled else (None, ())


def _everyday(p: Pattern) -> bool:
    """Whether this pattern's matches are found only after a place word (`evidence.after_place_word`)."""
    return p.prior is not None and p.prior.everyday


CUE_KINDS = {"preposition": 0, "place": 1, "definite place": 2}
"""The kinds of `evidence.CUES` as the C scanner numbers them."""


def _fold_seats(text: str) -> str:
    for ch, to in FOLD_HAMZA_SEATS:
        text = text.replace(ch, to)
    return text


def _scanner(
    patterns: list[Pattern], uids: list[int], watchlists: list[WatchList | None], checks: dict[CheckKey, Check],
    checked: list[int],
) -> Scanner | None:  # fmt: skip
    """The C scanner for these patterns, if it was built; `watchlists` ends with None for the
    internal one that finds countries named, `checked` are those whose matches are weighed."""
    if Scanner is None:
        return None
    prefix_sets = {p.prefixes for p in patterns}
    suffix_sets = {p.suffixes for p in patterns if p.suffixes is not None}
    prefixes = tuple(sorted(frozenset().union(*prefix_sets)))
    suffixes = tuple(sorted(frozenset().union(*suffix_sets)))
    prefix_masks = {s: sum(1 << prefixes.index(w) for w in s) for s in prefix_sets}
    suffix_masks = {s: sum(1 << suffixes.index(w) for w in s) for s in suffix_sets}
    keys: tuple[dict[str, list[int]], dict[str, list[int]]] = ({}, {})
    countries: dict[str, int] = {}
    areas: dict[tuple[str, str], int] = {}
    terms: dict[str, int] = {}
    mentions = len(watchlists) - 1 if watchlists and watchlists[-1] is None else -1
    rows = []
    unchecked = (None, (), False, False, 0, False, ())
    for i, p in enumerate(patterns):
        e = p.entry
        keys[e.fold_hamza_seats].setdefault(p.key, []).append(i)
        spelling = p.spelling.rstrip("*")
        place = e.place
        if p.prior is None:
            weighing_fields = unchecked
        else:
            prior = checks[id(place) if place is not None else e.term].priors[spelling]
            own = p.prior
            weighing_fields = (
                *_settled(p),
                not own.settled and e.kind == "place",  # weighed: a place whose prior leaves it open
                own.everyday,
                _hundredths(prior.confidence), prior.doubted, prior.evidence,
            )  # fmt: skip
        country = e.term if e.watchlist == mentions else place.country if place is not None else ""
        admin1 = place.admin1 if place is not None else ""
        suffixes_of = p.suffixes
        rows.append((
            e.watchlist, uids[i],
            prefix_masks[p.prefixes], suffix_masks[suffixes_of] if suffixes_of is not None else 0,
            2 if p.open_end else 1 if suffixes_of is not None else 0,
            p.key.endswith(" "), p.form == "latin", " " in p.key.strip(), p.suffix,
            e.context or None, e.kind, e.term, spelling, place, *weighing_fields,
            areas.setdefault((country, admin1), len(areas)) if country and admin1 else -1,
            countries.setdefault(country, len(countries)) if country else -1,
            terms.setdefault(e.term, len(terms)),
            prior.titled if p.prior is not None else True, prior.local if p.prior is not None else False,
        ))  # fmt: skip
    labels = sorted({*FRAMES.values(), *FRAMES_AFTER.values()})
    weighing = (
        [(w, (labels.index(label),)) for w, label in FRAMES.items()],
        [(w, (labels.index(label),)) for w, label in FRAMES_AFTER.items()],
        tuple(labels),
        labels.index(PERSON),
        sum(1 << prefixes.index(p) for p in IN if p in prefixes),
        tuple(map(_hundredths, (PLACE_NOUN_GAIN, PREPOSITION_GAIN, AREA_GAIN, COUNTRY_GAIN, NEIGHBOUR_GAIN, FRAMED))),
        [_thresholds(wl) if wl is not None and i in checked else (False, 0.0, 0.0, 0.0) for i, wl in enumerate(watchlists)],
        mentions, len(countries), len(areas),
    )  # fmt: skip
    return Scanner(
        table=char_table(), keys=list(keys[0].items()), folded_keys=list(keys[1].items()), patterns=rows,
        prefixes=prefixes, suffixes=suffixes, watchlists=len(watchlists), max_prefix=MAX_PREFIX,
        match_type=Match, context_cue=_context_cue, sentence_ends=SENTENCE_ENDS,
        window=(BEFORE_CHARS, BEFORE_WORDS, AFTER_CHARS), cues=[(w, (CUE_KINDS[k],)) for w, k in CUES.items()],
        weighing=weighing,
    )  # fmt: skip


def _hundredths(value: float) -> int:
    return round(value * 100)


def _thresholds(wl: WatchList) -> tuple[bool, float, float, float]:
    """For the C scanner, a checked watch-list's min_confidence and the confidences between
    which the words around a match decide (as `evidence._outcome`)."""
    minimum = wl.min_confidence
    return True, minimum, round(minimum - PLACE_NOUN_GAIN, 2), max(minimum, SETTLED)


def _scan(automaton: ahocorasick.Automaton, text: str, nt: NormalizedText, misses: list[Pattern]) -> list[_Hit]:
    hits: list[_Hit] = []
    size = len(text)
    for last, (length, any_prefix, patterns) in automaton.iter(text):
        start = last + 1 - length
        window = max(0, start - MAX_PREFIX - 1)
        word_start = text.rfind(" ", window, start) + 1 or window  # a window-long prefix is never valid
        prefix = text[word_start:start]
        if prefix not in any_prefix:
            if prefix.isalnum() or not prefix:
                continue
            word_start = _word_start(text, start)  # a symbol other than a space ends the word
            prefix = text[word_start:start]
            if prefix not in any_prefix:
                continue
        for index, p in patterns:
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
            if _everyday(p) and not after_place_word(nt, word_start):
                continue
            cue = ""
            if p.entry.context:
                cue = _context_cue(text, word_start, p.entry.context)
                if not cue:
                    misses.append(p)
                    continue
            hits.append(_Hit(p, index, word_start, end, prefix, suffix, cue))
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
    return any(ch in APOSTROPHES for ch in gap)


def _to_match(nt: NormalizedText, hit: _Hit) -> Match:
    start, end = nt.span(hit.start, hit.end)
    p = hit.pattern
    e = p.entry
    return Match(
        e.kind, e.term, nt.original[start:end], start, end, p.spelling.rstrip("*"),
        hit.prefix, hit.suffix, hit.context, e.place, *_settled(p),
    )  # fmt: skip


def _longest_first(found: list[tuple[Match, int, int]]) -> list[Match]:
    """One match per entry (uid) and span, the lowest pattern index (then the shortest prefix)
    winning; a match inside a longer one of its list is dropped. `found` holds (match, uid,
    pattern index)."""
    unique: dict[tuple[int, int, int], tuple[Match, int, int]] = {}
    for m, uid, index in found:
        key = (uid, m.start, m.end)
        if key not in unique or (index, len(m.prefix)) < (unique[key][2], len(unique[key][0].prefix)):
            unique[key] = (m, uid, index)
    ordered = sorted(unique.values(), key=lambda f: (f[0].start, -f[0].end, f[1], f[2]))
    kept: list[Match] = []
    cover: Match | None = None  # the kept match reaching furthest; it contains any later one that is contained
    for m, _, _ in ordered:
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
    excluded: Match | None = None
    places: list[Match] = []
    keywords: list[Match] = []
    for m in matches:  # one pass: this runs for every report and list
        if m.kind == "place":
            places.append(m)
        elif m.kind == "keyword":
            keywords.append(m)
        elif excluded is None:
            excluded = m
    found = tuple(matches) if excluded is None else tuple(m for m in matches if m.kind != "exclude")
    if excluded:
        return Verdict(wl.name, False, found, f"excluded by {excluded.term}")
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
