"""The SQLite store on a real file: dedup keys, the outbox, bookkeeping, reopening."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from rasid.models import Report
from rasid.store import FeedState, FileState, QueuedAlert, SQLiteStore

REPORT = Report("feed", "عنوان", "نص", url="https://x.example/1", guid="g1")


def alerts(*notifiers: str) -> list[QueuedAlert]:
    return [QueuedAlert("alert_1", n, {"id": "alert_1", "watchlist": "south"}) for n in notifiers]


def test_report_is_recorded_once_with_its_alerts(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    assert store.record_report(REPORT, ["guid:feed:g1", "url:x"], alerts("ops", "console"), 10.0)
    assert not store.record_report(REPORT, ["guid:feed:g1"], alerts("ops"), 11.0)  # the same item again
    (known,) = store.find_reports(["guid:other:g9", "url:x"])
    assert known.source == "feed"
    store.add_keys(known.report_id, ["guid:other:g9"])
    assert [k.report_id for k in store.find_reports(["guid:other:g9"])] == [known.report_id]
    assert store.outbox_counts() == {"pending": 2, "delivered": 0, "dead": 0}
    assert sorted(store.pending_notifiers()) == ["console", "ops"]


def test_state_survives_reopening_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = SQLiteStore(path)
    store.record_report(REPORT, ["k1"], alerts("ops"), 10.0)
    store.save_feed_state("feed", FeedState(etag='"e"', last_poll=5.0, errors=2))
    store.save_file_state("inbox", "a.txt", FileState(10, 20, "read"))
    store.close()

    again = SQLiteStore(path)
    assert again.find_reports(["k1"])
    (row,) = again.pending_alerts("ops", 10)
    assert row.document == {"id": "alert_1", "watchlist": "south"} and row.next_attempt == 10.0
    assert again.feed_state("feed") == FeedState(etag='"e"', last_poll=5.0, errors=2)
    assert again.file_states("inbox") == {"a.txt": FileState(10, 20, "read")}
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_outbox_transitions(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    store.record_report(REPORT, ["k1"], alerts("a", "b", "c"), 10.0)
    (a,), (b,), (c,) = (store.pending_alerts(n, 10) for n in "abc")
    store.mark_delivered(a.row_id, 11.0)
    store.mark_failed(b.row_id, "HTTP 503", 50.0)
    store.mark_failed(c.row_id, "HTTP 404", None)
    assert store.pending_alerts("a", 10) == []
    (b2,) = store.pending_alerts("b", 10)
    assert b2.attempts == 1 and b2.next_attempt == 50.0
    assert store.outbox_counts() == {"pending": 1, "delivered": 1, "dead": 1}


def test_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    bad = [QueuedAlert("alert_x", "ops", {"unserialisable": object()})]
    try:
        store.record_report(REPORT, ["k-bad"], bad, 10.0)
    except TypeError:
        pass
    assert store.record_report(REPORT, ["k-bad"], alerts("ops"), 11.0)


def test_fingerprints_are_found_by_band_and_expire(tmp_path: Path) -> None:
    from rasid.store import StoryEntry

    store = SQLiteStore(tmp_path / "s.db")
    old = StoryEntry("story_old", True, shingles=b"old", band_keys=(1, 2, 3))
    new = StoryEntry("story_new", True, shingles=b"new", band_keys=(3, 4))
    store.record_report(Report("a", "t1", "x1"), ["k1"], [], 100.0, old)
    store.record_report(Report("b", "t2", "x2"), ["k2"], [], 5000.0, new)
    assert sorted(sid for _, sid, _ in store.similar_reports((3,), since=0.0)) == ["story_new", "story_old"]
    assert [sid for _, sid, _ in store.similar_reports((3,), since=1000.0)] == ["story_new"]
    assert store.prune_fingerprints(before=1000.0) == 1
    assert [sid for _, sid, _ in store.similar_reports((1, 2, 3), since=0.0)] == ["story_new"]
    assert store.story_info("story_old").sources == 1  # the story itself stays listed
