"""Sources through the real daemon: gone feeds, backlogs, files written while watched, `rasid sources`."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from email.utils import formatdate
from pathlib import Path

from support import (
    FeedServer,
    Response,
    WebhookReceiver,
    clean_env,
    rasid,
    rss,
    seed_item,
)

WATCH = "{name: south, places: [درعا, جاسم, طفس], keywords: [اغتيال, اجتماع, انفجار]}"


def write_config(tmp_path: Path, sources: str, hook: str) -> None:
    (tmp_path / "config.yaml").write_text(
        f"sources:\n{sources}\nwatchlists: [{WATCH}]\nnotifiers: [{{name: ops, type: webhook, url: \"{hook}\"}}]\n",
        encoding="utf-8",
    )


def run_daemon(tmp_path: Path) -> subprocess.Popen[str]:
    """`rasid run` on the config in `tmp_path`, its log kept for the assertions' messages."""
    return subprocess.Popen(
        [sys.executable, "-m", "rasid", "run", "-c", "config.yaml"],
        cwd=tmp_path, env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def sources_json(tmp_path: Path) -> dict[str, dict[str, object]]:
    out = rasid("sources", "-c", "config.yaml", "--json", cwd=tmp_path).stdout
    return {row["source"]: row for row in map(json.loads, out.splitlines())}


def test_a_gone_feed_is_disabled_and_left_alone(tmp_path: Path, feed_server: FeedServer, receiver: WebhookReceiver) -> None:
    feed_server.routes["/gone"] = Response(410)
    write_config(tmp_path, f'  feeds: [{{name: old, url: "{feed_server.url}/gone"}}]', receiver.url)
    first = rasid("once", "-c", "config.yaml", cwd=tmp_path)
    assert "feed disabled source=old" in first.stderr
    rasid("once", "-c", "config.yaml", cwd=tmp_path)
    assert len([r for r in feed_server.requests if r.path == "/gone"]) == 1
    row = sources_json(tmp_path)["old"]
    assert row["disabled"] == "410 Gone" and row["next_poll"] == "-"
    # A new URL in the config brings it back.
    feed_server.routes["/new"] = Response(200, rss([seed_item()]))
    write_config(tmp_path, f'  feeds: [{{name: old, url: "{feed_server.url}/new"}}]', receiver.url)
    rasid("once", "-c", "config.yaml", cwd=tmp_path)
    assert sources_json(tmp_path)["old"]["disabled"] is None
    kinds = [(p.json()["type"], p.json().get("reason")) for p in receiver.posts()]
    assert kinds[0] == ("source.unhealthy", "disabled: 410 Gone")  # announced once, at the first poll
    assert sorted(k for k, _ in kinds[1:]) == ["alert", "source.recovered"]


def test_backlog_is_recorded_without_alerting(tmp_path: Path, feed_server: FeedServer, receiver: WebhookReceiver) -> None:
    old = dict(seed_item(), pubDate=formatdate(time.time() - 5 * 86400, usegmt=True))
    fresh = {"title": "انفجار في طفس", "description": "انفجار عبوة ناسفة في مدينة طفس غربي درعا", "link": "https://x.example/2",
             "pubDate": formatdate(time.time() - 600, usegmt=True)}  # fmt: skip
    undated = {"title": "اغتيال في جاسم", "description": "اغتيال قيادي في مدينة جاسم", "link": "https://x.example/3"}
    feed_server.routes["/f"] = Response(200, rss([old, fresh, undated]))
    write_config(tmp_path, f'  feeds: [{{name: f, url: "{feed_server.url}/f"}}]', receiver.url)
    assert rasid("once", "-c", "config.yaml", cwd=tmp_path).returncode == 0
    titles = sorted(p.json()["report"]["title"] for p in receiver.posts())
    assert titles == ["اغتيال في جاسم", "انفجار في طفس"]  # the five-day-old one only recorded
    assert sources_json(tmp_path)["f"]["new_items"] == 3


def test_backfill_skip_records_the_first_poll_silently(tmp_path: Path, feed_server: FeedServer, receiver: WebhookReceiver) -> None:
    feed_server.routes["/f"] = Response(200, rss([seed_item()]))
    write_config(tmp_path, f'  feeds: [{{name: f, url: "{feed_server.url}/f", backfill: skip}}]', receiver.url)
    rasid("once", "-c", "config.yaml", cwd=tmp_path)
    assert receiver.posts() == []
    fresh = {"title": "انفجار في طفس", "description": "انفجار عبوة في طفس", "link": "https://x.example/2"}
    feed_server.routes["/f"] = Response(200, rss([seed_item(), fresh]))
    rasid("once", "-c", "config.yaml", cwd=tmp_path)
    assert [p.json()["report"]["title"] for p in receiver.posts()] == ["انفجار في طفس"]


def test_a_file_written_in_two_halves_alerts_once_with_all_of_it(tmp_path: Path, receiver: WebhookReceiver) -> None:
    (tmp_path / "inbox").mkdir()
    write_config(tmp_path, "  folders: [{name: inbox, path: ./inbox, interval: 1h, settle: 500ms}]", receiver.url)
    proc = run_daemon(tmp_path)
    try:
        time.sleep(1.5)  # the daemon is up and watching
        started = time.monotonic()
        with open(tmp_path / "inbox" / "report.txt", "w", encoding="utf-8") as f:
            f.write("هدوء حذر في ريف درعا\nقالت مصادر محلية إن ")
            f.flush()
            time.sleep(0.3)
            f.write("انفجاراً وقع قرب مدينة طفس مساء اليوم.\n")
        deadline = time.monotonic() + 10
        while not receiver.posts() and time.monotonic() < deadline:
            time.sleep(0.05)
        latency = time.monotonic() - started
        time.sleep(1.0)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
    (post,) = receiver.posts()
    terms = {m["term"] for m in post.json()["matches"]}
    assert terms == {"درعا", "طفس", "انفجار"}, err
    assert latency < 5  # picked up by the watcher, not by the hourly scan


def test_a_complete_file_is_read_at_once_and_one_still_open_waits(tmp_path: Path, receiver: WebhookReceiver) -> None:
    """A file renamed into the folder, or written and closed, is complete: read without waiting
    the settle time (8 s here); one held open while written waits until it is closed."""
    (tmp_path / "inbox").mkdir()
    (tmp_path / "staging").mkdir()
    write_config(tmp_path, "  folders: [{name: inbox, path: ./inbox, interval: 1h, settle: 8s}]", receiver.url)
    proc = run_daemon(tmp_path)

    def arrived(count: int, within: float) -> float | None:
        started = time.monotonic()
        while time.monotonic() - started < within:
            if len(receiver.posts()) >= count:
                return time.monotonic() - started
            time.sleep(0.02)
        return None

    try:
        # the daemon is up and watching once a file written now is read (long before it settles)
        (tmp_path / "inbox" / "probe.txt").write_text("انفجار في درعا\nتجربة.", encoding="utf-8")
        assert arrived(1, 30) is not None
        staged = tmp_path / "staging" / "a.txt"
        staged.write_text("اغتيال قيادي في مدينة جاسم\nقتل مسلحون قيادياً سابقاً.", encoding="utf-8")
        staged.replace(tmp_path / "inbox" / "a.txt")
        renamed = arrived(2, 5)
        (tmp_path / "inbox" / "b.txt").write_text("انفجار قرب طفس\nوقع انفجار مساء اليوم.", encoding="utf-8")
        closed = arrived(3, 5)
        with open(tmp_path / "inbox" / "c.txt", "w", encoding="utf-8") as f:
            f.write("اجتماع في درعا\nعقد وجهاء ")
            f.flush()
            still_open = arrived(4, 2)
            f.write("بلدة طفس اجتماعاً موسعاً.\n")
        after_close = arrived(4, 5)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
    assert renamed is not None and renamed < 3, err
    assert closed is not None and closed < 3, err
    assert still_open is None  # not read half written
    assert after_close is not None
    assert "طفس" in {m["term"] for m in receiver.posts()[3].json()["matches"]}  # all of it, the second half too
    assert "watchfiles" not in err and "change detected" not in err  # the watcher's own lines stay out at info


ARTICLE = (
    "<html><body><nav>الرئيسية أخبار رياضة</nav><article><h1>هدوء في الجنوب</h1>"
    "<p>قتل مسلحون مجهولون قيادياً سابقاً في فصائل المعارضة في مدينة طفس غربي درعا مساء اليوم، وفق ناشطين.</p>"
    "<p>وأضاف الناشطون أن انفجاراً سبق الهجوم بساعات قرب المدينة.</p></article><footer>الحقوق محفوظة</footer></body></html>"
)


def test_full_text_is_fetched_only_where_allowed(tmp_path: Path, feed_server: FeedServer, receiver: WebhookReceiver) -> None:
    feed_server.routes["/article"] = Response(200, ARTICLE.encode(), {"Content-Type": "text/html; charset=utf-8"})
    item = {"title": "هدوء في الجنوب", "description": "تفاصيل بعد قليل", "link": f"{feed_server.url}/article"}
    feed_server.routes["/f"] = Response(200, rss([item]))
    write_config(tmp_path, f'  feeds: [{{name: f, url: "{feed_server.url}/f", full_text: true}}]', receiver.url)
    refused = rasid("once", "-c", "config.yaml", cwd=tmp_path)
    assert "resolves to a non-public address (127.0.0.1)" in refused.stderr
    assert receiver.posts() == [] and not [r for r in feed_server.requests if r.path == "/article"]

    other = tmp_path / "allowed"
    other.mkdir()
    write_config(other, f'  feeds: [{{name: f, url: "{feed_server.url}/f", full_text: true, allow_private: true}}]', receiver.url)
    assert rasid("once", "-c", "config.yaml", cwd=other).returncode == 0
    (post,) = receiver.posts()
    assert {m["term"] for m in post.json()["matches"]} == {"طفس", "درعا", "انفجار"}
    assert "الرئيسية" not in post.json()["snippet"]


def test_a_poll_under_way_at_sigterm_finishes_and_is_recorded(tmp_path: Path, feed_server: FeedServer, receiver: WebhookReceiver) -> None:
    """SIGTERM while a slow feed answers: the poll is let finish (within the 5 s grace), its
    state saved and its alert delivered, and the daemon exits 0; nothing is cut off mid-way."""
    feed_server.routes["/slow"] = Response(200, rss([seed_item()]), delay=2.0)
    write_config(tmp_path, f'  feeds: [{{name: slow, url: "{feed_server.url}/slow", interval: 1h}}]', receiver.url)
    proc = run_daemon(tmp_path)
    try:
        deadline = time.monotonic() + 30
        while not any(r.path == "/slow" for r in feed_server.requests):
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "job abandoned" not in err and "feed polled source=slow" in err
    assert sources_json(tmp_path)["slow"]["status"] == "200"
    assert len(receiver.posts()) == 1  # and the delivery the poll started went out before the exit
