"""Places: the bundled gazetteer file and lookups over it."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rasid.models import PlaceRef
from rasid.normalize import normalize_term

DATA = Path(__file__).parent / "data"
BUNDLED = DATA / "geonames.tsv.gz"
KIND_RANK = {"country": 0, "governorate": 1, "region": 2, "district": 3, "locality": 4}
DIVISION_WORDS = ("محافظة", "ولاية", "منطقة", "إمارة", "امارة", "شعبية", "جهة", "إقليم", "اقليم", "بلدية", "جزيرة")
"""Words before a first-level division's name (محافظة الحديدة): `within:` accepts the name with or without one."""
_ISO_CODE = re.compile(r"^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$")
EVERYDAY = "?"
"""Marks, in the data file, a name that is also an everyday word."""
ARTICLE_REQUIRED = "!"
COORDINATE_DECIMALS = 3
"""Points are written to 0.001° (about 100 m): enough for a map, and the file stays small."""


@dataclass(frozen=True)
class Place:
    """A place and its names. An Arabic name marked `!` needs its article (its bare form is a word).

    `kind` is country, governorate (any first-level division: governorate, province, wilaya,
    region, emirate; its `id` and `admin1` are its ISO 3166-2 code), district (a second-level
    division: a Syrian منطقة, an Iraqi قضاء, a Yemeni مديرية), region or locality. In
    the Arab League's countries `admin1` is the full ISO 3166-2 code of the division a place
    lies in (`YE-HU`); elsewhere it is GeoNames' admin1 code (`11`).

    `everyday` holds the names (as written, no `!`) that are also everyday words: the name of
    a large place (20,000 people or more) that reads as a common word once folded or with a
    clitic attached (بيان, الخميس, وان, كان for Cannes), a name of two letters (إب), or a
    division called by a common word (الشمال, العاصمة). They are kept for lists that weigh
    evidence, which find them only after a place word (مدينة جاسم) and weigh them as everyday
    words, never bare: `spellings` leaves them out, `evidence_spellings` lists them.

    `members` are the countries or ISO 3166-2 divisions a region spanning several of them is
    made of (الخليج, بلاد الشام, دارفور), or a district's seat (a GeoNames id); `within:` takes
    them all.
    `lat`/`lon` is the place's point: a locality's own, a division's seat, a country's
    capital, a region's division or the mean of its members' points.
    """

    id: str
    kind: str
    country: str
    admin1: str
    population: int
    latin: str
    arabic: tuple[str, ...]
    latin_names: tuple[str, ...] = ()
    lat: float | None = None
    lon: float | None = None
    everyday: frozenset[str] = frozenset()
    members: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The name alerts report: the first Arabic name."""
        return self.arabic[0].lstrip(ARTICLE_REQUIRED) if self.arabic else self.latin

    @property
    def all_spellings(self) -> list[str]:
        """Every Arabic and Latin name, everyday words included."""
        return [a.lstrip(ARTICLE_REQUIRED) for a in self.arabic] + list(self.latin_names)

    @property
    def spellings(self) -> list[str]:
        """The names that may match on their own: every name but the everyday words."""
        return [s for s in self.all_spellings if s not in self.everyday]

    @property
    def evidence_spellings(self) -> list[str]:
        """The names that are also everyday words: to match only with evidence."""
        return [s for s in self.all_spellings if s in self.everyday]

    def article_required(self, spelling: str) -> bool:
        return (ARTICLE_REQUIRED + spelling) in self.arabic

    def ref(self) -> PlaceRef:
        """What a match on this place reports."""
        return PlaceRef(self.id, self.kind, self.country, self.admin1, self.name, self.lat, self.lon)


def _names(names: Iterable[str], everyday: frozenset[str]) -> str:
    return "|".join((EVERYDAY if n.lstrip(ARTICLE_REQUIRED) in everyday else "") + n for n in names)


def write_places(path: Path, places: Iterable[Place]) -> None:
    """Write `places` as gzipped TSV (reproducibly: no timestamp)."""
    lines = ["# id\tkind\tcountry\tadmin1\tpopulation\tlat\tlon\tlatin\tarabic\tlatin names\tmembers"]
    for p in places:
        point = [_coordinate(p.lat), _coordinate(p.lon)]
        latin = "" if p.latin_names[:1] == (p.latin,) else p.latin  # most often its first Latin name
        lines.append("\t".join([p.id, p.kind, p.country, p.admin1, str(p.population), *point, latin,
                                _names(p.arabic, p.everyday), _names(p.latin_names, p.everyday), " ".join(p.members)]))  # fmt: skip
    data = ("\n".join(lines) + "\n").encode("utf-8")
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as f:
        f.write(data)  # no name, no time: the same places give the same bytes


def _coordinate(value: float | None) -> str:
    return "" if value is None else f"{value:.{COORDINATE_DECIMALS}f}".rstrip("0").rstrip(".")


def _split(names: str) -> tuple[tuple[str, ...], set[str]]:
    out, everyday = [], set()
    for name in names.split("|"):
        if name.startswith(EVERYDAY):
            name = name[1:]
            everyday.add(name.lstrip(ARTICLE_REQUIRED))
        if name:
            out.append(name)
    return tuple(out), everyday


def read_places(lines: Iterable[str]) -> list[Place]:
    """The places of a file written by `write_places`."""
    out = []
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        pid, kind, country, admin1, population, lat, lon, latin, arabic, latin_names, members = line.rstrip("\n").split("\t")
        arabic_names, everyday = _split(arabic)
        latin_list, latin_everyday = _split(latin_names)
        out.append(
            Place(pid, kind, country, admin1, int(population), latin or latin_list[0], arabic_names, latin_list,
                  float(lat) if lat else None, float(lon) if lon else None,
                  frozenset(everyday | latin_everyday), tuple(members.split()))
        )  # fmt: skip
    return out


@dataclass
class Gazetteer:
    """Every known place, searchable by name, code, country and division."""

    places: list[Place]
    _by_name: dict[str, list[Place]] = field(default_factory=dict, repr=False)
    _by_area: dict[tuple[str, str], list[Place]] = field(default_factory=dict, repr=False)
    _by_id: dict[str, Place] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for place in self.places:
            self._index(place)
            self._by_area.setdefault((place.country, place.admin1), []).append(place)
            self._by_id.setdefault(place.id.upper(), place)

    def _index(self, place: Place) -> None:
        for spelling in {normalize_term(s) for s in place.all_spellings + [place.latin]}:
            self._by_name.setdefault(spelling, []).append(place)

    @classmethod
    def bundled(cls) -> Gazetteer:
        """GeoNames localities, CLDR countries, ISO 3166-2 divisions and regions (cached; do not mutate)."""
        return _bundled()

    def extended(self, extra: list[Place]) -> Gazetteer:
        """A copy with `extra` places added."""
        return Gazetteer(self.places + extra) if extra else self

    def lookup(self, name: str) -> list[Place]:
        """Places called `name` in any of their spellings, the larger kinds and populations first."""
        return self.lookup_key(normalize_term(name))

    def lookup_key(self, key: str) -> list[Place]:
        """`lookup` of a name already in matching form (`normalize_term`)."""
        found = self._by_name.get(key, [])
        return sorted(found, key=lambda p: (KIND_RANK.get(p.kind, 9), -p.population)) if len(found) > 1 else list(found)

    def search(self, text: str, limit: int = 20) -> list[Place]:
        """Exact name matches first, then places whose names start with `text`."""
        exact = self.lookup(text)
        key = normalize_term(text)
        more = sorted(
            {id(p): p for name, ps in self._by_name.items() if name.startswith(key) and name != key for p in ps}.values(),
            key=lambda p: (KIND_RANK.get(p.kind, 9), -p.population),
        )
        return (exact + [p for p in more if p not in exact])[:limit]

    def in_country(self, country: str) -> list[Place]:
        code = country.upper()
        return [p for (c, _), ps in self._by_area.items() if c == code for p in ps if p.kind != "country"]

    def areas(self, name: str) -> list[Place]:
        """The countries, divisions and regions `name` can stand for: an ISO 3166 code (`YE`,
        `YE-HU`), a district's id (`YE-HU-AlKhawkhah`), or a name with or without a division
        word (محافظة الحديدة, الحديدة, Hodeidah)."""
        district = self._by_id.get(name.strip())
        if district is not None and district.kind == "district":
            return [district]
        if _ISO_CODE.match(name.strip()):
            code = name.strip().upper()
            place = self._by_id.get(code if "-" in code else f"C-{code}")
            if place:
                return [place]
        found = self.lookup(name)
        first, _, rest = name.strip().partition(" ")
        if rest and normalize_term(first) in {normalize_term(w) for w in DIVISION_WORDS}:
            found += [p for p in self.lookup(rest) if p.kind == "governorate" and p not in found]
        return [p for p in found if p.kind != "locality"]

    def other_areas(self, name: str) -> list[Place]:
        """The areas `name` also stands for that `within(name)` leaves out: الجوف is Yemen's
        governorate and Saudi Arabia's region, and `within` takes the first."""
        areas = self.areas(name)
        if len(areas) < 2:
            return []
        inside = {p.id for p in self.within(name)}
        return [a for a in areas if a.id not in inside]

    def within(self, name: str) -> list[Place]:
        """The country, division or region called `name` and every place inside it."""
        for area in self.areas(name):
            inside = self._inside(area)
            if inside:
                return inside
        return []

    def _inside(self, area: Place) -> list[Place]:
        if area.kind == "country":
            return [area, *self.in_country(area.country)]
        if area.kind == "governorate":
            return [area, *(p for p in self._by_area.get((area.country, area.admin1), []) if p is not area)]
        if area.kind == "district":  # which localities lie in it is not known, only its seat
            return [area, *(self._by_id[m] for m in area.members if m in self._by_id)]
        if not area.members:
            return []
        out = {area.id: area}
        for code in area.members:
            member = self._by_id.get(code if "-" in code else f"C-{code}")
            for p in self._inside(member) if member else []:
                out.setdefault(p.id, p)
        return list(out.values())


@lru_cache(maxsize=1)
def _bundled() -> Gazetteer:
    with gzip.open(BUNDLED, "rt", encoding="utf-8") as f:
        return Gazetteer(read_places(f))
