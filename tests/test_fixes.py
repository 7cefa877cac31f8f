"""Changes offered after a false positive, checked over the archive as `rasid diff-config` does."""

from __future__ import annotations

from rasid.config.models import WatchList
from rasid.fixes import checked_fixes
from rasid.store.base import ArchivedReport


def archived(texts: list[str]) -> list[ArchivedReport]:
    return [ArchivedReport(i, "feed", text[:30], None, None, float(i), None, text) for i, text in enumerate(texts)]


def test_a_name_that_is_also_a_person_is_fixed_by_its_phrase_or_a_place_cue() -> None:
    south = WatchList.model_validate({"name": "south", "places": ["جاسم", "درعا"], "keywords": ["اغتيال"]})
    archive = archived([
        "قال جاسم محمد المتحدث باسم الشركة إن الأرباح ارتفعت هذا العام.",  # the false positive
        "اغتيال قيادي في مدينة جاسم بريف درعا",
        "قصف على جاسم اليوم",
        "أعلن جاسم محمد عن خطة جديدة للشركة",
    ])
    fixes = {f.change: f for f in checked_fixes(south, archive[0], archive)}
    phrase = fixes["exclude_near: [جاسم محمد]"]
    assert phrase.prevents and [d.report.id for d in phrase.also_dropped] == [3] and phrase.fired_before == 3
    cue = next(f for f in fixes.values() if f.kind == "context")
    assert cue.prevents and "{name: جاسم, context: [مدينة" in cue.change
    assert sorted(d.report.id for d in cue.also_dropped) == [2, 3]  # قصف على جاسم has no cue either
    assert all(f.prevents for f in list(fixes.values())[:2])  # those that prevent it come first


def test_a_place_and_keyword_far_apart_offer_near_and_a_list_that_does_not_fire_offers_nothing() -> None:
    listed = WatchList.model_validate({"name": "yemen", "places": ["تعز"], "keywords": ["غارة"], "match": "all"})
    far = "زار الوزير تعز أمس وافتتح مشروعا للمياه وتحدث مع الأهالي عن الطرق والمدارس والكهرباء ثم عاد وذكر أن غارة قديمة دمرت الجسر"
    archive = archived([far, "غارة على تعز"])
    fixes = checked_fixes(listed, archive[0], archive)
    near = next(f for f in fixes if f.kind == "near")
    assert near.change == "near: 10" and near.prevents and near.also_dropped == []
    assert checked_fixes(listed, archived(["خبر عن الطقس"])[0], archive) == []
