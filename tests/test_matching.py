"""The matcher on sentences in the style of Arabic news: what fires, and where."""

from __future__ import annotations

import pytest

from rasid.config import WatchList
from rasid.match import Matcher

SOUTH = WatchList(
    name="south",
    places=[
        {"name": "درعا", "aliases": ["Daraa", "Deraa"]},
        {"name": "جاسم", "aliases": ["Jasim", "Jassem"]},
        "القنيطرة",
        "الجيدور",
        "ريف درعا",
    ],
    keywords=["اغتيال", {"name": "داعش", "aliases": ["تنظيم الدولة"]}, "اجتماع", "مجزرة"],
    exclude=["مباراة"],
)
MATCHER = Matcher([SOUTH])

CASES = [
    # (text, expected (term, surface) pairs in order)
    ("اغتيال قيادي سابق في مدينة جاسم", [("اغتيال", "اغتيال"), ("جاسم", "جاسم")]),
    ("وصل وفد إلى دَرْعَا اليوم", [("درعا", "دَرْعَا")]),
    ("قصف على بدرعا وفي لدرعا", [("درعا", "بدرعا"), ("درعا", "لدرعا")]),
    ("ودرعا والقنيطرة", [("درعا", "ودرعا"), ("القنيطرة", "والقنيطرة")]),
    ("المساعدات للقنيطرة", [("القنيطرة", "للقنيطرة")]),
    ("وصلت بالقنيطرة", [("القنيطرة", "بالقنيطرة")]),
    ("القُنَيطِرَة", [("القنيطرة", "القُنَيطِرَة")]),
    ("منطقة الجيدور", [("الجيدور", "الجيدور")]),
    ("خلايا لتنظيم الدولة في البادية", [("داعش", "لتنظيم الدولة")]),
    ("عُقد الاجتماعُ أمس", [("اجتماع", "الاجتماعُ")]),
    ("عقدوا اجتماعاً", [("اجتماع", "اجتماعاً")]),
    ("رفض اجتماعاتهم", [("اجتماع", "اجتماعاتهم")]),
    ("وقعت مجزرتان", [("مجزرة", "مجزرتان")]),
    ("ذكرى مجزرتهم", [("مجزرة", "مجزرتهم")]),
    ("في ريف درعا الغربي", [("ريف درعا", "ريف درعا")]),
    ("Clashes in Daraa's countryside", [("درعا", "Daraa's")]),
    ("DERAA and Jassem", [("درعا", "DERAA"), ("جاسم", "Jassem")]),
    ("in Daraafield and Jasimov", []),
    ("درعاوي ودرعان", []),
    ("جاسمي", []),
    ("مجتمع الاغتيالاتية", []),
    ("دراعة", []),
    ("صار درعا\u0640\u0640\u0640 هادئا", [("درعا", "درعا\u0640\u0640\u0640")]),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:24] for c in CASES])
def test_cases(text: str, expected: list[tuple[str, str]]) -> None:
    (verdict,) = MATCHER.verdicts(text)
    found = [(m.term, m.surface) for m in verdict.matches]
    assert found == expected
    for m in verdict.matches:
        assert text[m.start : m.end] == m.surface
    assert verdict.fired == bool(expected)


def test_exclude_and_all_rules() -> None:
    (v,) = MATCHER.verdicts("مباراة كرة قدم في درعا")
    assert not v.fired and v.reason == "excluded by مباراة"
    strict = Matcher([SOUTH.model_copy(update={"match": "all"})])
    (v,) = strict.verdicts("هدوء في درعا")
    assert not v.fired and "no keyword" in v.reason
    (v,) = strict.verdicts("اغتيال في درعا")
    assert v.fired


def test_longest_match_wins_within_a_list() -> None:
    (v,) = MATCHER.verdicts("قصف ريف درعا")
    assert [(m.term, m.surface) for m in v.matches] == [("ريف درعا", "ريف درعا")]


def test_several_watchlists_fire_independently() -> None:
    other = WatchList(name="sport", keywords=["مباراة"])
    verdicts = Matcher([SOUTH, other]).verdicts("مباراة في درعا")
    assert [(v.watchlist, v.fired) for v in verdicts] == [("south", False), ("sport", True)]


def test_seed_report_matches_with_exact_offsets() -> None:
    from support import SEED

    text = SEED.read_text(encoding="utf-8")
    (v,) = MATCHER.verdicts(text)
    assert v.fired
    terms = {m.term for m in v.matches}
    assert terms >= {"درعا", "جاسم", "القنيطرة", "الجيدور", "اغتيال", "داعش", "اجتماع"}
    assert all(text[m.start : m.end] == m.surface for m in v.matches)
