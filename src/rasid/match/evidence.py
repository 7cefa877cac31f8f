"""How far a gazetteer match can be trusted: a confidence and the evidence that decided it.

After Pouliquen et al. (2006): a name found in a text stands for the place with a prior set by
the place's kind and size, lowered by what makes the name doubtful (an everyday word, a name
more frequent than its place's size explains, a larger namesake elsewhere) and raised or
overruled by what the text says around it (a locative cue such as «مدينة» or «في» just before
it, the place's governorate or country named in the text, a person's title or an
organisation's word just before it). Pure: no I/O; the prior is computed once per pattern at
compile time, the text is read only for matches whose prior is not settled.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from rasid.match.gazetteer import Gazetteer, Place
from rasid.match.lexicon import folded_zipf
from rasid.match.morphology import ARTICLE, PREFIXES
from rasid.models import Match
from rasid.normalize import NormalizedText, normalize_term

PRIOR = {"country": 0.9, "governorate": 0.85, "region": 0.85, "district": 0.6}
"""A district (مديرية، قضاء) is named mostly with its kind word, but is no country's first division:
the words around it are read."""
CITY, TOWN = 1_000_000, 100_000
"""Localities of these sizes start at 0.75 and 0.6, smaller ones at 0.45: a small place needs
some evidence in the text, as in EMM's geocoder."""
SMALL_PLACE = 15_000
"""A locality smaller than this (or of unknown size) needs evidence near its name (`Prior.local`):
most such names in the gazetteer are also surnames or words (Solana, Kenyon, Redmond)."""
SETTLED = 0.75
"""A prior this high, with no doubt on the name, is not re-examined against the text."""
SMALL_WORD = 3.0
"""A locality under `TOWN` whose name is this frequent as a word (Zipf) has a doubtful name: its
frequency comes from another sense (القائم, بلير, جاسم); a large place's frequency is its own."""
COMMON_NOUN = 3.5
"""A name this frequent both with and without the article is a common noun or adjective
(الدولة and دولة, البلد and بلد), whatever the place's size: proper names do not take ال freely."""
VERY_COMMON = 5.0
"""A name this frequent as a word (دولة, الجديد, جامعة) is doubted twice as much."""
NAMESAKE_RATIO = 2
"""A place with a namesake abroad this many times its size, or a country or governorate of that
name, is doubted (الإسكندرية in Iraq)."""
GIVEN_NAME_DOUBT = 0.4
"""A given name is doubted this much: a governorate so named (صلاح الدين) needs some evidence."""
ATTACHED = "وفبكل"
"""Proclitics that glue to a word and can make a place's name of it (بعقوبة, ورقة for و + رقة)."""
CUSTOM = "custom-"
"""The id prefix of places added in the config (`gazetteer.places`): listed on purpose, so trusted."""
HAND_TYPED = 0.7
"""The prior of a hand-typed term that asked for checks."""

PLACE_NOUN_GAIN = 0.35
"""After a word naming a kind of place (مدينة جاسم, ريف درعا)."""
PREPOSITION_GAIN = 0.15
"""After a preposition or a direction (في, إلى, شمال): too common to rescue an everyday word (في إطار)."""
AREA_GAIN = 0.35
"""Another place of the same governorate named in the text, or the governorate itself."""
COUNTRY_GAIN = 0.25
"""The place's country named, or its people (سوريا, السوريين)."""
NEIGHBOUR_GAIN = 0.2
"""Another place of the same country named."""
FRAMED = 0.05
"""The confidence of a name after a person's title or an organisation's word."""


def _forms(text: str, label: str, definite: str = "") -> dict[str, str]:
    """Each word of `text` in matching form, with each proclitic chain before it, to `label`, or
    to `definite` (when given) where it carries the article (المدينة، بالمنطقة، للمدينة)."""
    out = {}
    for word in text.split():
        key = normalize_term(word)
        for prefix in ("", *PREFIXES):
            if not (prefix.endswith(ARTICLE) and key.startswith(ARTICLE)):
                with_article = key.startswith(ARTICLE) or prefix.endswith(ARTICLE) or prefix.endswith("لل")
                out.setdefault(prefix + key, definite if definite and with_article else label)
    return out


CUES = {
    **_forms("في إلى داخل نحو قرب شمال جنوب شرق غرب شمالي جنوبي شرقي غربي وسط أطراف ضواحي أنحاء", "preposition"),
    **_forms(
        "مدينة مدن بلدة بلدات قرية قرى ريف محافظة منطقة ناحية قضاء مخيم حي أحياء عاصمة العاصمة ولاية إقليم مقاطعة"
        " مديرية",
        "place",
        "definite place",
    ),
}
"""Words that put a place name after them, with their proclitics (بمدينة, وفي)."""
GIVEN_NAMES_TEXT = (
    "محمد، أحمد، محمود، مصطفى، علي، حسن، حسين، عمر، عثمان، خالد، إبراهيم، إسماعيل، يوسف، يعقوب، موسى، عيسى، سليمان،"
        " سلمان، داود، صالح، سعيد، سعد، سعود، فهد، فيصل، ناصر، منصور، عادل، جمال، كمال، صلاح، صلاح الدين، نور الدين،"
        " عز الدين، بشار، بشير، جاسم، قاسم، هاشم، هشام، طارق، زياد، وليد، رامي، سامي، باسل، نبيل، سمير، منير، أنس، حمزة،"
        " عباس، جعفر، كاظم، مهدي، رضا، زيد، الزبير، طلحة، حمدان، سالم، سليم، كريم، ماجد، راشد، حامد، حميد، مجيد، رشيد،"
        " شريف، لؤي، غسان، مازن، معاذ، فاطمة، عائشة، مريم، زينب، خديجة، أمل، نور، هدى، سلمى، ليلى، سارة، رنا، منى، سعاد"
)
GIVEN_NAMES = frozenset(normalize_term(name) for name in GIVEN_NAMES_TEXT.split("،"))
"""Frequent given names: a place so named (بشار, جاسم, صلاح الدين) is often a person in the news."""
FOREIGN_GIVEN_NAMES = (
    "جون جورج بيتر ديفيد مايكل توني جاك روبرت ريتشارد وليام جيمس تشارلز فرانك هنري ماري ماريا كوندوليزا"
    " هيلاري نيكولا فلاديمير سيرغي سيرجي خافيير كارلوس خوان أنطونيو فرانسوا جان بيير ميشيل كلود هانز"
    " دونالد باراك كوفي مارك ستيفن بيل كريستوفر إدوارد ألبرت فيليب أندرو أنجيلا غيرهارد إيهود أرييل"
    " شمعون بنيامين موشيه"
)
"""Frequent foreign given names as Arabic news writes them: a name after one is a surname (جون بولتون)."""

PERSON = "a person"
FRAMES = {
    **_forms(
        "الرئيس رئيس الملك الأمير الشيخ السيد السيدة الوزير وزير وزيرة الوزيرة النائب المتحدث الناطق السفير"
        " المبعوث المندوب الأمين الجنرال اللواء العميد العقيد المدرب اللاعب النجم الفنان الفنانة الكاتب"
        " الدكتور المستشار الإمام القائد الزعيم",
        PERSON,
    ),
    **_forms(
        "قناة فضائية صحيفة جريدة مجلة وكالة إذاعة تلفزيون نادي فريق منتخب جامعة شركة بنك مصرف حزب ريال"
        " أتلتيكو إنتر بايرن",
        "an organisation",
    ),
    **_forms(
        " ".join(n for n in GIVEN_NAMES_TEXT.split("،") if " " not in n.strip() and n.strip() != "علي")
        + " " + FOREIGN_GIVEN_NAMES,
        PERSON,
    ),  # not علي: once folded it is على (on)
}
"""Words before a name that make it a person's (الرئيس بشار, السيد أنان, جون بولتون) or an
organisation's (قناة الجزيرة, ريال مدريد)."""
FRAMES_AFTER = _forms("يونايتد سيتي تايمز بوست هيرالد تريبيون جورنال", "an organisation")
"""Words after a place name that make it a club's or a newspaper's (مانشستر يونايتد, نيويورك تايمز)."""
IN = frozenset({"ب", "وب", "فب"})
"""Proclitics meaning «in» (بدمشق)."""



class Prior(NamedTuple):
    """What the name alone says: a confidence, why, and whether the text can still change it. (A
    tuple: a large watch-list keeps one per name, and tuples of strings cost the collector nothing.)"""

    confidence: float
    evidence: tuple[str, ...]
    settled: bool
    doubted: bool = False
    """The name is doubtful (an everyday word, a namesake's): a preposition before it is no evidence."""
    everyday: bool = False
    """The gazetteer marks the name as an everyday word (`Place.everyday`): it is found only after
    a place word without the article (`after_place_word`), whatever else the text says: naming
    its country or division says what a report is about, not which sense the word has where it
    stands."""
    titled: bool = True
    """A person's title or given name before it makes it a person's name: a locality's or a given
    name's, not a country's (رئيس الولايات المتحدة is the country's president)."""
    local: bool = False
    """Naming the place's country is no evidence for this name, only its area named or a cue
    before it: an everyday word's other sense, or a small place's namesake, is as likely in any
    report on that country."""


def place_prior(place: Place, key: str, namesakes: list[Place], everyday: bool = False) -> Prior:
    """The prior of `place` found by its spelling `key` (in matching form); `namesakes` are the
    gazetteer's places of that name; `everyday`: the gazetteer marks the spelling as an everyday word."""
    if place.id.startswith(CUSTOM):
        return Prior(PRIOR["governorate"], ("added in the config",), True)
    size = place.population
    if place.kind in PRIOR:
        confidence, evidence = PRIOR[place.kind], [place.kind]
    else:
        confidence = 0.75 if size >= CITY else 0.6 if size >= TOWN else 0.45
        evidence = [f"locality of {size:,}" if size else "locality of unknown size"]
    doubts = 0.0
    if key in GIVEN_NAMES or key.removeprefix(ARTICLE) in GIVEN_NAMES:
        doubts += GIVEN_NAME_DOUBT
        evidence.append("a given name")
    zipf = folded_zipf(key) if " " not in key else 0.0
    if place.kind == "country" and not everyday:
        return Prior(round(confidence - doubts, 2), tuple(evidence), not doubts, bool(doubts), titled=bool(doubts))
    own = _matching_form(place.name) if place.arabic else ""
    small = place.kind == "locality" and size < TOWN
    local = place.kind == "locality" and size < SMALL_PLACE
    attached = _attached_word(key)
    if everyday or (small and zipf >= SMALL_WORD) or min(zipf, folded_zipf(_flip_article(key))) >= COMMON_NOUN:
        doubts += 0.5 if zipf >= VERY_COMMON else 0.3
        evidence.append(f"an everyday word (Zipf {zipf:.1f})" if zipf else "an everyday word")
        # a city's or a division's name is mostly its own; one found only after a place word has its sense settled
        local = local or (place.kind in ("locality", "district") and size < CITY and not everyday)
    elif attached:
        doubts += 0.3
        evidence.append(f"reads as {attached}")
    elif own and key != own and zipf >= SMALL_WORD and zipf > folded_zipf(own):
        doubts += 0.3
        evidence.append(f"a word more frequent than the name {place.name} (Zipf {zipf:.1f})")
    larger = _larger_namesake(place, namesakes)
    if larger is not None:
        doubts += 0.3
        evidence.append(f"also {larger.name} ({larger.country}, {larger.kind}{f' of {larger.population:,}' if larger.population else ''})")
    confidence = max(0.0, confidence - doubts)
    titled = place.kind == "locality" or "a given name" in evidence
    return Prior(
        round(confidence, 2), tuple(evidence), not doubts and confidence >= SETTLED, bool(doubts), everyday, titled, local
    )


def _attached_word(key: str) -> str:
    """How a one-word name reads as a proclitic and a common word (بعقوبة as ب + عقوبة), or ""."""
    if " " in key or len(key) < 5 or key[0] not in ATTACHED:
        return ""
    rest = key[1:]
    return f"{key[0]} + {rest}" if min(folded_zipf(rest), folded_zipf(ARTICLE + rest)) >= COMMON_NOUN else ""


def _flip_article(key: str) -> str:
    return key[len(ARTICLE) :] if key.startswith(ARTICLE) else ARTICLE + key


def term_prior(key: str) -> Prior:
    """The prior of a hand-typed term that asked for checks and that the gazetteer does not know:
    doubted when it is a common noun or adjective (frequent with and without the article)."""
    zipf = folded_zipf(key) if " " not in key else 0.0
    if min(zipf, folded_zipf(_flip_article(key))) >= COMMON_NOUN:
        return Prior(HAND_TYPED - (0.5 if zipf >= VERY_COMMON else 0.3), (f"an everyday word (Zipf {zipf:.1f})",), False, True, local=True)
    return Prior(HAND_TYPED, ("listed",), False)


@lru_cache(maxsize=65536)
def _matching_form(name: str) -> str:
    return normalize_term(name)


def _larger_namesake(place: Place, namesakes: list[Place]) -> Place | None:
    for other in namesakes:
        if other.country == place.country:
            continue
        if other.kind in PRIOR or (place.kind == "locality" and other.population >= NAMESAKE_RATIO * max(place.population, 1)):
            return other
    return None


def country_names(gazetteer: Gazetteer) -> dict[str, set[str]]:
    """Each country's names and its people's adjective, in matching form and without the article
    (سوريا، سوري، سورية، سوريين), by country code: a text naming one of them names the country."""
    out: dict[str, set[str]] = {}
    for place in gazetteer.places:
        if place.kind == "country":
            for spelling in place.spellings:
                out.setdefault(place.country, set()).update(_country_forms(normalize_term(spelling)))
    return out


def _country_forms(key: str) -> Iterable[str]:
    """A country's name without its article, and for a one-word name the forms of its people's
    adjective (سوري، سورية، سوريين، سوريون)."""
    bare = key[len(ARTICLE) :] if key.startswith(ARTICLE) else key
    if not bare or not re.search(r"[\u0600-\u06ff]", bare):
        return ()
    if " " in bare:
        return (bare,)
    if bare.endswith("يا") or bare.endswith("ه"):
        stem = bare[:-1]
    elif bare.endswith("ا"):
        stem = bare[:-1] + "ي"
    else:
        stem = bare + "ي"
    adjectives = (stem + ending for ending in ("", "ه", "ين", "ون")) if len(stem) >= 4 else ()
    return (bare, *adjectives)


@dataclass(frozen=True)
class Check:
    """How one checked entry's matches are weighed: its prior per spelling (the lowest of its
    forms': the full name and the one without its article), and its place."""

    priors: dict[str, Prior]
    country: str = ""
    admin1: str = ""


TextEvidence = tuple[tuple[float, tuple[str, ...]], tuple[float, tuple[str, ...]]]
"""What the whole text says for an entry (`_text_evidence`): the gain and notes from its area, and from its country."""
Window = tuple[tuple[str, ...], str]
"""The words just before a match and the word just after it, in matching form (`_around`)."""
CheckKey = int | str
"""A checked entry: the id of its matches' `place` (one object per entry), or for a hand-typed term the term."""


def weigh(
    matches: list[Match], checks: dict[CheckKey, Check], nt: NormalizedText, named: dict[str, str], minimum: float
) -> tuple[list[Match], list[str]]:
    """The matches of one watch-list with the checked ones given their confidence and evidence,
    those below `minimum` dropped; and a note for each one dropped. A match whose confidence is
    already set (its prior settled it) is only compared with `minimum`. `named` holds the
    countries the text names (from `country_names`), each with the form found.

    What the whole text says of an entry (its governorate or country named) is weighed once per
    entry; the words around each match only when that leaves the entry undecided. The C scanner
    weighs the same way (`_scan.c`'s weigh_list)."""
    pending: list[Match] = []
    areas: dict[tuple[str, str], str] = {}
    nations: dict[str, str] = {}
    below = False
    for m in matches:  # one pass: this runs for every report
        if m.confidence is None:
            if m.kind == "place":
                pending.append(m)
            continue
        if m.confidence >= minimum:  # settled by its prior, unless a person's or an organisation's name
            check = checks.get(id(m.place) if m.place is not None else m.term)
            frame = _frame(_around(nt, m), check.priors[m.spelling]) if check else ""
            if frame:
                object.__setattr__(m, "confidence", FRAMED)  # new, made by the matcher for this text
                object.__setattr__(m, "evidence", (*m.evidence, frame))
        if m.confidence < minimum:
            below = True
        elif m.place is not None:
            _vouch(m, areas, nations)
    if not pending and not below:
        return matches, []
    _weigh_all(pending, checks, nt, named, minimum, areas, nations)
    # places that counted on their own evidence vouch for their neighbours in turn (بعقوبة for الخالص)
    added = [_vouch(m, areas, nations) for m in pending if m.confidence is not None and m.confidence >= minimum and m.place is not None]
    if any(added):
        low = [m for m in pending if m.confidence is not None and m.confidence < minimum]
        _weigh_all(low, checks, nt, named, minimum, areas, nations)
    kept = [m for m in matches if m.confidence is None or m.confidence >= minimum]
    if len(kept) == len(matches):
        return matches, []
    return kept, dropped_notes([m for m in matches if m.confidence is not None and m.confidence < minimum], minimum)


def _vouch(m: Match, areas: dict[tuple[str, str], str], nations: dict[str, str]) -> bool:
    """Record a counted place match as vouching for its area and country; whether that added anything."""
    place = m.place
    assert place is not None
    added = False
    if place.admin1 and (place.country, place.admin1) not in areas:
        areas[place.country, place.admin1] = m.term
        added = True
    if place.country and place.country not in nations:
        nations[place.country] = m.term
        added = True
    return added


def dropped_notes(dropped: list[Match], minimum: float) -> list[str]:
    """One note per term among `dropped`, the matches below `minimum`."""
    notes: dict[str, str] = {}
    for m in dropped:
        if m.term not in notes:
            notes[m.term] = f"{m.term} «{m.surface}» confidence {m.confidence:.2f} < {minimum:.2f} ({'; '.join(m.evidence)})"
    return list(notes.values())


def _weigh_all(
    pending: list[Match], checks: dict[CheckKey, Check], nt: NormalizedText, named: dict[str, str], minimum: float,
    areas: dict[tuple[str, str], str], nations: dict[str, str],
) -> None:  # fmt: skip
    """Give each of `pending` its confidence and evidence."""
    texts: dict[CheckKey, TextEvidence] = {}
    outcomes: dict[tuple[CheckKey, str], tuple[float, tuple[str, ...], bool, Prior]] = {}
    for m in pending:
        key = id(m.place) if m.place is not None else m.term
        outcome = outcomes.get((key, m.spelling))
        if outcome is None:
            check = checks.get(key)
            if check is None:
                continue
            text = texts.get(key)
            if text is None:
                text = texts[key] = _text_evidence(check, m.term, areas, nations, named)
            outcome = outcomes[key, m.spelling] = _outcome(check, m.spelling, text, minimum)
        confidence, evidence, undecided, prior = outcome
        if undecided:
            confidence, evidence = _read(m, _around(nt, m), confidence, evidence, prior)
        # m is new, made by the matcher for this text and seen by nothing else yet: it is
        # completed in place, as its own __init__ would have
        object.__setattr__(m, "confidence", confidence)
        object.__setattr__(m, "evidence", evidence)


def _text_evidence(
    check: Check, term: str, areas: dict[tuple[str, str], str], nations: dict[str, str], named: dict[str, str]
) -> tuple[tuple[float, tuple[str, ...]], tuple[float, tuple[str, ...]]]:
    """What the whole text says for an entry: its governorate named, or another place of it; and
    its country named, or another place of its country."""
    area = areas.get((check.country, check.admin1)) if check.admin1 else None
    near = (AREA_GAIN, (f"{area} of the same area named",)) if area and area != term else (0.0, ())
    if check.country in named:
        return near, (COUNTRY_GAIN, (f"its country named ({named[check.country]})",))
    if check.country and nations.get(check.country, term) != term:  # none: a hand-typed term, a region across borders
        return near, (NEIGHBOUR_GAIN, (f"{nations[check.country]} of the same country named",))
    return near, (0.0, ())


def _outcome(
    check: Check, spelling: str, text: TextEvidence, minimum: float
) -> tuple[float, tuple[str, ...], bool, Prior]:
    """An entry's confidence and evidence from its prior and the whole text, whether the words
    around each match can still change whether it counts, and the prior of the spelling."""
    prior = check.priors.get(spelling) or next(iter(check.priors.values()))
    (near, near_notes), (wide, wide_notes) = text
    gain, notes = (near, near_notes) if prior.local else (near + wide, near_notes + wide_notes)
    confidence = round(min(1.0, prior.confidence + gain), 2)
    evidence = prior.evidence + notes if notes else prior.evidence
    undecided = round(minimum - PLACE_NOUN_GAIN, 2) <= confidence < max(minimum, SETTLED)
    return confidence, evidence, undecided, prior


def _read(
    m: Match, around: Window, confidence: float, evidence: tuple[str, ...], prior: Prior
) -> tuple[float, tuple[str, ...]]:
    """`confidence` and `evidence` with what the words around `m` say: a person's title or an
    organisation's word overrules the rest; a locative cue adds to it, a preposition or a place
    word with the article only before a name that is not doubtful (في إطار, ببرقية, المدينة الهندية)."""
    frame = _frame(around, prior)
    if frame:
        return FRAMED, (*evidence, frame)
    cue, kind = _cue(around[0], m.prefix)
    if not cue or (kind != "place" and prior.doubted):  # في إطار; المدينة الهندية is the Indian city
        return confidence, evidence
    gain = PLACE_NOUN_GAIN if kind != "preposition" else PREPOSITION_GAIN
    return round(min(1.0, confidence + gain), 2), (*evidence, f"after {cue}")


def _frame(around: Window, prior: Prior) -> str:
    """The note on a person's or an organisation's word just before or after a name, if any (a
    person's only where the name can be one, `Prior.titled`)."""
    before, after = around
    frame = FRAMES.get(before[-1]) if before else None
    if frame and (prior.titled or frame != PERSON):
        return f"after {before[-1]}: {frame}"
    if after in FRAMES_AFTER:
        return f"before {after}: {FRAMES_AFTER[after]}"
    return ""


BEFORE_CHARS, BEFORE_WORDS, AFTER_CHARS = 60, 3, 30
"""The words read around a match: the last `BEFORE_WORDS` in the `BEFORE_CHARS` characters before
it, the first in the `AFTER_CHARS` after it (of the normalized text)."""
SENTENCE_ENDS = ".!?؟:;؛\n"
"""Characters of the original text that end a sentence: no word is read across them."""
_SENTENCE_END = re.compile("[" + re.escape(SENTENCE_ENDS) + "]")


def _around(nt: NormalizedText, m: Match) -> Window:
    """The words before a match and the word after it, in matching form; none across a
    sentence's end (normalizing turned its punctuation into spaces, so the original is asked).
    The C scanner reads the same (`_scan.c`'s window)."""
    offsets = nt.offsets()
    start, stop = bisect_left(offsets, m.start), bisect_left(offsets, m.end)
    before = _before(nt, start, m.start)
    rest = nt.text[stop : stop + AFTER_CHARS]
    first = stop + len(rest) - len(rest.lstrip())
    after = rest.split(None, 1)[:1]
    if after and _SENTENCE_END.search(nt.original, m.end, nt.to_original(first)):
        after = []
    return before, after[0] if after else ""


_PLACE_WORDS = ("place", "definite place")


def _before(nt: NormalizedText, start: int, o_start: int) -> tuple[str, ...]:
    """The words before normalized position `start` (original `o_start`) that `_around` reads."""
    offsets = nt.offsets()
    lo = max(0, start - BEFORE_CHARS)
    cuts = [e.start() for e in _SENTENCE_END.finditer(nt.original, nt.to_original(lo), o_start)]
    if cuts:
        lo = bisect_left(offsets, cuts[-1] + 1, lo, start)
    return tuple(nt.text[lo:start].split()[-BEFORE_WORDS:]) if BEFORE_WORDS else ()


def after_place_word(nt: NormalizedText, start: int) -> bool:
    """Whether a place word without the article (مدينة, بلدة, ريف) stands before normalized
    position `start`, alone or in a chain of cues (في مدينة): the only evidence that finds a name
    marked everyday (in المدينة الجديدة the name is the adjective)."""
    nearest = nt.text[max(0, start - BEFORE_CHARS) : start].rsplit(None, 1)[-1:]
    if not nearest or nearest[0] not in CUES:
        return False  # most names are not after a cue word: the sentence's end is not looked for
    return _cue(_before(nt, start, nt.to_original(start)), "")[1] == "place"


def _cue(before: list[str], prefix: str) -> tuple[str, str]:
    """The locative cue just before a match and its kind, or its «in» proclitic. A chain of cues
    counts (في مدينة), the strongest winning; any other word ends the search, so «في صلاة الضحى»
    has none for الضحى."""
    found, kind = "", ""
    for word in reversed(before):
        label = CUES.get(word)
        if label is None:
            break
        if kind not in _PLACE_WORDS:
            found, kind = word, label
    if not found and prefix in IN:
        return f"{prefix} (in)", "preposition"
    return found, kind
