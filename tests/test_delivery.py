"""Delivery against a real webhook receiver and a real SQLite outbox."""

from __future__ import annotations

import asyncio
import json
import io
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest
from standardwebhooks import Webhook
from support import Response, WebhookReceiver, free_port

from rasid.config.models import ConsoleNotifier, WebhookNotifier
from rasid.delivery import OutboxWorker, build_senders, retry_delay
from rasid.retry_after import parse_retry_after
from rasid.models import Report
from rasid.store import QueuedAlert, SQLiteStore

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def queue_alerts(store: SQLiteStore, notifier: str, count: int, now: float) -> list[str]:
    ids = []
    for i in range(count):
        alert_id = f"alert_{i:03d}"
        doc = {"type": "alert", "id": alert_id, "watchlist": "south", "n": i, "report": {"title": "درعا"}}
        store.record_report(Report("s", "t", f"text {i}"), [f"k{i}"], [QueuedAlert(alert_id, notifier, doc)], now)
        ids.append(alert_id)
    return ids


def run_worker(store: SQLiteStore, receiver_url: str, clock: Clock, secret: str | None = SECRET) -> int:
    async def go() -> int:
        async with httpx.AsyncClient() as client:
            notifier = WebhookNotifier(name="ops", type="webhook", url=receiver_url, secret=secret, timeout=1)
            worker = OutboxWorker(store, build_senders([notifier], client), max_age=3600, clock=clock, rand=lambda: 0.5)
            return await worker.deliver_due()

    return asyncio.run(go())


def test_signed_requests_verify_with_standard_webhooks(tmp_path: Path, receiver: WebhookReceiver) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    queue_alerts(store, "ops", 3, 100.0)
    assert run_worker(store, receiver.url, Clock(100.0)) == 3
    posts = receiver.posts()
    assert [p.json()["id"] for p in posts] == ["alert_000", "alert_001", "alert_002"]
    for post in posts:
        assert Webhook(SECRET).verify(post.body, post.headers)["watchlist"] == "south"
        assert post.headers["content-type"] == "application/json"
        with pytest.raises(Exception):
            Webhook("whsec_" + "A" * 32).verify(post.body, post.headers)
    assert store.outbox_counts()["delivered"] == 3


def test_failures_back_off_keep_order_and_survive_restart(tmp_path: Path) -> None:
    receiver = WebhookReceiver([Response(500), Response(429, headers={"Retry-After": "120"})])
    try:
        path = tmp_path / "s.db"
        store = SQLiteStore(path)
        queue_alerts(store, "ops", 3, 100.0)
        clock = Clock(100.0)
        assert run_worker(store, receiver.url, clock) == 0
        assert len(receiver.posts()) == 1  # the first failed; the rest wait behind it
        (first, *_) = store.pending_alerts("ops", 10)
        assert first.attempts == 1 and first.next_attempt == pytest.approx(105.0)
        store.close()

        store = SQLiteStore(path)  # a restart
        clock.now = 104.0
        assert run_worker(store, receiver.url, clock) == 0
        assert len(receiver.posts()) == 1  # not due yet
        clock.now = 106.0
        assert run_worker(store, receiver.url, clock) == 0  # 429 with Retry-After: 120
        (first, *_) = store.pending_alerts("ops", 10)
        assert first.next_attempt == pytest.approx(226.0)
        clock.now = 230.0
        assert run_worker(store, receiver.url, clock) == 3
        assert [p.json()["id"] for p in receiver.posts()] == ["alert_000", "alert_000", "alert_000", "alert_001", "alert_002"]
    finally:
        receiver.close()


def test_client_errors_are_dead_letters(tmp_path: Path) -> None:
    receiver = WebhookReceiver([Response(404)])
    try:
        store = SQLiteStore(tmp_path / "s.db")
        queue_alerts(store, "ops", 2, 100.0)
        assert run_worker(store, receiver.url, Clock(100.0)) == 1
        assert store.outbox_counts() == {"pending": 0, "delivered": 1, "dead": 1}
    finally:
        receiver.close()


def test_alerts_older_than_max_age_die(tmp_path: Path) -> None:
    receiver = WebhookReceiver([Response(503)])
    try:
        store = SQLiteStore(tmp_path / "s.db")
        queue_alerts(store, "ops", 1, 100.0)
        assert run_worker(store, receiver.url, Clock(100.0 + 3601)) == 0
        assert store.outbox_counts()["dead"] == 1
    finally:
        receiver.close()


def test_unreachable_receiver_is_a_retry(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    queue_alerts(store, "ops", 1, 100.0)
    assert run_worker(store, "http://user:token@127.0.0.1:9/hook/secret-path", Clock(100.0)) == 0
    (row,) = store.pending_alerts("ops", 10)
    assert row.attempts == 1 and row.next_attempt > 100.0
    assert row.last_error == "connection refused 127.0.0.1:9"  # the cause and the address, never the path or login


def test_console_sender_prints(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    doc = {
        "id": "alert_x", "watchlist": "south", "snippet": "… في درعا …",
        "report": {"title": "اغتيال في درعا", "source": "inbox", "url": None, "published": None},
        "matches": [{"kind": "place", "term": "درعا"}, {"kind": "place", "term": "درعا"}, {"kind": "keyword", "term": "اغتيال"}],
    }  # fmt: skip
    store.record_report(Report("s", "t", "x"), ["k"], [QueuedAlert("alert_x", "console", doc)], 1.0)
    out = io.StringIO()

    async def go() -> int:
        async with httpx.AsyncClient() as client:
            senders = build_senders([ConsoleNotifier(name="console", type="console")], client, out)
            return await OutboxWorker(store, senders, 60, clock=Clock(1.0)).deliver_due()

    assert asyncio.run(go()) == 1
    assert out.getvalue().splitlines()[:4] == [
        "[south] اغتيال في درعا", "  inbox", "  places: درعا ×2", "  keywords: اغتيال",
    ]  # fmt: skip


def test_retry_schedule() -> None:
    mid = lambda: 0.5  # noqa: E731 - no jitter
    assert [retry_delay(n, rand=mid) for n in range(1, 9)] == [5, 30, 120, 600, 1800, 3600, 3600, 3600]
    assert retry_delay(1, retry_after=90, rand=mid) == 90
    assert 4.5 <= retry_delay(1, rand=lambda: 0.0) <= 5.5


def test_parse_retry_after() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("30") == 30
    assert parse_retry_after("Thu, 01 Jan 2026 12:01:00 GMT", now) == 60
    assert parse_retry_after("soon") is None


def test_a_notifier_failing_too_long_is_announced_to_the_others(tmp_path: Path) -> None:
    receiver = WebhookReceiver([Response(503)] * 10)
    try:
        store = SQLiteStore(tmp_path / "s.db")
        queue_alerts(store, "ops", 1, 100.0)
        out = io.StringIO()
        clock = Clock(100.0)

        async def go(at: float) -> None:
            clock.now = at
            async with httpx.AsyncClient() as client:
                notifiers = [
                    WebhookNotifier(name="ops", type="webhook", url=receiver.url, alert_after=600),
                    ConsoleNotifier(name="console", type="console"),
                ]
                worker = OutboxWorker(store, build_senders(notifiers, client, out), 86400, clock=clock, rand=lambda: 0.5, schedule=[60])
                await worker.deliver_due()

        asyncio.run(go(100.0))
        asyncio.run(go(400.0))
        assert out.getvalue() == ""  # failing for 300 s: not yet
        asyncio.run(go(800.0))
        asyncio.run(go(801.0))  # the event is queued by one pass and sent by the next
        assert out.getvalue().startswith("[rasid] notifier ops failing since 1970-01-01T00:01:40+00:00 (HTTP 503)")
        asyncio.run(go(1000.0))
        assert out.getvalue().count("notifier ops failing") == 1  # announced once
        receiver.plan.clear()
        asyncio.run(go(2000.0))
        asyncio.run(go(2001.0))
        assert "[rasid] notifier ops recovered" in out.getvalue()
    finally:
        receiver.close()


def test_rate_limit_spaces_requests(tmp_path: Path, receiver: WebhookReceiver) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    queue_alerts(store, "ops", 5, 100.0)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(seconds)

    async def go() -> int:
        async with httpx.AsyncClient() as client:
            notifier = WebhookNotifier(name="ops", type="webhook", url=receiver.url, rate="10/s")
            worker = OutboxWorker(store, build_senders([notifier], client), 3600, clock=Clock(100.0), sleep=sleep)
            return await worker.deliver_due()

    assert asyncio.run(go()) == 5
    assert len(waits) == 4 and all(0 < w <= 0.1 for w in waits)
    assert sum(waits) > 0.2


def test_discord_retry_after_in_the_body_is_honoured(tmp_path: Path) -> None:
    receiver = WebhookReceiver([Response(429, b'{"message": "You are being rate limited.", "retry_after": 42.5}')])
    try:
        store = SQLiteStore(tmp_path / "s.db")
        queue_alerts(store, "ops", 1, 100.0)

        async def go() -> None:
            async with httpx.AsyncClient() as client:
                notifier = WebhookNotifier(name="ops", type="webhook", url=receiver.url, format="json")
                await OutboxWorker(store, build_senders([notifier], client), 3600, clock=Clock(100.0), rand=lambda: 0.5).deliver_due()

        asyncio.run(go())
        (row,) = store.pending_alerts("ops", 10)
        assert row.next_attempt == pytest.approx(142.5)
    finally:
        receiver.close()


def test_digest_batches_a_period_into_one_message(tmp_path: Path, receiver: WebhookReceiver) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    queue_alerts(store, "ops", 3, 100.0)
    clock = Clock(100.0)

    async def go(at: float) -> int:
        clock.now = at
        async with httpx.AsyncClient() as client:
            notifier = WebhookNotifier(name="ops", type="webhook", url=receiver.url, digest="15m", secret=SECRET)
            return await OutboxWorker(store, build_senders([notifier], client), 86400, clock=clock).deliver_due()

    assert asyncio.run(go(500.0)) == 0 and receiver.posts() == []  # the period is not over
    assert asyncio.run(go(1000.0)) == 3
    (post,) = receiver.posts()
    body = Webhook(SECRET).verify(post.body, post.headers)
    assert body["type"] == "digest" and [item["id"] for item in body["items"]] == ["alert_000", "alert_001", "alert_002"]
    assert store.outbox_counts()["delivered"] == 3


def test_template_replaces_the_body(tmp_path: Path, receiver: WebhookReceiver) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    queue_alerts(store, "ops", 1, 100.0)

    async def go() -> int:
        async with httpx.AsyncClient() as client:
            notifier = WebhookNotifier(
                name="ops", type="webhook", url=receiver.url, format="json",
                template='{"text": "{{ watchlist }}: {{ report.title }}"}',
            )  # fmt: skip
            return await OutboxWorker(store, build_senders([notifier], client), 3600, clock=Clock(100.0)).deliver_due()

    assert asyncio.run(go()) == 1
    assert receiver.posts()[0].json() == {"text": "south: درعا"}


def test_a_notifier_words_its_alerts_in_arabic_and_its_own_time_zone(tmp_path: Path) -> None:
    """`language: ar` and `timezone:` on a notifier, end to end: a feed report's publication time
    shown in Aden's time, the labels in Arabic."""
    from support import rasid

    (tmp_path / "inbox").mkdir()
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    published = datetime.now(timezone.utc).replace(second=0, microsecond=0) - timedelta(hours=1)
    item = {"title": "قصف على تعز", "text": "قصف مدفعي على أحياء مدينة تعز مساء اليوم.", "published": published.isoformat()}
    (tmp_path / "inbox" / "a.json").write_text(json.dumps(item, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "config.yaml").write_text(
        "sources: {folders: [{name: inbox, path: ./inbox, settle: 0s}]}\n"
        "watchlists: [{name: taiz, places: [تعز], keywords: [قصف]}]\n"
        "notifiers: [{name: screen, type: console, language: ar, timezone: Asia/Aden}]\n",
        encoding="utf-8",
    )
    done = rasid("once", "-c", "config.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "[taiz] قصف على تعز" in done.stdout
    assert f"\u2066{published.astimezone(ZoneInfo('Asia/Aden')):%Y-%m-%d %H:%M} +03\u2069" in done.stdout
    assert "  الأماكن: تعز" in done.stdout and "  الكلمات: قصف" in done.stdout and "مصدر واحد حتى الآن" in done.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text((tmp_path / "config.yaml").read_text(encoding="utf-8").replace("Asia/Aden", "Asia/Adn"), encoding="utf-8")
    checked = rasid("check", "-c", "bad.yaml", cwd=tmp_path)
    assert checked.returncode == 1 and "unknown time zone 'Asia/Adn'" in checked.stderr


def test_a_receiver_back_after_an_outage_gets_its_alerts_before_the_next_retry_step(tmp_path: Path) -> None:
    """Unreachable, the alert waits an hour for its next attempt; the worker checks every 30 s
    whether the receiver answers (a HEAD request, no alert), and once it does sends at once. One
    that answered with an error status waits out its step: it was reachable all along."""
    from rasid.delivery.outbox import PROBE_EVERY

    port = free_port()
    store = SQLiteStore(tmp_path / "s.db")
    queue_alerts(store, "ops", 2, 100.0)

    def deliver(at: float) -> int:
        async def go() -> int:
            async with httpx.AsyncClient() as client:
                notifier = WebhookNotifier(name="ops", type="webhook", url=f"http://127.0.0.1:{port}/hook", timeout=1)
                worker = OutboxWorker(store, build_senders([notifier], client), 86400, Clock(at), lambda: 0.5, (3600.0,))
                return await worker.deliver_due()

        return asyncio.run(go())

    assert deliver(100.0) == 0  # down: connection refused, next attempt in an hour
    assert deliver(100.0 + PROBE_EVERY + 1) == 0  # still down: the check finds nobody
    receiver = WebhookReceiver(port=port)
    try:
        assert deliver(100.0 + 2 * PROBE_EVERY + 2) == 2  # back: both sent, in order, long before the hour
        assert [p.json()["n"] for p in receiver.posts()] == [0, 1]
        assert [r.method for r in receiver.requests][0] == "HEAD"
    finally:
        receiver.close()
    refusing = WebhookReceiver([Response(503)], port=port)
    try:
        doc = {"type": "alert", "id": "alert_later", "watchlist": "south", "n": 2, "report": {"title": "درعا"}}
        store.record_report(Report("s", "t", "later"), ["k-later"], [QueuedAlert("alert_later", "ops", doc)], 1000.0)
        assert deliver(1000.0) == 0 and deliver(1000.0 + PROBE_EVERY + 1) == 0
        assert [r.method for r in refusing.requests] == ["POST"]  # it answered 503: no check, no resend
    finally:
        refusing.close()


def test_quiet_hours_hold_news_until_morning_but_not_urgent_alerts_or_events(tmp_path: Path, receiver: WebhookReceiver) -> None:
    from rasid.config.models import QuietHours

    store = SQLiteStore(tmp_path / "s.db")
    night = datetime(2026, 11, 30, 20, 0, tzinfo=timezone.utc).timestamp()  # 23:00 in Aden
    morning = datetime(2026, 12, 1, 3, 30, tzinfo=timezone.utc).timestamp()  # 06:30 in Aden
    documents = [
        {"type": "alert", "id": "alert_a", "watchlist": "yemen", "report": {"title": "أ"}},
        {"type": "alert", "id": "alert_b", "watchlist": "yemen", "report": {"title": "ب"}, "urgent": True},
        {"type": "notifier.failing", "id": "event_c", "notifier": "mail", "error": "down"},
        {"type": "alert", "id": "alert_d", "watchlist": "yemen", "report": {"title": "د"}},
    ]
    for i, doc in enumerate(documents):
        store.record_report(Report("s", "t", f"text {i}"), [f"k{i}"], [QueuedAlert(doc["id"], "ops", doc)], night)
    quiet = QuietHours.model_validate({"from": "22:00", "to": "06:00", "timezone": "Asia/Aden"})

    def deliver(now: float) -> int:
        async def go() -> int:
            async with httpx.AsyncClient() as client:
                notifier = WebhookNotifier(name="ops", type="webhook", url=receiver.url, quiet=quiet)
                return await OutboxWorker(store, build_senders([notifier], client), 86400, clock=Clock(now)).deliver_due()

        return asyncio.run(go())

    assert deliver(night) == 2
    assert [p.json()["id"] for p in receiver.posts()] == ["alert_b", "event_c"]  # urgent news and events: at once
    assert deliver(night + 3600) == 0 and store.outbox_counts()["pending"] == 2  # held, not attempted
    assert deliver(morning) == 2
    assert [p.json()["id"] for p in receiver.posts()][2:] == ["alert_a", "alert_d"]  # in their order
