"""Places: the bundled gazetteer file, the curated table, and lookups over them."""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rasid.normalize import normalize_term

DATA = Path(__file__).parent / "data"
BUNDLED = DATA / "geonames.tsv.gz"
CURATED = DATA / "curated.tsv"
KIND_RANK = {"country": 0, "governorate": 1, "region": 2, "locality": 3}


@dataclass(frozen=True)
class Place:
    """A place and its names. An Arabic name marked `!` needs its article (its bare form is a word)."""

    id: str
    kind: str
    country: str
    admin1: str
    population: int
    latin: str
    arabic: tuple[str, ...]
    latin_names: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The name alerts report: the first Arabic name."""
        return self.arabic[0].lstrip("!") if self.arabic else self.latin

    @property
    def spellings(self) -> list[str]:
        return [a.lstrip("!") for a in self.arabic] + list(self.latin_names)

    def article_required(self, spelling: str) -> bool:
        return ("!" + spelling) in self.arabic


def write_places(path: Path, places: Iterable[Place]) -> None:
    lines = ["# id\tkind\tcountry\tadmin1\tpopulation\tlatin\tarabic\tlatin names"]
    for p in places:
        lines.append("\t".join([p.id, p.kind, p.country, p.admin1, str(p.population), p.latin, "|".join(p.arabic), "|".join(p.latin_names)]))
    data = ("\n".join(lines) + "\n").encode("utf-8")
    with gzip.GzipFile(path, "wb", mtime=0) as f:
        f.write(data)


def read_places(lines: Iterable[str]) -> list[Place]:
    out = []
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        pid, kind, country, admin1, population, latin, arabic, latin_names = line.rstrip("\n").split("\t")
        out.append(
            Place(pid, kind, country, admin1, int(population), latin,
                  tuple(a for a in arabic.split("|") if a), tuple(x for x in latin_names.split("|") if x))
        )  # fmt: skip
    return out


@dataclass
class Gazetteer:
    """Every known place, searchable by name, country and governorate."""

    places: list[Place]
    _by_name: dict[str, list[Place]] = field(default_factory=dict, repr=False)
    _by_area: dict[tuple[str, str], list[Place]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for place in self.places:
            self._index(place)
            self._by_area.setdefault((place.country, place.admin1), []).append(place)

    def _index(self, place: Place) -> None:
        for spelling in {normalize_term(s) for s in place.spellings + [place.latin]}:
            self._by_name.setdefault(spelling, []).append(place)

    @classmethod
    def bundled(cls) -> Gazetteer:
        """GeoNames localities, CLDR countries and the curated table (cached; do not mutate)."""
        return _bundled()

    def extended(self, extra: list[Place]) -> Gazetteer:
        """A copy with `extra` places added."""
        return Gazetteer(self.places + extra) if extra else self

    def lookup(self, name: str) -> list[Place]:
        """Places called `name` in any of their spellings, the larger kinds and populations first."""
        found = self._by_name.get(normalize_term(name), [])
        return sorted(found, key=lambda p: (KIND_RANK.get(p.kind, 9), -p.population))

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

    def within(self, name: str) -> list[Place]:
        """The governorate or country called `name` and every place inside it."""
        for area in self.lookup(name):
            if area.kind == "country":
                return [area, *self.in_country(area.country)]
            if area.kind == "governorate":
                inside = [p for p in self._by_area.get((area.country, area.admin1), []) if p is not area]
                return [area, *inside]
        return []


@lru_cache(maxsize=1)
def _bundled() -> Gazetteer:
    with gzip.open(BUNDLED, "rt", encoding="utf-8") as f:
        places = read_places(f)
    with CURATED.open(encoding="utf-8") as f:
        places += read_places(f)
    return Gazetteer(places)
