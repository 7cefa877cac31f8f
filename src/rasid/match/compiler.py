"""Compile watch-lists into patterns for Aho-Corasick automata.

Keys of terms that take no suffix end in a space, so the automaton reports them only where
they end a word; inflecting and prefix-matching (`name*`) terms are checked up to the word's
end instead. The letters before a hit must always be a proclitic chain.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import ahocorasick

from rasid.config.models import PlaceSet, Term, WatchList, as_term
from rasid.match import morphology as m
from rasid.match.evidence import CUES, Prior, place_prior, term_prior
from rasid.match.gazetteer import Gazetteer, Place
from rasid.match.lexicon import ARTICLE_ZIPF, bare_form_is_word, folded_zipf, zipf
from rasid.models import MatchKind, PlaceRef
from rasid.normalize import normalize_term
from rasid.normalize.tables import DELETED

Form = Literal["full", "bare", "stem", "latin", "verb"]
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_DOUBLED = re.compile(r"([a-z])\1+")
WORD_END = " "

class WatchListError(ValueError):
    """A watch-list that cannot be compiled (an unknown governorate, say)."""


ArticleTest = Callable[[str], bool]
"""Whether a name's article-less form is an everyday word (so the article may not be dropped)."""


@dataclass(slots=True, eq=False)
class Entry:
    """One place, keyword or exclusion of one watch-list; not changed once compiled (not frozen:
    a frozen dataclass takes six times as long to make, and a large watch-list makes ~10^5)."""

    watchlist: int
    kind: MatchKind
    term: str
    inflect: bool
    article: str = "auto"
    context: frozenset[str] = frozenset()
    place: PlaceRef | None = None
    fold_hamza_seats: bool = False
    cues: tuple[str, ...] = ()
    """The context words as written, for explanations."""
    checked: bool = False
    """Weighed for evidence (`rasid.match.evidence`), with the stricter article rules."""
    source: Place | None = None
    """The gazetteer place, for its prior."""
    verbs: tuple[str, ...] = ()
    """A keyword's verbs, past tense as written, whose conjugations count as it."""


@dataclass(slots=True, eq=False)
class Pattern:
    """A normalized key in an automaton and how a hit on it is verified; not changed once
    compiled (not frozen, as `Entry`)."""

    entry: Entry
    key: str
    form: Form
    spelling: str
    prefixes: frozenset[str]
    suffix: str = ""
    open_end: bool = False
    suffixes: frozenset[str] | None = None
    """When set, the key is not anchored at a word end; the rest of the word must be one of these."""
    prior: Prior | None = None
    """For a checked entry: what its name alone says."""

    @property
    def phrase(self) -> bool:
        return " " in self.key.strip()


EntrySpellings = tuple[Entry, list[str], Callable[[str], bool] | None]
"""An entry, its spellings, and for gazetteer places their own test of whether the article is required."""


def compile_entries(watchlists: list[WatchList], gazetteer: Gazetteer | None) -> list[EntrySpellings]:
    """Every entry of every watch-list with its spellings."""
    out: list[EntrySpellings] = []
    for index, wl in enumerate(watchlists):
        fold = wl.fold_hamza_seats
        for kind, items in (("place", wl.places), ("keyword", wl.keywords)):
            for item in items:
                if isinstance(item, PlaceSet):
                    if gazetteer is None:
                        raise WatchListError(f"watch-list {wl.name!r} names gazetteer places but no gazetteer is loaded")
                    context = _context(item.context, fold)
                    for place in _select(gazetteer, item):
                        entry = Entry(
                            index, "place", place.name, False, "auto", context, _ref(place), fold, tuple(item.context),
                            item.evidence, place,
                        )  # fmt: skip
                        spellings = place.spellings + _evidence_spellings(place) if item.evidence else place.spellings
                        out.append((entry, spellings, place.article_required))
                    continue
                term = item if isinstance(item, Term) else _PLAIN
                name = item if isinstance(item, str) else item.name
                spellings = [name, *term.aliases, *term.forms] if term.aliases or term.forms else [name]
                inflect = term.inflect if term.inflect is not None else kind == "keyword"
                known = _known_place(gazetteer, spellings[: 1 + len(term.aliases)]) if kind == "place" and term.evidence else None
                entry = Entry(
                    index, kind, name.rstrip("*"), inflect, term.article, _context(term.context, fold),  # type: ignore[arg-type]
                    known and _ref(known), fold, tuple(term.context), term.evidence, known,
                    _verbs(term, spellings[: 1 + len(term.aliases)], wl.verbs) if kind == "keyword" else (),
                )
                out.append((entry, spellings, None))
        for word in wl.exclude:
            out.append((Entry(index, "exclude", word, True, "auto", frozenset(), None, fold), [word], None))
    return out


def compile_patterns(
    watchlists: list[WatchList], gazetteer: Gazetteer | None = None, article_is_word: ArticleTest | None = None
) -> list[Pattern]:
    """Every pattern of every entry of every watch-list."""
    test = article_is_word or bare_form_is_word
    patterns: list[Pattern] = []
    priors: dict[tuple[int, str, bool], Prior] = {}
    alike: dict[Prior, Prior] = {}  # one object for equal priors: most are, and each is kept as long as the patterns
    namesakes: dict[str, list[Place]] = {}

    def weighed(entry: Entry, spelling: str, found: list[Pattern]) -> list[Pattern]:
        everyday = entry.source is not None and spelling in entry.source.everyday
        for p in found:
            key = p.key.rstrip(WORD_END)
            prior = priors.get((id(entry), key, everyday))
            if prior is None:
                prior = _prior(entry, key, gazetteer, namesakes, everyday)
                prior = priors[id(entry), key, everyday] = alike.setdefault(prior, prior)
            p.prior = prior
        return found

    for entry, spellings, place_test in compile_entries(watchlists, gazetteer):
        for spelling in spellings:
            found = _patterns_for(entry, spelling, test, place_test(spelling) if place_test else None)
            patterns.extend(weighed(entry, spelling, found) if entry.checked else found)
        for verb in entry.verbs:
            found = _verb_patterns(entry, verb)
            patterns.extend(weighed(entry, verb, found) if entry.checked else found)
    return patterns


def _prior(
    entry: Entry, key: str, gazetteer: Gazetteer | None, namesakes: dict[str, list[Place]], everyday: bool
) -> Prior:
    """What an entry's name alone says (`evidence.place_prior`), `everyday` when the gazetteer
    marks the spelling as an everyday word; `namesakes` caches the gazetteer's lookups."""
    if entry.source is None or gazetteer is None:
        return term_prior(key)
    if key not in namesakes:
        namesakes[key] = gazetteer.lookup_key(key)
    return place_prior(entry.source, key, namesakes[key], everyday)


def mention_patterns(watchlist: int, names: dict[str, set[str]]) -> list[Pattern]:
    """Patterns that find where a text names a country (`evidence.country_names`): keywords of an
    internal watch-list numbered `watchlist`, whose matches' term is the country code."""
    out = []
    for code, forms in sorted(names.items()):
        entry = Entry(watchlist, "keyword", code, False)
        out += [Pattern(entry, form + WORD_END, "full", form, m.PREFIXES) for form in sorted(forms)]
    return out


def _verbs(term: Term, names: list[str], listed: bool) -> tuple[str, ...]:
    """The verbs a keyword's matches include: those it lists, or its name and aliases when
    `verbs` is true for it or (unset) for its watch-list `listed`."""
    verbs = term.verbs if term.verbs is not None else listed
    if isinstance(verbs, list):
        return tuple(verbs)
    return tuple(n for n in names if _ARABIC.search(n) and " " not in n.strip() and not n.endswith("*")) if verbs else ()


def _verb_patterns(entry: Entry, verb: str) -> list[Pattern]:
    """A verb's past tense (قصف، قصفت، وقصفوا) and present tense with each person's letter
    (يقصف، تقصفين، سنقصف، ويقصفون). A derived verb drops its first alef in the present:
    استهدف، يستهدف; انفجر، ينفجر; أعلن، يعلن (a three-letter verb keeps it: أخذ، يأخذ)."""
    key = normalize_term(verb, fold_hamza_seats=entry.fold_hamza_seats)
    if len(key) < m.MIN_STEM or " " in key or not _ARABIC.search(key):
        return []
    present = key[1:] if key.startswith("ا") and len(key) > m.MIN_STEM else key
    past = m.PAST_SUFFIXES if _noun_with_ta_marbuta(verb) else m.PAST_SUFFIXES_SHE
    out = [Pattern(entry, key, "verb", verb, m.PAST_PREFIXES, suffixes=past)]
    out += [Pattern(entry, person + present, "verb", verb, m.PRESENT_PREFIXES, suffixes=m.PRESENT_SUFFIXES) for person in m.PERSONS]
    return out


def _noun_with_ta_marbuta(verb: str) -> bool:
    """Whether the verb's letters and ة are an everyday noun (أسر: أسرة; أصاب: إصابة), whose
    ة is written ت before a pronoun (أسرته, his family), as she-did-it is (قصفته)."""
    letters = _MARKS.sub("", verb.strip())
    seats = [letters] + ([a + letters[1:] for a in "اأإآ"] if letters[:1] in "اأإآ" else [])
    return max(zipf(s + "ة") for s in seats) >= ARTICLE_ZIPF


_PLAIN = as_term("-")
"""The options of an entry written as plain text: every one at its default."""


def _known_place(gazetteer: Gazetteer | None, names: list[str]) -> Place | None:
    """The gazetteer's place a hand-typed place that asked for evidence is weighed as: the first
    (largest) of its name's (`names`: its name and aliases), so درعا typed by hand is weighed as
    the governorate."""
    for spelling in names:
        found = gazetteer.lookup(spelling.rstrip("*")) if gazetteer is not None else []
        if found:
            return found[0]
    return None


def _select(gazetteer: Gazetteer, selection: PlaceSet) -> list[Place]:
    if selection.gazetteer:
        places = gazetteer.in_country(selection.gazetteer)
    else:
        assert selection.within is not None
        places = gazetteer.within(selection.within)
        if not places:
            raise WatchListError(f"the gazetteer knows no governorate or country called {selection.within!r}")
    return [p for p in places if p.kind != "locality" or p.population >= selection.min_population]


def _evidence_spellings(place: Place) -> list[str]:
    """A place's names that are everyday words, to be found after a place word; not one that is
    itself a place word or preposition (مدينة for Medina, حي): it is the cue of the name after it."""
    return [s for s in place.evidence_spellings if normalize_term(s) not in CUES]


def _ref(place: Place) -> PlaceRef:
    return place.ref()


def written_with_article(spelling: str) -> bool:
    """Whether `spelling` opens with the article as it is written, a bare alef (or wasla) and lam.
    Folding makes أ إ آ alef too, but a word written أل, إل or آل opens with its root (ألغام,
    ألوية) or a foreign name (إلدون, Eldon), and the article is never written so."""
    letters = _MARKS.sub("", spelling.lstrip())
    return letters.startswith(("ال", "ٱل"))


_MARKS = re.compile(f"[{DELETED}]")


def _context(words: list[str], fold: bool) -> frozenset[str]:
    return frozenset(normalize_term(w, fold_hamza_seats=fold) for w in words) if words else _NO_CONTEXT


_NO_CONTEXT: frozenset[str] = frozenset()


def _patterns_for(entry: Entry, spelling: str, article_is_word: ArticleTest, article_required: bool | None) -> list[Pattern]:
    open_end = spelling.endswith("*")
    written = spelling.rstrip("*") if open_end else spelling
    key = normalize_term(written, fold_hamza_seats=entry.fold_hamza_seats)
    if not key:
        return []
    if not _ARABIC.search(key):
        out = []
        for k in sorted({key, _DOUBLED.sub(r"\1", key)}):
            out.append(Pattern(entry, k + WORD_END, "latin", spelling, m.NONE))
            out.append(Pattern(entry, k + m.LATIN_POSSESSIVE + WORD_END, "latin", spelling, m.NONE, m.LATIN_POSSESSIVE))
        return out
    one_word = " " not in key
    long_enough = len(key if one_word else key.replace(" ", "")) >= m.MIN_STEM
    with_article = (
        key.startswith(m.ARTICLE)
        and written_with_article(spelling)
        and len(key if one_word else key.split(" ")[0]) - len(m.ARTICLE) >= m.MIN_STEM
    )
    if not long_enough:
        prefixes = m.NONE
    elif with_article:
        prefixes = m.PREFIXES_BEFORE_ARTICLE
    elif entry.inflect:
        prefixes = m.KEYWORD_PREFIXES
    elif entry.checked and not _usually_with_article(key):
        prefixes = m.PREFIXES_NO_ARTICLE
    else:
        prefixes = m.PREFIXES
    if entry.checked and one_word:
        prefixes = _unglued(prefixes, key)
    suffixes = m.SUFFIXES if entry.inflect and long_enough and one_word else m.NONE

    out = [_pattern(entry, key, "full", spelling, prefixes, suffixes, open_end)]
    if with_article:
        bare = key[len(m.ARTICLE) :]
        if entry.article == "optional":
            droppable = True
        elif entry.article == "required":
            droppable = False
        else:
            letters = _MARKS.sub("", written.strip())  # اَلْوَفْرَة: the word after the article is وفرة
            droppable = not (article_required if article_required is not None else article_is_word(letters[2:]))
            if entry.checked and folded_zipf(bare.split(" ")[0]) >= ARTICLE_ZIPF:
                droppable = False  # the bare form is an everyday word once folded: دوله is دولة
        after = m.PREFIXES_WITHOUT_ARTICLE if droppable else m.PREFIXES_REPLACING_ARTICLE
        out.append(_pattern(entry, bare, "bare", spelling, after, suffixes, open_end))
    if entry.inflect and one_word and not open_end and len(key) - 1 >= m.MIN_STEM and written.endswith("ة"):
        out.append(_pattern(entry, key[:-1], "stem", spelling, prefixes, m.STEM_SUFFIXES, False))
    return out


def _pattern(
    entry: Entry, stem: str, form: Form, spelling: str, prefixes: frozenset[str], endings: frozenset[str], open_end: bool
) -> Pattern:
    """A pattern for `stem`: open-ended (`name*`), followed by one of `endings`, or a whole word."""
    if open_end:
        return Pattern(entry, stem, form, spelling, prefixes, open_end=True)
    if endings != m.NONE:
        return Pattern(entry, stem, form, spelling, prefixes, suffixes=endings)
    return Pattern(entry, stem + WORD_END, form, spelling, prefixes)


GLUED_ZIPF, GLUED_MARGIN = 4.0, 0.5
"""A name with a proclitic attached that is a word this frequent, and this much more frequent
than the name, is that word: بيان is not ب + يان, ورقة not و + رقة."""


def _unglued(prefixes: frozenset[str], key: str) -> frozenset[str]:
    """`prefixes` less the chains ending in a proclitic that makes a common word of `key`."""
    glued = _glued(key)
    if not glued:
        return prefixes
    return frozenset(p for p in prefixes if not p or p.endswith(m.ARTICLE) or p[-1] not in glued or p.endswith("لل"))


@lru_cache(maxsize=1 << 17)
def _glued(key: str) -> str:
    """The one-letter proclitics that make a common word of `key` (ب for يان)."""
    floor = max(GLUED_ZIPF, folded_zipf(key) + GLUED_MARGIN)
    return "".join(c for c in "وفبكل" if folded_zipf(c + key) >= floor)


USUAL_ARTICLE_MARGIN = 0.8
"""A name listed without ال but written with it this much more often (Zipf) takes it: the
gazetteer's خرطوم is usually الخرطوم, while أمن is not Amden in الأمن."""


def _usually_with_article(key: str) -> bool:
    return " " not in key and folded_zipf(m.ARTICLE + key) >= folded_zipf(key) + USUAL_ARTICLE_MARGIN


def build_automaton(patterns: list[tuple[int, Pattern]]) -> ahocorasick.Automaton | None:
    """An automaton of numbered patterns whose values are `(key length, any pattern's prefixes,
    ((number, pattern), ...) with that key)`."""
    if not patterns:
        return None
    by_key: dict[str, list[tuple[int, Pattern]]] = {}
    for numbered in patterns:
        by_key.setdefault(numbered[1].key, []).append(numbered)
    automaton = ahocorasick.Automaton()
    for key, group in by_key.items():
        prefixes = frozenset().union(*(p.prefixes for _, p in group))
        automaton.add_word(key, (len(key), prefixes, tuple(group)))
    automaton.make_automaton()
    return automaton
