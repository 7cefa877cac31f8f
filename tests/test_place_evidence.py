"""Gazetteer matches weighed for evidence: each cause of a false place, and the true place beside it."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from rasid.config import WatchList
from rasid.config.models import CustomPlace
from rasid.explain import print_explanation
from rasid.match import Matcher, gazetteer_with
from rasid.match.matcher import NATIVE
from rasid.models import Verdict

ENGINES = [True, False] if NATIVE else [False]
GAZETTEER = gazetteer_with([CustomPlace(name="إلدون", country="US")])


@pytest.fixture(params=ENGINES, ids=lambda native: "native" if native else "python")
def native(request: pytest.FixtureRequest) -> bool:
    return request.param


def verdict(native: bool, text: str, *places: object, **options: object) -> Verdict:
    (found,) = Matcher([WatchList(name="w", places=list(places), **options)], GAZETTEER, native=native).verdicts(text)
    return found


def terms(v: Verdict) -> list[str]:
    return [m.term for m in v.matches]


# (country list, sentence, the places it must count): one false and one true sentence per cause
CASES: list[tuple[str, str, list[str]]] = [
    # an everyday word that is also a place's name
    ("SY", "دعا إلى تطوير العلاقات في الميادين كافة", []),
    ("SY", "صعد الأطفال إلى أعلى التل", []),
    ("SY", "قصف مدفعي على مدينة الميادين شرق دير الزور", ["الميادين", "دير الزور", "دير الزور"]),
    # a proclitic that makes another word: ورقة is not و + رقة, ببرقية not ب + برقية
    ("SY", "وقع الطرفان على ورقة التفاهم أمس", []),
    ("SY", "هنأه الرئيس ببرقية مماثلة", []),
    # the article on a name that has none: الشوط is not Shut
    ("IR", "تقدم الفريق في الشوط الثاني", []),
    ("US", "وصل الوفد إلى إلدون مساء أمس", ["إلدون"]),
    # a person: a title before a given name that is also a place's
    ("DZ", "استقبل الرئيس بشار الأسد وفدا جزائريا", []),
    ("DZ", "اشتباكات في مدينة بشار جنوب غرب الجزائر", ["بشار", "بشار", "الجزائر"]),
    # an organisation: a club
    ("GB", "فاز مانشستر يونايتد على ضيفه بهدفين", []),
    ("GB", "افتتح معرض للكتاب في مدينة مانشستر البريطانية", ["مانشستر"]),
    # a person: a given name before a surname that is also a place's
    ("GB", "قال السفير الأمريكي جون بولتون إن النص متوازن", []),
    ("GB", "افتتح مصنع جديد في مدينة بولتون شمال إنجلترا", ["بولتون", "إنجلترا"]),
    # an organisation's word before a name its prior alone would settle: a newspaper
    ("IQ", "نشرت صحيفة القادسية مقالا عن الانتخابات", []),
    ("IQ", "اشتباكات في محافظة القادسية جنوب بغداد", ["القادسية", "بغداد", "بغداد"]),
    # a small place's namesake: naming its country is no evidence, a place word is
    ("US", "قال خافيير سولانا إن الولايات المتحدة ترحب بالاتفاق", []),
    ("US", "ضربت عاصفة بلدة سولانا في ولاية فلوريدا الأمريكية", ["سولانا"]),
    # a name that reads as a proclitic and a word: بعقوبة as ب + عقوبة
    ("IQ", "اللاعب مهدد بعقوبة أخرى من الاتحاد التونسي", []),
    ("IQ", "انفجار سيارة مفخخة في بعقوبة شمال شرق بغداد", ["بعقوبة", "بغداد", "بغداد"]),
    # an everyday word after a place word with the article is its adjective (the Indian city)
    ("IQ", "ضربت التفجيرات نفس المدينة الهندية خلال عامين", []),
    ("IQ", "مسيرة في مدينة الهندية بمحافظة كربلاء", ["الهندية", "كربلاء"]),
    # a governorate named after a person: Saladin's minbar is no place
    ("IQ", "أزاح الملك الستار عن منبر صلاح الدين الأيوبي", []),
    ("IQ", "اشتباكات في محافظة صلاح الدين شمال بغداد", ["صلاح الدين", "بغداد", "بغداد"]),
    # a namesake: Egypt's Alexandria under an Iraq list, and Iraq's own beside Baghdad
    ("IQ", "افتتح متحف جديد في الإسكندرية المصرية", []),
    ("IQ", "انفجار سيارة مفخخة في ناحية الإسكندرية جنوب بغداد", ["الإسكندرية", "بغداد", "بغداد"]),
]


@pytest.mark.parametrize(("country", "text"), [(c, t) for c, t, expected in CASES if not expected])
def test_each_false_case_is_a_match_without_evidence(native: bool, country: str, text: str) -> None:
    assert verdict(native, text, {"gazetteer": country, "evidence": False}).fired


@pytest.mark.parametrize(("country", "text", "expected"), CASES)
def test_each_cause_of_a_false_place(native: bool, country: str, text: str, expected: list[str]) -> None:
    v = verdict(native, text, {"gazetteer": country})
    assert terms(v) == expected
    assert all(m.confidence is not None and m.confidence >= 0.5 and m.evidence for m in v.matches)


def test_a_name_written_with_hamza_and_lam_has_no_article_to_drop(native: bool) -> None:
    """إلدون (Eldon) is not إل + دون, with or without evidence: the article is written with a bare alef."""
    for evidence in (True, False):
        assert not verdict(native, "مر الأسبوع دون حوادث تذكر", {"gazetteer": "US", "evidence": evidence}).fired


def test_a_title_before_a_country_is_its_office_not_a_person(native: bool) -> None:
    v = verdict(native, "التقى الرئيس الفرنسي رئيس الولايات المتحدة في باريس", {"within": "الولايات المتحدة"})
    assert terms(v) == ["الولايات المتحدة"]
    assert not verdict(native, "فاز منتخب فرنسا على ضيفه", {"within": "فرنسا"}).fired  # a team is an organisation


def test_a_dropped_match_says_why(native: bool) -> None:
    v = verdict(native, "استقبل الرئيس بشار الأسد وفدا", {"gazetteer": "DZ"})
    assert not v.fired
    assert any("بشار" in note and "a person" in note for note in v.notes)
    v = verdict(native, "فاز مانشستر يونايتد على ضيفه", {"gazetteer": "GB"})
    assert any("before يونايتد: an organisation" in note for note in v.notes)


def test_evidence_from_the_same_country_or_area(native: bool) -> None:
    alone = verdict(native, "وصل الوفد إلى الإسكندرية", {"gazetteer": "IQ"})
    assert not alone.fired
    (m, *_) = verdict(native, "وصل الوفد إلى الإسكندرية قادما من بغداد", {"gazetteer": "IQ"}).matches
    assert m.term == "الإسكندرية"
    assert any("بغداد" in e for e in m.evidence)
    (m,) = verdict(native, "افتتح معرض في مانشستر بحضور مسؤولين بريطانيين", {"gazetteer": "GB"}).matches
    assert any("its country named" in e for e in m.evidence)


def test_a_watch_list_sets_the_confidence_it_needs(native: bool) -> None:
    text = "اشتباكات في مدينة بشار"
    found = verdict(native, text, {"gazetteer": "DZ"}).matches
    assert [m.evidence for m in found] == [("governorate", "a given name", "after مدينه"), ("locality of 165,241", "a given name", "after مدينه")]
    low = min(m.confidence for m in found)  # type: ignore[type-var]
    assert len(verdict(native, text, {"gazetteer": "DZ"}, min_confidence=low).matches) == 2
    assert len(verdict(native, text, {"gazetteer": "DZ"}, min_confidence=low + 0.05).matches) == 1


def test_evidence_false_keeps_every_candidate(native: bool) -> None:
    v = verdict(native, "استقبل الرئيس بشار الأسد", {"gazetteer": "DZ", "evidence": False})
    assert terms(v) == ["بشار", "بشار"]
    assert all(m.confidence is None and not m.evidence for m in v.matches)


def test_hand_typed_names_keep_their_behaviour_unless_asked(native: bool) -> None:
    text = "قال الرئيس بشار الأسد إن الوضع مستقر"
    v = verdict(native, text, "بشار")
    assert terms(v) == ["بشار"] and v.matches[0].confidence is None
    assert not verdict(native, text, {"name": "بشار", "evidence": True}).fired
    assert verdict(native, "قصف على مدينة بشار", {"name": "بشار", "evidence": True}).fired


def test_a_hand_typed_name_asking_for_evidence_is_weighed_as_the_gazetteers_place(native: bool) -> None:
    asked = [{"name": "القاهرة", "evidence": True}, {"name": "دمشق", "evidence": True}]
    v = verdict(native, "وصل الوفد إلى القاهرة قادما من دمشق", *asked)
    assert terms(v) == ["القاهرة", "دمشق"]  # frequent words, but the names of capitals
    assert [(m.place.country if m.place else None) for m in v.matches] == ["EG", "SY"]
    assert all(m.confidence is not None and m.confidence >= 0.75 and not any("everyday" in e for e in m.evidence) for m in v.matches)


def test_a_proclitic_that_makes_a_common_word_of_a_name_is_no_proclitic(native: bool) -> None:
    text = "وجاء بيان الوزارة بعد يوم من الاجتماع"
    assert verdict(native, text, "يان").fired  # a hand-typed name keeps its behaviour
    assert not verdict(native, text, {"name": "يان", "evidence": True}).fired  # بيان is a word, not ب + يان
    assert verdict(native, "وصل الوفد إلى يان صباحا", {"name": "يان", "evidence": True}).fired


def test_confidence_and_evidence_in_json_and_explanations(native: bool) -> None:
    text = "اشتباكات في مدينة بشار"
    v = verdict(native, text, {"gazetteer": "DZ"})
    row = v.matches[0].to_json()
    assert row["confidence"] == v.matches[0].confidence
    assert row["evidence"] == ["governorate", "a given name", "after مدينه"]
    out = io.StringIO()
    print_explanation("t", text, [v], Console(file=out, width=400))
    assert f"confidence {v.matches[0].confidence:.2f} (governorate; a given name; after مدينه)" in out.getvalue()


def test_a_name_that_is_an_everyday_word_counts_only_after_a_place_word(native: bool) -> None:
    (jasim,) = GAZETTEER.lookup("جاسم")
    assert "جاسم" in jasim.everyday and "جاسم" not in jasim.spellings
    v = verdict(native, "قتل ثلاثة مدنيين في مدينة جاسم بريف درعا الشمالي", {"within": "درعا"})
    assert "جاسم" in terms(v)
    (m,) = [m for m in v.matches if m.term == "جاسم"]
    assert m.confidence is not None and m.confidence >= 0.5 and "after مدينه" in m.evidence
    assert "جاسم" not in terms(verdict(native, "قال جاسم محمد إن الأهالي في درعا ينتظرون المساعدات", {"within": "درعا"}))
    # its country or division named says what the report is about, not what the word means here
    v = verdict(native, "قال جاسم محمد إن الوضع في سوريا مستقر", {"gazetteer": "SY"})
    assert not v.fired and not v.notes
    unchecked = verdict(native, "قتل ثلاثة مدنيين في مدينة جاسم بريف درعا", {"within": "درعا", "evidence": False})
    assert unchecked.fired and "جاسم" not in terms(unchecked)


def test_an_everyday_name_after_a_place_word_with_the_article_is_its_adjective(native: bool) -> None:
    (new,) = [p for p in GAZETTEER.lookup("الجديدة") if p.country == "MA" and p.kind == "locality"]
    assert "الجديدة" in new.everyday
    assert "الجديدة" not in terms(verdict(native, "افتتح الملك المدينة الجديدة في المغرب", {"gazetteer": "MA"}))
    assert "الجديدة" in terms(verdict(native, "افتتح الملك ميناء جديدا في مدينة الجديدة المغربية", {"gazetteer": "MA"}))


def test_a_place_word_is_the_cue_of_the_name_after_it_not_a_place(native: bool) -> None:
    assert any("مدينه" in p.everyday for p in GAZETTEER.lookup("مدينة"))  # Medina, spelt as the word is
    v = verdict(native, "قصفت الطائرات أحياء مدينة حلب ومحيطها", {"gazetteer": "SA"})
    assert not v.fired and not v.notes
