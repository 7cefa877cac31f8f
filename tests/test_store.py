"""The store on both backends (a real SQLite file, a real PostgreSQL database): dedup keys, the outbox,
bookkeeping, reopening, schema migrations, leases and outbox claims between instances."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from rasid.models import Report
from rasid.store import (
    AlertFilter,
    FeedState,
    FileState,
    QueuedAlert,
    SQLiteStore,
    SQLStore,
    StoryEntry,
    open_store,
)
from rasid.dedup import CANDIDATES
from rasid.store.alert_query import alert_page, place_counts
from rasid.store.bands import BUCKET_LIMIT, BandIndex, pack_band_keys, read_band_keys
from rasid.store.schema import SCHEMA_VERSION

REPORT = Report("feed", "عنوان", "نص", url="https://x.example/1", guid="g1")


def alerts(*notifiers: str) -> list[QueuedAlert]:
    return [QueuedAlert("alert_1", n, {"id": "alert_1", "watchlist": "south"}) for n in notifiers]


def test_report_is_recorded_once_with_its_alerts(open_state: Callable[[], SQLStore]) -> None:
    store = open_state()
    assert store.record_report(REPORT, ["guid:feed:g1", "url:x"], alerts("ops", "console"), 10.0)
    assert not store.record_report(REPORT, ["guid:feed:g1"], alerts("ops"), 11.0)  # the same item again
    (known,) = store.find_reports(["guid:other:g9", "url:x"])
    assert known.source == "feed"
    store.add_keys(known.report_id, ["guid:other:g9"])
    assert [k.report_id for k in store.find_reports(["guid:other:g9"])] == [known.report_id]
    assert store.outbox_counts() == {"pending": 2, "delivered": 0, "dead": 0}
    assert sorted(store.pending_notifiers()) == ["console", "ops"]


def test_an_archived_report_is_found_by_its_alert_story_or_file(open_state: Callable[[], SQLStore]) -> None:
    store = open_state()
    story = StoryEntry("story_abc", new_story=True)
    raised = [QueuedAlert("alert_9", "ops", {"type": "alert", "id": "alert_9", "watchlist": "south"})]
    read = Report("inbox", "من ملف", "نص الملف", guid="file:sub/a_1%.txt:d1:0")
    assert store.record_report(REPORT, ["guid:feed:g1"], raised, 10.0, story, archive=True)
    assert store.record_report(read, ["guid:inbox:f"], [], 11.0, archive=True)
    by = {ref: store.archived_report(ref) for ref in ("alert_9", "story_abc", "https://x.example/1", "alert_8")}
    assert by["alert_9"] and by["story_abc"] and by["https://x.example/1"]
    assert by["alert_9"].id == by["story_abc"].id == by["https://x.example/1"].id and by["alert_8"] is None
    found = store.archived_file("inbox", "sub/a_1%.txt")
    assert found is not None and found.title == "من ملف"
    assert store.archived_file("inbox", "sub/a_1") is None and store.archived_file("feed", "sub/a_1%.txt") is None


def test_alert_documents_page_newest_first_by_watch_list_and_source(open_state: Callable[[], SQLStore]) -> None:
    store = open_state()
    for i, (watchlist, source) in enumerate([("south", "a"), ("yemen", "b"), ("south", "b"), ("south", "a")]):
        doc = {"type": "alert", "id": f"alert_{i}", "watchlist": watchlist, "n": i}
        queued = [QueuedAlert(f"alert_{i}", "ops", doc)]
        assert store.record_report(Report(source, f"t{i}", f"text {i}"), [f"k{i}"], queued, 100.0 + (i // 2))
    every = store.alert_documents(10)
    assert [d["n"] for _, _, d in every] == [3, 2, 1, 0]  # newest first; alert ids break the tie
    first = store.alert_documents(2)
    rest = store.alert_documents(10, AlertFilter(before=first[-1][:2]))
    assert [d["n"] for _, _, d in first + rest] == [3, 2, 1, 0]
    assert [d["n"] for _, _, d in store.alert_documents(10, AlertFilter(watchlist="south"))] == [3, 2, 0]
    assert [d["n"] for _, _, d in store.alert_documents(10, AlertFilter(watchlist="south", source="a"))] == [3, 0]
    assert [d["n"] for _, _, d in store.alert_documents(10, AlertFilter(since=101.0))] == [3, 2]
    assert [d["n"] for _, _, d in store.alert_documents(10, AlertFilter(until=101.0))] == [1, 0]


def _place(pid: str, name: str, admin1: str, lat: float, lon: float) -> dict[str, object]:
    return {"id": pid, "name": name, "kind": "locality", "country": "YE", "admin1": admin1, "lat": lat, "lon": lon}


MOCHA = _place("71137", "المخا", "YE-TA", 13.32, 43.25)
TAIZ = _place("70225", "تعز", "YE-TA", 13.58, 44.02)
HODEIDAH = _place("79415", "الحديدة", "YE-HU", 14.80, 42.95)


def _alert(i: int, places: list[dict[str, object]], keywords: list[str]) -> dict[str, object]:
    matches = [{"kind": "place", "term": p["name"], "place": p} for p in places]
    matches += [{"kind": "keyword", "term": k} for k in keywords]
    return {"type": "alert", "id": f"alert_{i}", "watchlist": "yemen", "n": i, "matches": matches}


def test_alerts_are_found_by_place_area_country_keyword_and_delivery_state(open_state: Callable[[], SQLStore]) -> None:
    store = open_state()
    docs = [
        _alert(0, [MOCHA], ["قصف"]),
        _alert(1, [TAIZ], ["غارة"]),
        _alert(2, [HODEIDAH], ["قصف"]),
        _alert(3, [TAIZ, HODEIDAH], ["إطلاق نار"]),
    ]
    for i, doc in enumerate(docs):
        store.record_report(Report("feed", f"t{i}", "نص"), [f"k{i}"], [QueuedAlert(f"alert_{i}", "ops", doc)], 100.0 + i)

    def found(**given: object) -> list[int]:
        return [d["n"] for _, _, d in store.alert_documents(10, AlertFilter(**given))]  # type: ignore[arg-type]

    assert found(terms=((("place", "تعز"),),)) == [3, 1]
    assert found(terms=((("area", "YE-TA"),),)) == [3, 1, 0]  # every place inside the governorate
    assert found(terms=((("country", "YE"),),)) == [3, 2, 1, 0]
    assert found(terms=((("keyword", "قصف"),),)) == [2, 0]
    assert found(terms=((("keyword", "قصف"),), (("area", "YE-TA"),))) == [0]
    assert found(terms=((("keyword", "اطلاق نار"),),)) == [3]  # keys in matching form: hamza folded
    assert found(terms=((("area", "YE-TA"),),), before=(101.0, "alert_1")) == [0]
    assert found(terms=((("area", "YE-TA"),),), since=101.0) == [3, 1]
    either = (("area", "YE-HU"), ("place", "المخا"))  # a choice of keys: each leads, the pages merge
    assert found(terms=(either,)) == [3, 2, 0]
    assert found(terms=(either,), before=(102.0, "alert_2")) == [0]
    assert found(terms=(either, (("keyword", "قصف"),))) == [2, 0]
    dying = next(r for r in store.pending_alerts("ops", 10) if r.alert_id == "alert_1")
    store.mark_failed(dying.row_id, "HTTP 500", None)
    assert found(state="dead") == [1]
    assert found(state="pending") == [3, 2, 0]
    assert found(state="pending", terms=((("place", "تعز"),),)) == [3]
    assert found(state="dead", notifier="chat") == []
    assert found(notifier="ops") == [3, 2, 1, 0]
    assert [d.status for d in store.deliveries(["alert_1"])["alert_1"]] == ["dead"]

    # whatever a query reads first, it selects the same alerts in the same order
    for given in [
        AlertFilter(terms=(either, (("keyword", "قصف"),)), state="pending"),
        AlertFilter(terms=((("country", "YE"),), (("keyword", "غارة"), ("keyword", "قصف"))), since=100.5, state="dead"),
        AlertFilter(terms=(either,), state="pending", notifier="ops", before=(103.0, "alert_3")),
    ]:
        leads = ["time", *range(len(given.terms)), *(["state"] if given.state in ("pending", "dead") else [])]
        with store.db.read() as db:
            pages = {lead: db.execute(*alert_page(given, 10, lead)).fetchall() for lead in leads}  # type: ignore[arg-type]
            counted = {lead: sorted(db.execute(*place_counts(given, lead)).fetchall()) for lead in leads}  # type: ignore[arg-type]
        assert len({repr(p) for p in pages.values()}) == 1 and len({repr(c) for c in counted.values()}) == 1, given

    counts = {c.name: (c.alerts, c.lat, c.lon, c.newest) for c in store.alert_place_counts(AlertFilter(since=101.0))}
    assert counts == {"تعز": (2, 13.58, 44.02, 103.0), "الحديدة": (2, 14.80, 42.95, 103.0)}
    mapped = {c.name: c.alerts for c in store.alert_place_counts(AlertFilter(terms=(either,)))}
    assert mapped == {"الحديدة": 2, "المخا": 1, "تعز": 1}  # every place of the alerts selected
    only = store.alert_place_counts(AlertFilter(terms=((("keyword", "قصف"),),)))
    assert sorted((c.name, c.alerts) for c in only) == [("الحديدة", 1), ("المخا", 1)]


def test_one_story_with_its_sources_in_order(open_state: Callable[[], SQLStore]) -> None:
    store = open_state()
    store.record_report(REPORT, ["guid:feed:g1"], [], 10.0, StoryEntry("story_x", new_story=True))
    copy = Report("other", "عنوان آخر", "نص", url="https://y.example/2")
    store.record_report(copy, ["guid:other:g2"], [], 12.0, StoryEntry("story_x", new_story=False, similarity=0.8))
    story = store.story("story_x")
    assert story is not None and [(s.source, s.similarity) for s in story.sources] == [("feed", None), ("other", 0.8)]
    assert story.title == REPORT.title and store.story("story_none") is None


def test_state_survives_reopening(open_state: Callable[[], SQLStore]) -> None:
    store = open_state()
    store.record_report(REPORT, ["k1"], alerts("ops"), 10.0)
    store.save_feed_state("feed", FeedState(etag='"e"', last_poll=5.0, errors=2))
    store.save_file_states("inbox", {"a.txt": FileState(10, 20, "read")})
    store.close()

    again = open_state()
    assert again.find_reports(["k1"])
    (row,) = again.pending_alerts("ops", 10)
    assert row.document == {"id": "alert_1", "watchlist": "south"} and row.next_attempt == 10.0
    assert again.feed_state("feed") == FeedState(etag='"e"', last_poll=5.0, errors=2)
    assert again.file_states("inbox") == {"a.txt": FileState(10, 20, "read")}
    again.save_feed_state("feed", FeedState(etag='"f"', errors=0))  # an update of the same row
    assert again.feed_states() == {"feed": FeedState(etag='"f"')}


def test_sqlite_state_uses_wal(tmp_path: Path) -> None:
    SQLiteStore(tmp_path / "s.db").close()
    assert sqlite3.connect(tmp_path / "s.db").execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_outbox_transitions(open_state: Callable[[], SQLStore]) -> None:
    store = open_state()
    store.record_report(REPORT, ["k1"], alerts("a", "b", "c"), 10.0)
    (a,), (b,), (c,) = (store.pending_alerts(n, 10) for n in "abc")
    store.mark_delivered(a.row_id, 11.0)
    store.mark_failed(b.row_id, "HTTP 503", 50.0)
    store.mark_failed(c.row_id, "HTTP 404", None)
    assert store.pending_alerts("a", 10) == []
    (b2,) = store.pending_alerts("b", 10)
    assert b2.attempts == 1 and b2.next_attempt == 50.0
    assert store.outbox_counts() == {"pending": 1, "delivered": 1, "dead": 1}


def test_failed_transaction_leaves_nothing(open_state: Callable[[], SQLStore]) -> None:
    store = open_state()
    bad = [QueuedAlert("alert_x", "ops", {"unserialisable": object()})]
    try:
        store.record_report(REPORT, ["k-bad"], bad, 10.0)
    except TypeError:
        pass
    assert store.record_report(REPORT, ["k-bad"], alerts("ops"), 11.0)


def test_fingerprints_are_found_by_band_and_expire(open_state: Callable[[], SQLStore]) -> None:
    store = open_state()
    old = StoryEntry("story_old", True, shingles=b"old", band_keys=(1, 2, 3))
    new = StoryEntry("story_new", True, shingles=b"new", band_keys=(3, 4))
    store.record_report(Report("a", "t1", "x1"), ["k1"], [], 100.0, old)
    store.record_report(Report("b", "t2", "x2"), ["k2"], [], 5000.0, new)
    assert sorted(sid for _, sid, _ in store.similar_reports((3,), since=0.0)) == ["story_new", "story_old"]
    assert [sid for _, sid, _ in store.similar_reports((3,), since=1000.0)] == ["story_new"]
    assert store.prune_fingerprints(before=1000.0) == 1
    assert [sid for _, sid, _ in store.similar_reports((1, 2, 3), since=0.0)] == ["story_new"]
    assert store.story_info("story_old").sources == 1  # the story itself stays listed


def test_large_band_keys_and_blobs_round_trip(open_state: Callable[[], SQLStore]) -> None:
    store = open_state()
    key = (20 << 32) | 0xFFFFFFFF  # band 20's keys need 64 bits
    store.record_report(Report("a", "t", "x"), ["k"], [], 1.0, StoryEntry("s", True, shingles=b"\x00\xff", band_keys=(key,)))
    assert store.similar_reports((key,), 0.0) == [(1, "s", b"\x00\xff")]


def test_migrate_is_idempotent_and_reports_versions(open_state: Callable[[], SQLStore]) -> None:
    store = open_state()
    assert store.schema_version() == SCHEMA_VERSION
    assert store.migrate() == (SCHEMA_VERSION, SCHEMA_VERSION)


def test_a_version_5_sqlite_database_gains_the_outbox_claims(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "rasid.sqlite3")
    db.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT INTO meta VALUES ('schema_version', '5');"
        "CREATE TABLE outbox (id INTEGER PRIMARY KEY, alert_id TEXT NOT NULL, notifier TEXT NOT NULL,"
        " document TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL,"
        " next_attempt REAL NOT NULL, delivered REAL, last_error TEXT, UNIQUE (alert_id, notifier));"
        "INSERT INTO outbox (alert_id, notifier, document, status, created, next_attempt)"
        " VALUES ('alert_old', 'ops', '{}', 'pending', 1, 1);"
    )
    db.commit()
    db.close()
    store = open_store(tmp_path)
    assert store.schema_version() == SCHEMA_VERSION
    assert [r.alert_id for r in store.pending_alerts("ops", 10)] == ["alert_old"]


def test_alerts_stored_before_version_13_are_indexed_for_the_filters_and_map(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.record_report(Report("feed", "t", "نص"), ["k"], [QueuedAlert("alert_0", "ops", _alert(0, [MOCHA], ["قصف"]))], 5.0)
    store.close()
    db = sqlite3.connect(tmp_path / "rasid.sqlite3")
    db.executescript(
        "DROP TABLE alert_terms; DROP TABLE alert_places; UPDATE meta SET value = '12' WHERE key = 'schema_version';"
    )
    db.commit()
    db.close()
    store = open_store(tmp_path)
    assert store.schema_version() == SCHEMA_VERSION
    assert [a for _, a, _ in store.alert_documents(5, AlertFilter(terms=((("area", "YE-TA"),),)))] == ["alert_0"]
    assert [(c.name, c.alerts, c.newest) for c in store.alert_place_counts(AlertFilter())] == [("المخا", 1, 5.0)]


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    open_store(tmp_path).close()
    db = sqlite3.connect(tmp_path / "rasid.sqlite3")
    db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    db.commit()
    with pytest.raises(RuntimeError, match="newer than this rasid"):
        open_store(tmp_path)


FEEDS = [f"feed-{i:02}" for i in range(10)]


def test_leases_are_shared_fairly_and_taken_over_after_they_expire(postgres_url: str, tmp_path: Path) -> None:
    a, b, c = (open_store(tmp_path, postgres_url) for _ in range(3))
    for store in (a, b, c):
        store.heartbeat(100.0)
    held = [s.claim_leases(FEEDS, 100.0, 30.0) for s in (a, b, c)]
    assert [len(h) for h in held] == [4, 4, 2]  # a fair share each, ceil(10 / 3)
    assert set().union(*held) == set(FEEDS) and sum(map(len, held)) == len(FEEDS)
    # a renews; b and c die; c's and b's leases expire and a takes them up to its new share
    a.heartbeat(120.0)
    assert a.claim_leases(FEEDS, 120.0, 30.0) == held[0]  # b and c still alive and holding
    a.heartbeat(140.0)
    assert a.claim_leases(FEEDS, 140.0, 30.0) == set(FEEDS)  # only a is alive: its share is all
    (alive,) = a.instances(140.0, 30.0)
    assert alive.id == a.instance_id and alive.leases == sorted(FEEDS)
    # b comes back: a gives back half at its next round, and b takes them
    b.heartbeat(150.0)
    a.heartbeat(150.0)
    assert len(a.claim_leases(FEEDS, 150.0, 30.0)) == 5
    assert len(b.claim_leases(FEEDS, 150.0, 30.0)) == 5
    a.leave()
    assert b.claim_leases(FEEDS, 151.0, 30.0) == set(FEEDS)  # a left cleanly: b need not wait
    assert [i.id for i in b.instances(151.0, 30.0)] == [b.instance_id]


def test_outbox_rows_are_claimed_by_one_instance_at_a_time(postgres_url: str, tmp_path: Path) -> None:
    a, b = (open_store(tmp_path, postgres_url) for _ in range(2))
    a.claim_ttl = b.claim_ttl = 30.0
    a.enqueue([QueuedAlert(f"alert_{i}", "ops", {"n": i}) for i in range(5)], 10.0)
    first = a.pending_alerts("ops", 2, now=10.0)
    assert [r.alert_id for r in first] == ["alert_0", "alert_1"]
    assert b.pending_alerts("ops", 10, now=11.0) == []  # a delivers to ops: b keeps off, order is kept
    a.mark_delivered(first[0].row_id, 12.0)
    a.release_claims("ops")
    taken = b.pending_alerts("ops", 10, now=13.0)
    assert [r.alert_id for r in taken] == ["alert_1", "alert_2", "alert_3", "alert_4"]
    assert a.pending_alerts("ops", 10, now=14.0) == []
    # b dies holding its claims: they lapse after claim_ttl and a takes the rows
    assert [r.alert_id for r in a.pending_alerts("ops", 10, now=13.0 + 31.0)][:1] == ["alert_1"]


def test_ingest_lock_excludes_instances_on_the_same_story_only(postgres_url: str, tmp_path: Path) -> None:
    import threading

    a, b = (open_store(tmp_path, postgres_url) for _ in range(2))
    order: list[str] = []

    def enter(keys: list[str], bands: tuple[int, ...], name: str) -> threading.Thread:
        def hold() -> None:
            with b.ingest_lock(keys, bands):
                order.append(name)

        thread = threading.Thread(target=hold)
        thread.start()
        thread.join(0.5)
        return thread

    with a.ingest_lock(["url:x", "text:1"], (5, 9)):
        other = enter(["url:y", "text:2"], (6, 10), "other story")  # nothing in common: goes ahead
        copy = enter(["url:z", "text:3"], (7, 9), "near copy")  # shares band 9: waits
        order.append("a done")
    copy.join(5)
    other.join(5)
    assert order == ["other story", "a done", "near copy"]

    with a.ingest_lock(["url:x"], ()):
        same = enter(["url:x", "guid:q"], (), "same url")
        order.append("a again")
    same.join(5)
    assert order[-2:] == ["a again", "same url"]


def test_postgres_url_errors_name_the_server_without_the_password(tmp_path: Path) -> None:
    with pytest.raises(ConnectionError) as caught:
        open_store(tmp_path, "postgresql://rasid:hunter2@127.0.0.1:1/nowhere")
    assert "127.0.0.1:1" in str(caught.value) and "hunter2" not in str(caught.value)


def test_a_story_alerts_a_watchlist_once_even_from_two_reports_filed_as_new_sources(
    open_state: Callable[[], SQLStore],
) -> None:
    """Two copies of one story filed at the same moment (by two instances, each having read the
    story as not yet alerted): the second keeps its record but not its alert."""
    store = open_state()
    store.record_report(Report("a", "t", "x"), ["k0"], [], 1.0, StoryEntry("story_s", True))

    def alert(alert_id: str) -> list[QueuedAlert]:
        return [QueuedAlert(alert_id, "ops", {"type": "alert", "id": alert_id, "watchlist": "south"})]

    first = StoryEntry("story_s", False, alerted=("south",))
    assert store.record_report(Report("b", "t", "y"), ["k1"], alert("alert_1"), 2.0, first)
    assert store.record_report(Report("c", "t", "z"), ["k2"], alert("alert_2"), 2.0, first)
    assert [r.alert_id for r in store.pending_alerts("ops", 10)] == ["alert_1"]
    assert store.story_info("story_s").sources == 3


class CountingIndex(BandIndex):
    """`shared` as a dict, report id -> band keys in common."""

    def shared(self, band_keys: tuple[int, ...], bucket_limit: int = BUCKET_LIMIT) -> dict[int, int]:  # type: ignore[override]
        ids, counts = super().shared(band_keys, bucket_limit)
        return dict(zip(ids.tolist(), counts.tolist()))


def test_band_index_merges_recent_keys_and_forgets_expired_reports() -> None:
    index = CountingIndex(merge_at=16)
    for report_id in range(1, 51):
        index.add(report_id, (report_id % 7, 100 + report_id, 1 << 40))
    assert len(index) == 150
    assert set(index.shared((3,))) == {3, 10, 17, 24, 31, 38, 45}
    assert index.shared((100 + 50, 999, 50 % 7)) == {50: 2, 43: 1, 36: 1, 29: 1, 22: 1, 15: 1, 8: 1, 1: 1}
    # a key held by many reports is read from its most recent ones, merged or not
    assert set(index.shared((1 << 40,), bucket_limit=5)) == set(range(46, 51))
    index.forget_before(40)
    assert set(index.shared((3,))) == {45}
    assert set(index.shared((1 << 40,))) == set(range(40, 51))
    assert set(index.shared((1 << 40,), bucket_limit=3)) == {48, 49, 50}
    blobs = [[(7, pack_band_keys((5, 6)))], [(8, pack_band_keys((6,))), (11, pack_band_keys((1 << 40,)))]]
    loaded = CountingIndex.sorted_from(*read_band_keys(iter(blobs), 4, iter([[(5, 2)], [(1 << 40, 3)]]), 2))
    assert set(loaded.shared((5,))) == {2, 7} and set(loaded.shared((6,))) == {7, 8} and set(loaded.shared((1 << 40,))) == {3, 11}
    assert set(loaded.shared((1 << 40,), bucket_limit=1)) == {11}  # rows older than the blobs come first
    assert len(loaded) == 6


def test_sqlite_keeps_band_keys_in_memory_and_reloads_them_with_older_rows(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    assert store.similar_reports((1,), 0.0) == []  # the index is loaded now; later reports join it live
    store.record_report(Report("a", "t", "x"), ["k1"], [], 10.0, StoryEntry("s1", True, shingles=b"1", band_keys=(1, 2)))
    store.record_report(Report("b", "t", "y"), ["k2"], [], 20.0, StoryEntry("s2", True, shingles=b"2", band_keys=(2, 3)))
    assert sorted(sid for _, sid, _ in store.similar_reports((2,), 0.0)) == ["s1", "s2"]
    store.close()
    db = sqlite3.connect(tmp_path / "rasid.sqlite3")
    assert db.execute("SELECT count(*) FROM lsh").fetchone() == (0,)  # no band-key rows in SQLite
    assert db.execute("SELECT count(*) FROM bands").fetchone() == (2,)  # one blob per report
    # a fingerprint recorded before schema 7, with its band keys as rows of `lsh`
    db.execute("INSERT INTO fingerprints (report_id, story_id, created, shingles) VALUES (99, 's0', 5.0, x'00')")
    db.execute("INSERT INTO lsh (key, report_id) VALUES (3, 99)")
    db.commit()
    db.close()
    store = open_store(tmp_path)
    assert sorted(sid for _, sid, _ in store.similar_reports((3,), 0.0)) == ["s0", "s2"]
    assert store.prune_fingerprints(before=15.0) == 2
    assert [sid for _, sid, _ in store.similar_reports((1, 2, 3), 0.0)] == ["s2"]


def test_a_band_shared_by_thousands_yields_a_bounded_shortlist_of_the_most_similar(
    open_state: Callable[[], SQLStore],
) -> None:
    """Boilerplate or a story carried by hundreds of outlets gives one band key to thousands of
    reports: a lookup compares with at most CANDIDATES of them, those sharing the most bands and
    then the newest, however many there are."""
    store = open_state()
    for i in range(1_500):
        story = StoryEntry(f"s{i}", True, shingles=b"x", band_keys=(42, 1_000_000 + i))
        store.record_report(Report("a", "t", f"x{i}"), [f"k{i}"], [], 1.0, story)
    close = StoryEntry("close", True, shingles=b"y", band_keys=(42, 7, 8, 9))  # an old report that shares more
    store.record_report(Report("a", "t", "close"), ["k-close"], [], 1.0, close)
    found = store.similar_reports((42, 7, 8, 9), 0.0)
    assert len(found) == CANDIDATES
    assert "close" in {sid for _, sid, _ in found}
    assert {sid for _, sid, _ in store.similar_reports((42,), 0.0)} == {"close", *(f"s{i}" for i in range(1_485, 1_500))}


def test_a_burst_counts_outlets_within_its_window_and_comes_once_per_window(open_state: Callable[[], SQLStore]) -> None:
    store = open_state()
    for i, (source, at) in enumerate([("a", 100.0), ("b", 500.0), ("a", 900.0), ("c", 1500.0), ("d", 4000.0)]):
        story = StoryEntry(f"story_{i}", new_story=True, alerted=("yemen",))
        store.record_report(Report(source, f"t{i}", f"text {i}"), [f"k{i}"], [], at, story)
    assert store.burst("yemen", 3, 1200.0, 1000.0) is None  # a, b (a twice): two outlets
    burst = store.burst("yemen", 3, 1200.0, 1600.0)  # b, a, c within 20 minutes
    assert burst is not None and [s.id for s in burst] == ["story_1", "story_2", "story_3"]
    assert store.bursting(1700.0, {"yemen": 1200.0}) == {"yemen"} and store.bursting(1700.0, {}) == set()
    assert store.burst("yemen", 3, 1200.0, 1700.0) is None  # once per window
    assert store.burst("yemen", 3, 1200.0, 4100.0) is None  # its window over, too few outlets now
    assert store.bursting(4100.0, {"yemen": 1200.0}) == set() and store.burst("south", 1, 60.0, 4100.0) is None
