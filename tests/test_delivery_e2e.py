"""Delivery through the real daemon: a failing receiver, a SIGKILL mid-delivery, the outbox commands."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from dedup_variants import stories
from standardwebhooks import Webhook

from rasid.delivery.outbox import BATCH
from support import Response, WebhookReceiver, clean_env, free_port, rasid, wait_until

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def setup(tmp_path: Path, url: str, count: int, timeout: str = "5s") -> list[str]:
    (tmp_path / "inbox").mkdir()
    titles = []
    for i, doc in enumerate([d for d in stories() if d.story != "seed"][:count]):
        (tmp_path / "inbox" / f"{i:02d}.txt").write_text(doc.text, encoding="utf-8")
        titles.append(doc.title)
    (tmp_path / "config.yaml").write_text(
        f"""
sources:
  folders: [{{name: inbox, path: ./inbox, interval: 1s}}]
watchlists:
  - {{name: all-news, keywords: [في]}}
notifiers:
  - {{name: ops, type: webhook, url: "{url}", secret: "{SECRET}", timeout: {timeout}}}
delivery: {{interval: 200ms, retry: [200ms]}}
""",
        encoding="utf-8",
    )
    return titles


def start(tmp_path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "rasid", "run", "-c", "config.yaml"],
        cwd=tmp_path, env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip




def test_failing_receiver_gets_every_alert_in_order_signed(tmp_path: Path) -> None:
    plan = [Response(500), Response(429, headers={"Retry-After": "1"}), Response(200, delay=2.0)]
    receiver = WebhookReceiver(plan)
    try:
        titles = setup(tmp_path, receiver.url, 3, timeout="500ms")
        proc = start(tmp_path)
        try:
            assert wait_until(lambda: len(receiver.posts()) >= 6), receiver.posts()
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=15)
        assert proc.returncode == 0, err
        posts = receiver.posts()
        for post in posts:
            Webhook(SECRET).verify(post.body, post.headers)
        first = posts[0].json()["id"]
        assert [p.json()["id"] for p in posts[:4]] == [first] * 4  # 500, 429, timeout, then accepted
        assert [p.json()["report"]["title"] for p in posts[3:6]] == titles  # in order
        assert posts[2].headers["webhook-id"] == first
        assert "HTTP 500" in err and "HTTP 429" in err and "timeout" in err
    finally:
        receiver.close()


def test_sigkill_mid_delivery_loses_nothing(tmp_path: Path) -> None:
    receiver = WebhookReceiver([Response(200, delay=0.4)] * 100)
    try:
        setup(tmp_path, receiver.url, 6)
        proc = start(tmp_path)
        assert wait_until(lambda: len(receiver.posts()) >= 2)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        before = {p.json()["id"] for p in receiver.posts()}
        assert len(before) < 6

        proc = start(tmp_path)
        try:
            assert wait_until(lambda: len({p.json()["id"] for p in receiver.posts()}) >= 6)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=15)
        ids = [p.json()["id"] for p in receiver.posts()]
        assert len(set(ids)) == 6
        assert len(ids) <= 7  # at most the one in flight at the kill is sent twice
        for post in receiver.posts():
            Webhook(SECRET).verify(post.body, post.headers)
    finally:
        receiver.close()


def test_outbox_list_retry_and_purge(tmp_path: Path) -> None:
    receiver = WebhookReceiver([Response(404)])
    try:
        setup(tmp_path, receiver.url, 1)
        assert rasid("once", "-c", "config.yaml", cwd=tmp_path).returncode == 0
        listing = rasid("outbox", "-c", "config.yaml", cwd=tmp_path)
        assert "  ops  dead  attempts 1  dead  HTTP 404" in listing.stdout
        assert "pending 0, delivered 0, dead 1" in listing.stdout
        assert "  ops: pending 0, delivered 0, dead 1, attempts 1" in listing.stdout
        retried = rasid("outbox", "retry", "--all", "-c", "config.yaml", cwd=tmp_path)
        assert retried.stdout.strip() == "1 dead delivery requeued"
        assert rasid("once", "-c", "config.yaml", cwd=tmp_path).returncode == 0
        assert [p.headers["webhook-id"] for p in receiver.posts()][0] == receiver.posts()[1].headers["webhook-id"]
        assert "pending 0, delivered 1, dead 0" in rasid("outbox", "-c", "config.yaml", cwd=tmp_path).stdout
        purged = rasid("outbox", "purge", "--older", "0s", "-c", "config.yaml", cwd=tmp_path)
        assert purged.stdout.strip() == "1 delivered or dead row purged"
    finally:
        receiver.close()


def test_once_attempts_every_due_alert_however_many(tmp_path: Path, receiver: WebhookReceiver) -> None:
    """More alerts waiting than one outbox batch takes: `rasid once` goes on until each has had its
    attempt. They are queued by a first run whose receiver is down (its first attempt fails and
    the rest wait behind it), then sent by a second run that ingests nothing new."""
    count = BATCH * 2 + 50
    words = [w for d in stories() for w in d.text.split() if len(w) > 3]
    rnd = random.Random(9)
    (tmp_path / "inbox").mkdir()
    for i in range(count):  # distinct texts: no two are one story
        text = " ".join(rnd.sample(words, 60))
        (tmp_path / "inbox" / f"{i:04d}.txt").write_text(f"تقرير رقم {i}\nاجتماع {text}", encoding="utf-8")

    def configure(url: str) -> None:
        (tmp_path / "config.yaml").write_text(
            "sources: {folders: [{name: inbox, path: ./inbox, interval: 1h, settle: 50ms}]}\n"
            "watchlists: [{name: meetings, keywords: [اجتماع]}]\n"
            f'notifiers: [{{name: ops, type: webhook, url: "{url}"}}]\n'
            "delivery: {retry: [100ms]}\n",
            encoding="utf-8",
        )

    configure(f"http://127.0.0.1:{free_port()}/down")
    assert rasid("once", "-c", "config.yaml", cwd=tmp_path, timeout=300).returncode == 0
    assert f"pending {count}, delivered 0" in rasid("outbox", "-c", "config.yaml", cwd=tmp_path).stdout
    configure(receiver.url)
    time.sleep(0.2)
    done = rasid("once", "-c", "config.yaml", cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert len({p.headers["webhook-id"] for p in receiver.posts()}) == count
    assert f"pending 0, delivered {count}, dead 0" in rasid("outbox", "-c", "config.yaml", cwd=tmp_path).stdout


def test_notify_test_sends_a_marked_test_alert_and_says_what_each_receiver_answered(tmp_path: Path) -> None:
    good, bad = WebhookReceiver(), WebhookReceiver([Response(500, b"down")])
    try:
        (tmp_path / "config.yaml").write_text(
            "watchlists: [{name: south, places: [درعا]}]\n"
            "notifiers:\n"
            f"  - {{name: ops, type: webhook, url: '{good.url}/hook', secret: '{SECRET}'}}\n"
            f"  - {{name: chat, type: webhook, url: '{bad.url}/hook', format: slack}}\n"
            "  - {name: screen, type: console}\n",
            encoding="utf-8",
        )
        every = rasid("notify-test", "-c", "config.yaml", cwd=tmp_path)
        assert every.returncode == 1  # one receiver failed
        lines = dict(line.split(": ", 1) for line in every.stdout.splitlines() if line.startswith(("ops:", "chat:", "screen:")))
        assert lines["ops"].startswith("sent (answered 200)") and lines["chat"].startswith("FAILED (HTTP 500)")
        assert lines["screen"].startswith("sent") and "رسالة اختبار من راصد" in every.stdout  # the console notifier printed it
        (post,) = good.posts()
        document = Webhook(SECRET).verify(post.body, post.headers)  # signed like any alert
        assert document["test"] is True and document["id"].startswith("test_") and document["watchlist"] == "rasid-test"
        assert f"id={document['id']}" in lines["ops"]
        one = rasid("notify-test", "-c", "config.yaml", "ops", cwd=tmp_path)
        assert one.returncode == 0 and len(good.posts()) == 2 and "chat" not in one.stdout
        assert not (tmp_path / "state").exists()  # nothing recorded
        assert rasid("notify-test", "-c", "config.yaml", "nobody", cwd=tmp_path).returncode == 1
    finally:
        good.close()
        bad.close()


def test_a_report_firing_three_watch_lists_is_one_message_unless_a_notifier_asks_for_one_each(tmp_path: Path) -> None:
    import json as json_module

    import jsonschema

    once, each = WebhookReceiver(), WebhookReceiver()
    try:
        (tmp_path / "inbox").mkdir()
        (tmp_path / "inbox" / "a.txt").write_text("قصف على درعا\nقصفت مدفعية النظام أحياء درعا البلد واغتيل قيادي.", encoding="utf-8")
        (tmp_path / "config.yaml").write_text(
            "sources: {folders: [{name: inbox, path: ./inbox, interval: 1s}]}\n"
            "watchlists:\n"
            "  - {name: south, places: [درعا]}\n"
            "  - {name: shelling, keywords: [قصف]}\n"
            "  - {name: killings, keywords: [اغتيال, اغتيل]}\n"
            "  - {name: yemen, places: [تعز]}\n"
            "notifiers:\n"
            f"  - {{name: desk, type: webhook, url: '{once.url}/hook'}}\n"
            f"  - {{name: archive, type: webhook, url: '{each.url}/hook', one_per: watchlist}}\n",
            encoding="utf-8",
        )
        result = rasid("once", "-c", "config.yaml", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        (post,) = once.posts()
        document = post.json()
        assert document["watchlists"] == ["south", "shelling", "killings"] and document["watchlist"] == "south"
        assert len(document["alerts"]) == 3 and document["id"] == document["alerts"][0]
        assert {m["term"] for m in document["matches"]} == {"درعا", "قصف", "اغتيل"}
        schema = json_module.loads((Path(__file__).parent.parent / "src" / "rasid" / "delivery" / "alert.schema.json").read_text())
        jsonschema.validate(document, schema)
        assert sorted(p.json()["watchlist"] for p in each.posts()) == ["killings", "shelling", "south"]
        assert all("watchlists" not in p.json() for p in each.posts())
        from rasid.store import open_store

        store = open_store(tmp_path / "state")
        try:  # each alert's delivery to desk is the one message that named it
            delivered = store.deliveries(document["alerts"])
        finally:
            store.close()
        assert all([(d.notifier, d.status) for d in delivered[a] if d.notifier == "desk"] == [("desk", "delivered")]
                   for a in document["alerts"])  # fmt: skip
        assert all(sorted(d.notifier for d in delivered[a]) == ["archive", "desk"] for a in document["alerts"])
        for alert in document["alerts"]:  # each watch-list's alert is kept as its own (the console lists three)
            explained = rasid("explain", "-c", "config.yaml", alert, cwd=tmp_path)
            assert explained.returncode == 0 and "قصف على درعا" in explained.stdout
        replayed = rasid("replay", "-c", "config.yaml", "--json", cwd=tmp_path)
        assert {json_module.loads(line)["watchlist"] for line in replayed.stdout.splitlines()} >= {"south", "shelling", "killings"}
    finally:
        once.close()
        each.close()
