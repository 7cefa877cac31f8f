"""The Ingestor against a real SQLite state: batches, entries seen before, failures."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from rasid.config.models import DedupConfig, WatchList
from rasid.ingest import Edited, Filed, Ingestor
from rasid.metrics import Metrics
from rasid.models import Report
from rasid.pipeline import Examined, Pipeline
from rasid.store import open_store


def ingestor(tmp_path: Path) -> Ingestor:
    pipeline = Pipeline([WatchList(name="south", places=["درعا"])], ["ops"], [], DedupConfig())
    return Ingestor(open_store(tmp_path), pipeline, Metrics(), time.time, 7 * 86400.0, True)


def report(guid: str, text: str) -> Report:
    return Report("feed", text.split("\n")[0], text, guid=guid)


def test_entries_a_feed_gave_before_are_passed_over_unexamined(tmp_path: Path) -> None:
    ing = ingestor(tmp_path)
    first = [report("a", "انفجار في درعا\nقالت مصادر إن انفجارا وقع في درعا"), report("b", "أسعار الذهب\nارتفعت الأسعار")]
    filed = ing.record(ing.examine(first), None)
    assert [f.plan is not None for f in filed] == [True, True]
    assert len(filed[0].plan.alerts) == 1  # type: ignore[union-attr]
    # the next poll carries both again (one of them edited) and a new one
    again = [report("a", "انفجار في درعا\nنص معدل بعد النشر"), report("b", "أسعار الذهب\nارتفعت الأسعار"),
             report("c", "خبر جديد من درعا\nتفاصيل")]  # fmt: skip
    examined = ing.examine(again)
    assert [type(e) for e in examined] == [Edited, Filed, Examined]
    refiled = ing.record(examined, None)
    assert [f.plan is not None for f in refiled] == [False, False, True]  # the edit fires nothing درعا did not
    assert not any(f.failure for f in refiled)
    assert [type(e) for e in ing.examine(again)] == [Filed, Filed, Filed]  # the edit is remembered
    # the same guid from another source is another item
    other = Report("other-feed", "أسعار الذهب", "أسعار الذهب\nارتفعت الأسعار", guid="b")
    assert isinstance(ing.examine([other])[0], Examined)


def test_an_edit_that_names_a_watched_place_alerts_once(tmp_path: Path) -> None:
    ing = ingestor(tmp_path)
    first = ing.record(ing.examine([report("p1", "عاجل\nانفجار في سوق المدينة وأنباء عن إصابات")]), None)
    assert first[0].plan is not None and first[0].plan.alerts == []
    edited = ing.record(ing.examine([report("p1", "عاجل\nانفجار في سوق مدينة درعا وأنباء عن إصابات")]), None)
    (alert,) = edited[0].plan.alerts  # type: ignore[union-attr]
    assert alert.watchlist == "south" and alert.story_id == first[0].plan.story.story_id  # type: ignore[union-attr]
    assert edited[0].plan.edit and not edited[0].plan.story.listed  # type: ignore[union-attr]
    assert isinstance(ing.examine([report("p1", "عاجل\nانفجار في سوق مدينة درعا وأنباء عن إصابات")])[0], Filed)
    again = ing.record(ing.examine([report("p1", "عاجل\nانفجار في سوق مدينة درعا، وأنباء عن إصابات")]), None)
    assert again[0].plan is None  # the story has alerted this list: a further edit is not news
    (story,) = ing.store.stories(0, 10)
    assert [s.source for s in story.sources] == ["feed"]  # an edit is no other source of its story


def test_a_report_that_fails_is_taken_back_alone_and_the_batch_goes_on(tmp_path: Path) -> None:
    ing = ingestor(tmp_path)
    db = sqlite3.connect(tmp_path / "rasid.sqlite3")  # the database itself refuses one report, half-way through it
    db.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON story_sources WHEN NEW.title = 'مرفوض'"
        " BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END"
    )
    db.commit()
    db.close()
    reports = [report(f"g{i}", f"خبر رقم {i} عن درعا\nنص الخبر {i} " + "كلمة " * i) for i in range(150)]
    reports[70] = report("bad", "مرفوض\nخبر عن درعا لا يقبل")
    filed = []
    for start in range(0, len(reports), 64):
        filed += ing.record(ing.examine(reports[start : start + 64]), None)
    assert [i for i, f in enumerate(filed) if f.plan is None] == [70]
    assert filed[70].failure is not None and "refused by a trigger" in filed[70].failure.error
    assert ing.store.outbox_counts()["pending"] == 149
    seen = ing.store.seen_keys([f"guid:feed:{r.guid}" for r in reports])
    assert len(seen) == 149 and "guid:feed:bad" not in seen  # not marked seen: its source brings it again
    db = sqlite3.connect(tmp_path / "rasid.sqlite3")
    assert db.execute("SELECT count(*) FROM reports").fetchone() == (149,)  # its first rows were taken back too
