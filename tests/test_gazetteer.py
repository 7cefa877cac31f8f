"""The bundled gazetteer's data and geography: everyday names of countries and regions, the Arab
League's first-level divisions, the names that are also everyday words, and coordinates."""

from __future__ import annotations

import gzip
import json
import math
from datetime import datetime, timezone
from pathlib import Path

import pytest

from rasid.config.models import WatchList
from rasid.delivery.payload import alert_document
from rasid.match import Matcher, gazetteer_with
from rasid.match.gazetteer import Gazetteer, Place
from rasid.match.gazetteer.places import read_places, write_places
from rasid.models import Alert, Report
from support import ROOT, rasid

ARAB_LEAGUE_DIVISIONS = {
    "DZ": 58, "BH": 4, "KM": 3, "DJ": 6, "EG": 27, "IQ": 18, "JO": 12, "KW": 6, "LB": 8, "LY": 22, "MR": 15,
    "MA": 12, "OM": 11, "PS": 16, "QA": 8, "SA": 13, "SO": 18, "SD": 18, "SY": 14, "TN": 24, "AE": 7, "YE": 22,
}  # fmt: skip


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.bundled()


def kinds_and_countries(gazetteer: Gazetteer, name: str) -> list[tuple[str, str]]:
    return [(p.kind, p.country) for p in gazetteer.lookup(name)]


def test_countries_under_the_names_people_write(gazetteer: Gazetteer) -> None:
    for name, code in [("بريطانيا", "GB"), ("فلسطين", "PS"), ("السعودية", "SA"), ("الإمارات", "AE"), ("أمريكا", "US"),
                       ("أميركا", "US"), ("سورية", "SY"), ("سوريا", "SY"), ("الولايات المتحدة", "US")]:  # fmt: skip
        assert ("country", code) in kinds_and_countries(gazetteer, name), name
    assert kinds_and_countries(gazetteer, "إنجلترا") == [("region", "GB")]


def test_only_real_countries_are_countries(gazetteer: Gazetteer) -> None:
    countries = [p for p in gazetteer.places if p.kind == "country"]
    for name in ("الأمم المتحدة", "الاتحاد الأوروبي", "منطقة اليورو", "منطقة غير معروفة"):
        assert not gazetteer.lookup(name), name
    assert {"C-EU", "C-EZ", "C-UN", "C-QO", "C-ZZ", "C-XA"}.isdisjoint(p.id for p in countries)
    assert 240 <= len(countries) <= 255


def test_continents_and_regions_and_what_lies_within_them(gazetteer: Gazetteer) -> None:
    for name in ("الشرق الأوسط", "الخليج", "أفريقيا", "أوروبا", "آسيا", "المغرب العربي", "بلاد الشام", "Middle East"):
        assert [p.kind for p in gazetteer.lookup(name)][:1] == ["region"], name
    gulf = {p.id for p in gazetteer.within("دول الخليج")}
    assert {"C-SA", "C-QA", "C-OM", "SA-01"} <= gulf and "C-EG" not in gulf
    assert any(p.name == "الدوحة" for p in gazetteer.within("الخليج"))
    africa = {p.country for p in gazetteer.within("أفريقيا") if p.kind == "country"}
    assert {"EG", "SD", "NG", "ZA"} <= africa and "FR" not in africa
    west_bank = [p for p in gazetteer.within("الضفة الغربية") if p.kind == "locality"]
    assert any(p.name == "نابلس" for p in west_bank) and not any(p.name == "خان يونس" for p in west_bank)


def test_every_arab_league_country_has_its_first_level_divisions(gazetteer: Gazetteer) -> None:
    divisions = [p for p in gazetteer.places if p.kind == "governorate"]
    counts = {code: sum(1 for p in divisions if p.country == code) for code in ARAB_LEAGUE_DIVISIONS}
    assert counts == ARAB_LEAGUE_DIVISIONS
    for p in divisions:
        assert p.id == p.admin1 and p.id.startswith(p.country + "-")
        assert p.lat is not None and p.lon is not None and p.latin and p.arabic
    empty = [p.id for p in divisions if len(gazetteer.within(p.id)) == 1]
    assert len(empty) <= 3, empty  # seats GeoNames has no Arabic name for


@pytest.mark.parametrize("name", ["الحديدة", "محافظة الحديدة", "Hodeidah", "Al Hudaydah", "YE-HU", "ye-hu"])
def test_a_division_by_its_arabic_name_latin_name_or_iso_code(gazetteer: Gazetteer, name: str) -> None:
    inside = gazetteer.within(name)
    assert inside[0].id == "YE-HU" and inside[0].name == "الحديدة"
    names = {p.name for p in inside}
    assert {"زبيد", "بيت الفقيه", "باجل"} <= names and "تعز" not in names
    assert all(p.admin1 == "YE-HU" for p in inside)


def test_divisions_of_other_countries_and_localities_inside_them(gazetteer: Gazetteer) -> None:
    assert gazetteer.within("ولاية سطيف")[0].id == "DZ-19"
    assert gazetteer.within("منطقة القصيم")[0].id == "SA-05"
    assert gazetteer.within("Dakahlia")[0].id == "EG-DK"
    # GeoNames gives Palestine two admin1 codes for sixteen governorates, and Algeria's ten
    # newer wilayas are cut out of older ones: a locality goes to the nearest seat there
    where = {p.name: p.admin1 for p in gazetteer.places if p.kind == "locality" and p.country in ("PS", "DZ")}
    assert where["خان يونس"] == "PS-KYS" and where["جنين"] == "PS-JEN" and where["نابلس"] == "PS-NBS"
    assert where["الخليل"] == "PS-HBN" and where["تقرت"] == "DZ-55"
    assert [p.admin1 for p in gazetteer.lookup("جاسم")] == ["SY-DR"]


def test_the_sources_errors_are_corrected(gazetteer: Gazetteer) -> None:
    (marib,) = [p for p in gazetteer.lookup("مأرب") if p.kind == "locality"]
    assert marib.name == "مأرب" and marib in gazetteer.lookup("Marib")
    assert not gazetteer.lookup("معرب") and not gazetteer.lookup("التحيتاء")
    assert [p.latin for p in gazetteer.lookup("التحيتا")] == ["At Tuḩaytā’"]
    algiers = next(p for p in gazetteer.lookup("Algiers") if p.kind == "locality")
    assert "الجزيرة" not in algiers.all_spellings and "الجزيره" not in algiers.all_spellings
    assert {p.id for p in gazetteer.lookup("Ibb")} == {"YE-IB", "74477"}


def test_names_that_are_everyday_words_are_kept_and_marked(gazetteer: Gazetteer) -> None:
    for name in ("بيان", "الخميس", "وقف", "الجديد", "إب"):
        places = [p for p in gazetteer.lookup(name) if p.population >= 20_000]
        assert places, name
        for p in places:
            assert name in p.everyday and name in p.evidence_spellings and name not in p.spellings, (name, p.latin)
    for name in ("دمشق", "غزة", "عدن", "القاهرة"):
        assert all(name in p.spellings for p in gazetteer.lookup(name)), name
    north = gazetteer.lookup("الشمال")
    assert north and all(p.kind == "governorate" and "الشمال" in p.everyday for p in north)
    assert "محافظة الشمال" in north[0].spellings


def test_everyday_names_never_match_bare() -> None:
    gazetteer = gazetteer_with([])
    matcher = Matcher([WatchList(name="kw", places=[{"gazetteer": "KW"}]), WatchList(name="ye", places=[{"within": "إب"}])], gazetteer)
    kuwait, ibb = matcher.verdicts("أصدرت الوزارة بيان اليوم، وقال أب الضحية إن ابنه كان في المدرسة")
    assert not kuwait.fired and not ibb.fired


def test_every_place_has_a_point_where_it_is(gazetteer: Gazetteer) -> None:
    pointless = [p.id for p in gazetteer.places if p.lat is None or p.lon is None]
    assert pointless == ["C-AQ", "C-BV", "C-HM", "C-UM"]  # no town in GeoNames: Antarctica, uninhabited islands
    assert all(-90 <= p.lat <= 90 and -180 <= p.lon <= 180 for p in gazetteer.places if p.lat is not None and p.lon is not None)

    def near(place: Place, lat: float, lon: float, km: float) -> bool:
        assert place.lat is not None and place.lon is not None
        return math.dist((place.lat, place.lon * math.cos(math.radians(lat))), (lat, lon * math.cos(math.radians(lat)))) * 111 < km

    sanaa = (15.35, 44.21)
    assert near(gazetteer.within("اليمن")[0], *sanaa, 10)
    assert near(gazetteer.within("أمانة العاصمة")[0], *sanaa, 10)
    assert near(gazetteer.within("الحديدة")[0], 14.80, 42.95, 10)
    assert near(next(p for p in gazetteer.lookup("درعا") if p.kind == "locality"), 32.62, 36.10, 10)
    assert near(gazetteer.lookup("الخليج")[0], 24, 50, 800)


def test_an_alert_carries_the_places_point_and_division() -> None:
    import jsonschema

    matcher = Matcher([WatchList(name="yemen", places=[{"within": "الحديدة"}])], gazetteer_with([]))
    report = Report(source="saba", title="غارات", text="شنت طائرات غارات على محافظة الحديدة غربي اليمن")
    (verdict,) = matcher.verdicts(report.text)
    assert verdict.fired
    document = alert_document(Alert("a1", "yemen", report, verdict.matches), datetime(2026, 1, 1, tzinfo=timezone.utc))
    place = document["matches"][0]["place"]
    assert {k: place[k] for k in ("id", "name", "kind", "country", "admin1")} == {
        "id": "YE-HU", "name": "الحديدة", "kind": "governorate", "country": "YE", "admin1": "YE-HU"}  # fmt: skip
    assert abs(place["lat"] - 14.8) < 0.1 and abs(place["lon"] - 42.95) < 0.1
    schema = json.loads((ROOT / "src" / "rasid" / "delivery" / "alert.schema.json").read_text())
    jsonschema.validate(json.loads(json.dumps(document, ensure_ascii=False)), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(dict(document, matches=[dict(document["matches"][0], place=dict(place, lat=91))]), schema)


def test_the_data_file_round_trips(tmp_path: Path) -> None:
    places = [
        Place("1", "locality", "YE", "YE-IB", 771514, "Ibb", ("إب",), ("Ibb",), 13.967, 44.183, frozenset({"إب"})),
        Place("R-x", "region", "", "", 0, "Gulf", ("!الخليج", "دول الخليج"), ("Gulf",), 24.5, 50.25, frozenset(), ("SA", "QA")),
    ]
    path = tmp_path / "places.tsv.gz"
    write_places(path, places)
    with gzip.open(path, "rt", encoding="utf-8") as f:
        again = read_places(f)
    assert again == places
    assert again[1].article_required("الخليج") and again[0].spellings == ["Ibb"] and again[0].name == "إب"


def test_places_list_prints_what_a_list_would_contain(tmp_path: Path) -> None:
    listed = rasid("places", "list", "--within", "الحديدة", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].startswith("الحديدة  (Al Ḩudaydah)  governorate YE-HU") and any(line.startswith("زبيد ") for line in lines)
    rows = [json.loads(line) for line in rasid("places", "list", "--json", "--within", "محافظة الحديدة", "--min-population", "30000", cwd=tmp_path).stdout.splitlines()]
    assert rows[0]["id"] == "YE-HU" and {r["name"] for r in rows} >= {"زبيد", "بيت الفقيه"}
    assert all(r["admin1"] == "YE-HU" and r["lat"] and r["lon"] for r in rows)
    assert all(r["population"] >= 30000 for r in rows if r["kind"] == "locality")
    missing = rasid("places", "list", "--within", "أتلانتس", cwd=tmp_path)
    assert missing.returncode == 1 and "no country, division or region called" in missing.stderr


def test_a_capital_the_source_gives_no_arabic_name_gets_one() -> None:
    """GeoNames' packaged set lists Washington, D.C. without an Arabic name; the correction
    table supplies it, so the capital, not a small namesake, is what واشنطن means."""
    (place, *_) = Gazetteer.bundled().lookup("واشنطن")
    assert place.id == "4140963" and place.country == "US" and place.population > 600_000


DISTRICTS = {"SY": 65, "IQ": 107, "YE": 333}


def test_the_districts_of_syria_iraq_and_yemen(gazetteer: Gazetteer) -> None:
    districts = [p for p in gazetteer.places if p.kind == "district"]
    assert {c: sum(p.country == c for p in districts) for c in DISTRICTS} == DISTRICTS
    assert all(p.admin1.startswith(p.country + "-") and p.lat is not None for p in districts)
    hodeidah = gazetteer.within("الحديدة")
    assert sum(p.kind == "district" for p in hodeidah) == 26
    (tuhayta,) = gazetteer.lookup("مديرية التحيتا")
    assert (tuhayta.kind, tuhayta.admin1) == ("district", "YE-HU") and tuhayta in hodeidah
    # a district's within: is it and its seat; the town of its name is the same mention as its bare name
    assert [(p.kind, p.name) for p in gazetteer.within("قضاء تلعفر")] == [("district", "قضاء تلعفر"), ("locality", "تلعفر")]
    assert [p.kind for p in gazetteer.lookup("تلعفر")] == ["locality"]


def test_a_district_matches_with_its_kind_word_and_carries_its_governorate() -> None:
    matcher = Matcher([WatchList(name="yemen", places=[{"within": "الحديدة"}])], gazetteer_with([]))
    (verdict,) = matcher.verdicts("قصفت طائرات التحالف مواقع في مديرية الخوخة جنوب المحافظة")
    (district,) = [m for m in verdict.matches if m.place and m.place.kind == "district"]
    assert district.surface == "مديرية الخوخة" and district.place.admin1 == "YE-HU" and district.confidence
    # a district whose bare name is a common word is matched only with its kind word (الصدر is also «the chest»)
    sadr = Matcher([WatchList(name="baghdad", places=[{"within": "بغداد"}])], gazetteer_with([]))
    assert not sadr.verdicts("شعر بألم في الصدر ونقل إلى المستشفى")[0].fired
    assert sadr.verdicts("اشتباكات في مدينة الصدر شرق العاصمة")[0].fired
