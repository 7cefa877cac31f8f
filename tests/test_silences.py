"""Silences: alerts held by story, watch-list, place (a governorate's places too) or words are
recorded as silenced and sent to nobody, for a while; `rasid silence` adds, lists and ends them."""

from __future__ import annotations

import json
from pathlib import Path

from support import WebhookReceiver, rasid

from rasid.silences import silencing
from rasid.store import AlertFilter, Silence, open_store

REPORTS = {
    "a.txt": "قصف على درعا\nقصفت مدفعية النظام أحياء درعا البلد مساء اليوم.",
    "b.txt": "غارة على المخا\nشنت طائرات غارة على ميناء المخا غرب محافظة تعز.",
    "c.txt": "قصف على بصرى\nقصف صاروخي على أطراف بصرى الشام في ريف درعا الشرقي.",
}


def test_silenced_alerts_are_recorded_shown_and_not_sent_until_the_silence_ends(tmp_path: Path) -> None:
    receiver = WebhookReceiver()
    try:
        (tmp_path / "inbox").mkdir()
        for name, text in REPORTS.items():
            (tmp_path / "inbox" / name).write_text(text, encoding="utf-8")
        (tmp_path / "config.yaml").write_text(
            "state_dir: ./state\n"
            "sources: {folders: [{name: inbox, path: ./inbox, interval: 1s}]}\n"
            "watchlists:\n"
            "  - {name: south, places: [درعا, بصرى], keywords: [قصف]}\n"
            "  - name: yemen\n"
            "    places: [{within: تعز}]\n"
            "    keywords: [غارة]\n"
            f"notifiers: [{{name: desk, type: webhook, url: '{receiver.url}/hook'}}]\n",
            encoding="utf-8",
        )
        by_place = rasid("silence", "add", "-c", "config.yaml", "--place", "محافظة تعز", "--for", "2h", "--note", "معروف", cwd=tmp_path)
        assert by_place.returncode == 0, by_place.stderr
        place_id = by_place.stdout.split(":")[0]
        by_words = rasid("silence", "add", "-c", "config.yaml", "--match", "مدفعيه النظام", cwd=tmp_path)  # matching form: ه for ة
        words_id = by_words.stdout.split(":")[0]
        listed = rasid("silence", "list", "-c", "config.yaml", "--json", cwd=tmp_path)
        assert [json.loads(line)["state"] for line in listed.stdout.splitlines()] == ["active", "active"]

        result = rasid("once", "-c", "config.yaml", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert [p.json()["report"]["title"] for p in receiver.posts()] == ["قصف على بصرى"]
        assert f"silence={place_id}" in result.stderr and f"silence={words_id}" in result.stderr
        store = open_store(tmp_path / "state")
        try:
            documents = {d["report"]["title"]: d for _, _, d in store.alert_documents(10, AlertFilter())}
            assert documents["غارة على المخا"]["silenced"]["id"] == place_id  # المخا lies in Taiz governorate
            assert documents["قصف على درعا"]["silenced"]["id"] == words_id
            assert "silenced" not in documents["قصف على بصرى"]
            held = store.alert_documents(10, AlertFilter(terms=((("silenced", "any"),),)))
            assert sorted(d["report"]["title"] for _, _, d in held) == ["غارة على المخا", "قصف على درعا"]
            assert store.outbox_counts()["pending"] == 0 and store.outbox_counts()["delivered"] == 1
        finally:
            store.close()

        assert rasid("silence", "expire", place_id, "-c", "config.yaml", cwd=tmp_path).returncode == 0
        assert rasid("silence", "expire", place_id, "-c", "config.yaml", cwd=tmp_path).returncode == 1  # ended already
        shown = rasid("silence", "list", "-c", "config.yaml", "--all", cwd=tmp_path).stdout
        assert f"{place_id}  ended" in shown and f"{words_id}  active" in shown and "معروف" in shown
        (tmp_path / "inbox" / "d.txt").write_text("غارة على تعز\nغارة جوية على مواقع في مدينة تعز.", encoding="utf-8")
        assert rasid("once", "-c", "config.yaml", cwd=tmp_path).returncode == 0
        assert [p.json()["report"]["title"] for p in receiver.posts()][-1] == "غارة على تعز"  # the silence ended
    finally:
        receiver.close()


def test_a_silence_holds_its_story_or_watch_list_only_while_it_lasts() -> None:
    document = {"type": "alert", "id": "alert_1", "watchlists": ["south", "shelling"], "watchlist": "south",
                "story": {"id": "story_9"}, "report": {"title": "t"}, "matches": []}  # fmt: skip
    story = Silence("silence_a", "story", "story_9", (), 100.0, 200.0)
    listed = Silence("silence_b", "watchlist", "shelling", (), 100.0, 200.0)
    other = Silence("silence_c", "watchlist", "yemen", (), 0.0, 1000.0)
    assert silencing([other, story], document, "", 150.0) is story
    assert silencing([other, listed], document, "", 150.0) is listed  # any of the lists it was fired for
    assert silencing([story, listed], document, "", 250.0) is None and silencing([story], document, "", 50.0) is None


def test_a_burst_is_told_once_with_its_stories_and_makes_the_lists_alerts_urgent(tmp_path: Path) -> None:
    receiver = WebhookReceiver()
    try:
        stories = {
            "wire-a": "غارة على ميناء الحديدة\nاستهدفت غارة جوية رصيف ميناء الحديدة فجر اليوم وأصيب عمال.",
            "wire-b": "قصف على أطراف تعز\nقصف مدفعي على الأحياء الشرقية لمدينة تعز وسقوط ضحايا مدنيين.",
            "wire-c": "انفجار في عدن\nانفجار عبوة ناسفة قرب نقطة تفتيش في مدينة عدن صباح اليوم.",
        }
        folders = []
        for name, text in stories.items():
            (tmp_path / name).mkdir()
            (tmp_path / name / "r.txt").write_text(text, encoding="utf-8")
            folders.append(f"{{name: {name}, path: ./{name}, interval: 1s}}")
        (tmp_path / "config.yaml").write_text(
            "state_dir: ./state\n"
            f"sources: {{folders: [{', '.join(folders)}]}}\n"
            "watchlists:\n"
            "  - {name: yemen, places: [الحديدة, تعز, عدن], burst: {outlets: 3, within: 20m}}\n"
            f"notifiers: [{{name: desk, type: webhook, url: '{receiver.url}/hook'}}]\n",
            encoding="utf-8",
        )
        assert rasid("once", "-c", "config.yaml", cwd=tmp_path).returncode == 0
        documents = [p.json() for p in receiver.posts()]
        (burst,) = [d for d in documents if d["type"] == "burst"]
        assert burst["watchlist"] == "yemen" and burst["outlets"] == 3 and burst["within"] == 1200 and burst["urgent"] is True
        assert sorted(s["outlets"][0] for s in burst["stories"]) == ["wire-a", "wire-b", "wire-c"]
        (tmp_path / "wire-a" / "s.txt").write_text("اشتباكات في تعز\nاشتباكات عنيفة في الضواحي الغربية لمدينة تعز.", encoding="utf-8")
        assert rasid("once", "-c", "config.yaml", cwd=tmp_path).returncode == 0
        later = [p.json() for p in receiver.posts()][len(documents):]
        assert [d["type"] for d in later] == ["alert"] and later[0]["urgent"] is True  # within the burst: urgent, no second burst
    finally:
        receiver.close()
