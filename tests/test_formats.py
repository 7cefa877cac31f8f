"""Payload formats: golden files per service, limits, right-to-left text."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from rasid.delivery.formats import FORMATS, Wording, messages_of, render
from rasid.delivery.formats.text import FSI, PDI, isolate_ltr, split_messages, truncate

GOLDEN = Path(__file__).parent / "data" / "formats"
ALERT = {
    "type": "alert",
    "id": "alert_3b6bcb811b9b8233126497a7",
    "watchlist": "south-syria",
    "created_at": "2026-11-24T20:33:49+00:00",
    "story": {"id": "story_2b71a40290222019d926", "sources": 2},
    "report": {
        "title": "اغتيال قيادي سابق في Daraa بعد اجتماع مع وفد روسي عام 2020",
        "url": "https://news.example/2020/07/jasim",
        "source": "enab-baladi",
        "published": "2020-07-20T10:00:00+00:00",
    },
    "matches": [
        {"kind": "keyword", "term": "اغتيال", "surface": "اغتيال", "start": 0, "end": 6},
        {"kind": "place", "term": "جاسم", "surface": "جاسم", "start": 40, "end": 44},
        {"kind": "place", "term": "جاسم", "surface": "جاسم", "start": 80, "end": 84},
    ],
    "snippet": "… عقدت شخصيات قيادية اجتماعاً في مدينة جاسم @everyone <b>تجربة</b> *نجمة* [رابط](x) …",
}
UPDATE = {
    "type": "story.updated",
    "id": "update_0f2c",
    "watchlist": "south-syria",
    "created_at": "2026-11-24T21:00:00+00:00",
    "story": {"id": "story_2b71a40290222019d926", "sources": 3},
    "report": {"title": "روسيا تجتمع بقيادات سابقة في درعا", "url": "https://other.example/x", "source": "horan", "published": None},
    "similarity": 0.82,
}
FAILING = {
    "type": "notifier.failing",
    "id": "event_1",
    "notifier": "ops",
    "created_at": "2026-11-24T22:00:00+00:00",
    "failing_since": "2026-11-24T21:00:00+00:00",
    "error": "HTTP 503",
}
DOCUMENTS = {"alert": ALERT, "update": UPDATE, "failing": FAILING, "digest": {"type": "digest", "id": "digest_1", "created_at": "2026-11-24T21:15:00+00:00", "period": 900.0, "items": [ALERT, UPDATE]}}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", sorted(DOCUMENTS))
def test_golden(fmt: str, kind: str) -> None:
    rendered = render(fmt, DOCUMENTS[kind], chat_id="-1001234")
    path = GOLDEN / f"{fmt}.{kind}.json"
    text = json.dumps(rendered, ensure_ascii=False, indent=1) + "\n"
    if os.environ.get("RASID_UPDATE_GOLDEN") or not path.exists():
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_discord_never_mentions_and_slack_links_titles() -> None:
    (discord,) = render("discord", ALERT)
    assert discord["allowed_mentions"] == {"parse": []}
    assert discord["embeds"][0]["url"] == ALERT["report"]["url"]
    assert "**جاسم**" in discord["embeds"][0]["description"]
    (slack,) = render("slack", ALERT)
    assert f"<{ALERT['report']['url']}|" in json.dumps(slack, ensure_ascii=False)
    (telegram,) = render("telegram", ALERT, chat_id="-1")
    assert "<b>تجربة" not in telegram["text"] and "&lt;" in telegram["text"] and "<b>جاسم</b>" in telegram["text"]
    (teams,) = render("teams", ALERT)
    assert teams["attachments"][0]["content"]["rtl"] is True and teams["attachments"][0]["content"]["version"] == "1.5"


def test_latin_and_numbers_are_isolated_inside_arabic() -> None:
    assert isolate_ltr("قتل 3 في Daraa اليوم") == f"قتل {FSI}3{PDI} في {FSI}Daraa{PDI} اليوم"
    assert isolate_ltr("Clashes in Daraa") == "Clashes in Daraa"


def test_truncation_keeps_words_and_graphemes_whole() -> None:
    text = "اجتماعٌ " * 1000
    cut = truncate(text, 100)
    assert len(cut) <= 100 and cut.endswith("…")
    assert all(word == "اجتماعٌ" for word in cut[:-1].split())
    emoji = "👍🏽" * 100  # each a surrogate-free code point pair forming one grapheme
    cut = truncate(emoji, 51)
    assert cut[:-1] == "👍🏽" * 25


@pytest.mark.parametrize(("fmt", "limit"), [("discord", 4096), ("telegram", 4096), ("slack", 3000), ("mattermost", 16383)])
def test_huge_alerts_stay_within_limits(fmt: str, limit: int) -> None:
    huge = dict(ALERT, snippet="قصف " * 5000, report=dict(ALERT["report"], title="عنوان " * 200))
    for body in render(fmt, huge, chat_id="-1"):
        text = json.dumps(body, ensure_ascii=False)
        if fmt == "discord":
            embed = body["embeds"][0]
            assert len(embed["title"]) <= 256 and len(embed["description"]) <= limit
        elif fmt == "telegram":
            assert len(body["text"]) <= limit
        elif fmt == "slack":
            assert all(len(b["text"]["text"]) <= limit for b in body["blocks"] if b["type"] == "section")
            assert len(body["blocks"][0]["text"]["text"]) <= 150
        else:
            assert len(body["text"]) <= limit
        assert "\ud800" not in text


def test_long_digests_are_split_for_telegram() -> None:
    digest = {"type": "digest", "id": "d", "items": [dict(ALERT, snippet="خبر " * 300)] * 12}
    bodies = render("telegram", digest, chat_id="-1")
    assert len(bodies) > 1 and all(len(b["text"]) <= 4096 for b in bodies)
    assert sum(b["text"].count("south-syria") for b in bodies) == 12
    assert split_messages(["a" * 10, "b" * 10], 25) == ["a" * 10 + "\n\n" + "b" * 10]


def test_json_payloads_follow_the_published_schema() -> None:
    import jsonschema

    schema = json.loads((Path(__file__).parent.parent / "src" / "rasid" / "delivery" / "alert.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    for document in DOCUMENTS.values():
        jsonschema.validate(document, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(dict(ALERT, matches=[]), schema)


def test_the_snippet_shows_where_the_place_and_the_event_are_named() -> None:
    """A report whose first match is a keyword in its opening line shows the passage naming the
    place and the event, further down, rather than its opening (found by a user: «الكوليرا في
    السودان» shown, «وتعز» not)."""
    from rasid.config import WatchList
    from rasid.delivery.payload import snippet
    from rasid.match import Matcher

    text = (
        "الكوليرا في السودان تحصد مزيدا من الأرواح\n"
        + "قالت منظمة الصحة العالمية إن حالات الإصابة ارتفعت في عدة ولايات خلال الأسبوع الماضي. " * 3
        + "وفي اليمن، تجدد القصف المدفعي على الأحياء الشرقية لمدينة تعز مساء أمس وأصيب ثلاثة مدنيين. "
        + "وتواصل الفرق الطبية حملات التطعيم في المخيمات."
    )
    (verdict,) = Matcher([WatchList(name="yemen", places=["تعز"], keywords=["الكوليرا", "قصف"])]).verdicts(text)
    assert [m.term for m in verdict.matches] == ["الكوليرا", "قصف", "تعز"]
    passage = snippet(text, verdict.matches)
    assert "تعز" in passage and "القصف" in passage and "الكوليرا" not in passage
    assert passage.startswith("… ") and len(passage) <= 2 * 80 + len("القصف") + len("تعز") + 40
    alone = snippet("الكوليرا في السودان", Matcher([WatchList(name="w", keywords=["الكوليرا"])]).verdicts("الكوليرا في السودان")[0].matches)
    assert alone == "الكوليرا في السودان"


ARABIC = Wording("ar", "Asia/Aden")


@pytest.mark.parametrize("fmt", ["slack", "telegram", "teams"])
@pytest.mark.parametrize("kind", ["alert", "failing", "update"])
def test_golden_in_arabic_and_local_time(fmt: str, kind: str) -> None:
    rendered = render(fmt, DOCUMENTS[kind], chat_id="-1001234", wording=ARABIC)
    path = GOLDEN / f"{fmt}.{kind}.ar.json"
    text = json.dumps(rendered, ensure_ascii=False, indent=1) + "\n"
    if os.environ.get("RASID_UPDATE_GOLDEN") or not path.exists():
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_arabic_labels_and_times_in_the_notifier_s_zone() -> None:
    (alert,) = messages_of(ALERT, ARABIC)
    assert alert.facts == [
        ("المصدر", "enab-baladi"), ("نُشر", "\u20662020-07-20 13:00 +03\u2069"), ("الأماكن", "جاسم ×2"), ("الكلمات", "اغتيال"),
        ("القصة", "مصدران"),
    ]  # fmt: skip
    (failing,) = messages_of(FAILING, ARABIC)
    assert failing.heading == "rasid: قناة التنبيه ops متعطلة" and failing.title == "ops متعطلة منذ \u20662026-11-25 00:00 +03\u2069"
    (english,) = messages_of(ALERT)
    assert ("published", "2020-07-20T10:00:00+00:00") in english.facts  # without a zone, as written
    assert Wording("en", "America/New_York").when("2020-07-20T10:00:00+00:00") == "2020-07-20 06:00 EDT"
    assert Wording("ar", "Asia/Aden").when("not a time") == "not a time"


def test_arabic_counts_of_sources() -> None:
    counted = {n: Wording("ar").sources(n) for n in (1, 2, 3, 10, 11, 99, 100, 102, 103, 111)}
    assert counted == {
        1: "مصدر واحد", 2: "مصدران", 3: "3 مصادر", 10: "10 مصادر", 11: "11 مصدرًا", 99: "99 مصدرًا",
        100: "100 مصدر", 102: "102 مصدر", 103: "103 مصادر", 111: "111 مصدرًا",
    }  # fmt: skip
    assert [Wording().sources(n) for n in (1, 2)] == ["1 source", "2 sources"]
