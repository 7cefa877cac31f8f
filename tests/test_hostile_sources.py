"""Hostile input from sources: odd entries and files, bombs, huge items, links out, leaked secrets.

Each attack goes through the real command line (`rasid once` under an address-space limit) or
the real daemon, against real servers on 127.0.0.1 and real files.
"""

from __future__ import annotations

import asyncio
import ctypes
import json
import logging
import os
import re
import sqlite3
import subprocess
import sys
import time
import zlib
from pathlib import Path

import brotli
import httpx
import pytest
from support import MEMORY_LIMIT, FeedServer, Response, WebhookReceiver, clean_env, rasid, rss

from rasid.config import FolderConfig, load_config
from rasid.daemon import Daemon
from rasid.models import MAX_TEXT_CHARS
from rasid.sources.folders import FolderSource
from rasid.sources.article import ArticleFetcher
from rasid.sources.fetch import HostLimiter
from rasid.store import DATABASE_NAME, open_store

WATCH = "{name: south, places: [درعا, جاسم, طفس, نوى, الصنمين, بصرى], keywords: [اغتيال, انفجار, اشتباك]}"
GOOD_ITEMS = [
    {"title": "اغتيال قيادي سابق في جاسم", "description": "قتل مسلحون مجهولون قيادياً سابقاً في مدينة جاسم مساء أمس",
     "link": "https://news.example/1"},
    {"title": "انفجار عبوة ناسفة في طفس", "description": "انفجرت عبوة ناسفة بسيارة عسكرية على طريق طفس الغربي صباح اليوم",
     "link": "https://news.example/3"},
]  # fmt: skip
BAD = "BAD-ENTRY"
"""Stands in a feed where the hostile markup goes, since `rss` escapes what it is given."""


def write_config(where: Path, sources: str, hook: str) -> None:
    (where / "config.yaml").write_text(
        f"sources:\n{sources}\nwatchlists: [{WATCH}]\nnotifiers: [{{name: ops, type: webhook, url: \"{hook}\"}}]\n",
        encoding="utf-8",
    )


def once(where: Path) -> subprocess.CompletedProcess[str]:
    """`rasid once` on the config in `where`, under a 1 GiB address-space limit."""
    result = rasid("once", "-c", "config.yaml", cwd=where, memory_limit=MEMORY_LIMIT)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def sources_json(where: Path) -> dict[str, dict[str, object]]:
    out = rasid("sources", "-c", "config.yaml", "--json", cwd=where).stdout
    return {row["source"]: row for row in map(json.loads, out.splitlines())}


def alert_titles(receiver: WebhookReceiver) -> list[str]:
    return sorted(p.json()["report"]["title"] for p in receiver.posts() if p.json()["type"] == "alert")


# 1 and 2. One bad item never blinds a source; text is repaired where it can be.


REFERENCES_TO_NO_CHARACTER = ["&#xD800;", "&#x110000;", "&#55296;", "&#99999999999;"]


def test_text_is_repaired_where_it_can_be(
    tmp_path: Path, feed_server: FeedServer, receiver: WebhookReceiver
) -> None:
    """A character reference to no character costs one character, and so does an Arabic letter
    cut in half in UTF-8 (what PHP's substr() leaves): neither costs the feed."""
    odd = [{"title": f"اشتباك رقم {i} في نوى {BAD} مساء", "link": f"https://news.example/odd/{i}"} for i in range(4)]
    body = rss(GOOD_ITEMS + odd)
    for reference in REFERENCES_TO_NO_CHARACTER:
        body = body.replace(BAD.encode(), reference.encode(), 1)
    feed_server.routes["/refs"] = Response(200, body)
    summary = "قتل مسلحون مجهولون قيادياً سابقاً في مدينة الصنمين"
    cut = rss([{"title": "اغتيال في الصنمين", "description": BAD, "link": "https://news.example/cut"}])
    feed_server.routes["/cut"] = Response(
        200, cut.replace(BAD.encode(), summary.encode()[:-1]), {"Content-Type": "application/rss+xml; charset=utf-8"}
    )
    feeds = "".join(f'\n    - {{name: {name}, url: "{feed_server.url}/{name}"}}' for name in ("refs", "cut"))
    write_config(tmp_path, f"  feeds:{feeds}", receiver.url)
    result = once(tmp_path)
    titles = [item["title"] for item in GOOD_ITEMS] + [f"اشتباك رقم {i} في نوى \ufffd مساء" for i in range(4)]
    assert alert_titles(receiver) == sorted([*titles, "اغتيال في الصنمين"])
    (cut_alert,) = [p.json() for p in receiver.posts() if p.json()["report"]["source"] == "cut"]
    assert summary[:-1] + "\ufffd" in cut_alert["snippet"]
    assert "text repaired source=cut bad_utf8_sequences=1" in result.stderr
    rows = sources_json(tmp_path)
    assert rows["refs"]["errors"] == rows["refs"]["item_errors"] == 0 and rows["refs"]["new_items"] == 6


def test_an_entry_that_cannot_be_recorded_is_logged_once_counted_and_makes_the_source_unhealthy(
    tmp_path: Path, feed_server: FeedServer, receiver: WebhookReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    bad_link = "https://news.example/refused"
    body = rss([GOOD_ITEMS[0], {"title": "اشتباك في نوى", "link": bad_link}, GOOD_ITEMS[1]])
    feed_server.routes["/f"] = Response(200, body, {"ETag": '"v1"'})
    write_config(tmp_path, f'  feeds: [{{name: f, url: "{feed_server.url}/f", alert_after: 1h}}]', receiver.url)
    now = [time.time()]
    config = load_config(tmp_path / "config.yaml", {})
    open_store(config.state_dir).close()
    with sqlite3.connect(config.state_dir / DATABASE_NAME) as db:  # a state that refuses this one report
        db.execute(
            f"CREATE TRIGGER refuse BEFORE INSERT ON reports WHEN NEW.url = '{bad_link}'"
            " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        )

    async def poll_twice() -> None:
        daemon = Daemon(config, open_store(config.state_dir), clock=lambda: now[0])
        try:
            for _ in range(2):
                await daemon.poll_feed(daemon.feeds[0])
                now[0] += 3600
            await daemon.deliver()
        finally:
            await daemon.close()

    caplog.set_level(logging.DEBUG, logger="rasid")
    asyncio.run(poll_twice())
    assert alert_titles(receiver) == sorted(item["title"] for item in GOOD_ITEMS)
    said = [r for r in caplog.records if r.getMessage().startswith("report not recorded source=f")]
    assert [r.levelno for r in said] == [logging.WARNING, logging.DEBUG]  # logged once while it lasts
    assert bad_link in said[0].getMessage() and "refused by the test" in said[0].getMessage()
    polls = [r for r in feed_server.requests if r.path == "/f"]
    assert "if-none-match" not in polls[1].headers  # fetched whole again: the entry was not marked seen
    row = sources_json(tmp_path)["f"]
    assert row["item_errors"] == 2 and "refused by the test" in str(row["last_item_error"])  # counted at each poll
    (event,) = [p.json() for p in receiver.posts() if p.json()["type"] == "source.unhealthy"]
    assert event["source"] == "f" and event["reason"].startswith("items failing since 60 min (2 failed)")


def deep_json() -> bytes:
    return b"[" * 100_000 + b"]" * 100_000


def eml(charset: str, body: bytes, subject: str) -> bytes:
    return (
        f"Subject: {subject}\nMIME-Version: 1.0\nContent-Type: text/plain; charset={charset}\n"
        "Content-Transfer-Encoding: 8bit\n\n"
    ).encode() + body


def test_hostile_files_cost_only_themselves(tmp_path: Path, receiver: WebhookReceiver) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text("اغتيال قيادي سابق في جاسم\nقتل مسلحون مجهولون قيادياً في جاسم", encoding="utf-8")
    (inbox / "b-deep.json").write_bytes(deep_json())
    surrogate = json.dumps({"title": "انفجار في طفس", "text": "عبوة"}).replace("\\u0633", "\\u0633 \\ud800", 1)
    (inbox / "c-surrogate.json").write_text(surrogate, encoding="ascii")
    big_number = json.dumps({"title": "اشتباك في نوى بين مسلحين", "text": "اشتباك"})[:-1] + ', "n": ' + "7" * 5000 + "}"
    (inbox / "d-big-number.json").write_text(big_number, encoding="utf-8")
    subject = "=?utf-8?b?2KfYutiq2YrYp9mEINmB2Yog2KfZhNi12YbZhdmK2YY=?="  # اغتيال في الصنمين
    (inbox / "e-unknown.eml").write_bytes(eml("x-no-such-charset", "اغتيال في الصنمين".encode(), subject))
    (inbox / "f-utf7.eml").write_bytes(eml("utf-7", b"+BicGRAYjBi8GSQ- +BikGMQZJ-", "انفجار في بصرى الشام"))
    saved = rss([{"title": BAD, "link": "https://x.example/g"}]).replace(BAD.encode(), "اشتباك في درعا &#xD800;".encode())
    (inbox / "g-saved.xml").write_bytes(saved)
    legacy_name = os.fsdecode("h-نوى.txt".encode("windows-1256"))
    (inbox / legacy_name).write_text("انفجار في نوى\nانفجار لغم أرضي قرب نوى", encoding="utf-8")
    (inbox / "z.txt").write_text("انفجار قرب درعا المحطة\nانفجار سيارة مفخخة في حي المحطة", encoding="utf-8")
    write_config(tmp_path, "  folders: [{name: inbox, path: ./inbox, settle: 0s}]", receiver.url)

    first = once(tmp_path)
    assert alert_titles(receiver) == sorted([
        "اغتيال قيادي سابق في جاسم", "انفجار في طفس \ufffd", "اشتباك في نوى بين مسلحين", "اغتيال في الصنمين",
        "انفجار في بصرى الشام", "اشتباك في درعا \ufffd", "انفجار في نوى", "انفجار قرب درعا المحطة",
    ])  # fmt: skip
    failed = [line for line in first.stderr.splitlines() if "file failed" in line]
    assert len(failed) == 1 and "source=inbox file=b-deep.json" in failed[0]
    assert "file=h-\\xe4\\xe6\\xec.txt" in first.stderr  # the windows-1256 name, shown as its bytes
    row = sources_json(tmp_path)["inbox"]
    assert row["item_errors"] == 1 and str(row["last_item_error"]).startswith("b-deep.json: JSON nested too deeply")
    assert row["errors"] == 0 and row["status"] == "ok"

    again = once(tmp_path)
    assert "b-deep.json" not in again.stderr  # remembered: not read, nor logged, until it changes


# 3. Bounded memory and time.

SPACES = b" " * (16 << 20)
BOMB_CHUNKS = 128
"""Every bomb below inflates to 2 GiB, twice the address space `rasid once` is given."""


def brotli_bomb() -> bytes:
    compressor = brotli.Compressor(quality=1)
    return b"".join(compressor.process(SPACES) for _ in range(BOMB_CHUNKS)) + compressor.finish()


def gzip_bomb() -> bytes:
    """A gzip stream of 2 GiB of spaces, built from one repeating deflate block (a compressor fed
    the same input after its window is full emits the same bytes)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    head, block, again = compressor.compress(SPACES), compressor.compress(SPACES), compressor.compress(SPACES)
    assert block == again
    return head + block * (BOMB_CHUNKS - 1)


def test_compression_bombs_are_refused_and_the_feeds_back_off(
    tmp_path: Path, feed_server: FeedServer, receiver: WebhookReceiver
) -> None:
    feed_server.routes["/br"] = Response(200, brotli_bomb(), {"Content-Encoding": "br"})
    feed_server.routes["/gzip"] = Response(200, gzip_bomb(), {"Content-Encoding": "gzip"})
    nested = brotli.compress(zlib.compress(b"<rss/>"))
    feed_server.routes["/nested"] = Response(200, nested, {"Content-Encoding": "gzip, br"})
    feeds = "".join(f'\n    - {{name: {n}, url: "{feed_server.url}/{n}", interval: 1m}}' for n in ("br", "gzip", "nested"))
    write_config(tmp_path, f"  feeds:{feeds}", receiver.url)
    for _ in range(2):
        result = once(tmp_path)
    for name, refusal in [
        ("br", "over max_bytes (10000000) once decompressed"),
        ("gzip", "over max_bytes (10000000) once decompressed"),
        ("nested", "nested content encodings (gzip, br) are not read"),
    ]:
        (failed,) = [line for line in result.stderr.splitlines() if f"feed poll failed source={name} " in line]
        # counted, and backing off: twice the interval, less the moments the poll itself took
        assert refusal in failed and re.search(r"errors=2 retry_in=1(19|20)s", failed), failed
    rows = sources_json(tmp_path)
    assert [rows[name]["errors"] for name in ("br", "gzip", "nested")] == [2, 2, 2]
    assert {r.headers["accept-encoding"] for r in feed_server.requests} == {"gzip, deflate, br"}


def test_a_huge_entry_is_cut_and_the_loop_keeps_answering(
    tmp_path: Path, feed_server: FeedServer, receiver: WebhookReceiver
) -> None:
    description = "انفجار في طفس. " + "هدوء حذر في المنطقة الجنوبية. " * 400_000  # 12 million characters
    huge = {"title": "انفجار ضخم في طفس", "description": description, "link": "https://news.example/huge"}
    feed_server.routes["/f"] = Response(200, rss([GOOD_ITEMS[0], huge]))
    write_config(tmp_path, f'  feeds: [{{name: f, url: "{feed_server.url}/f", max_bytes: 40000000}}]', receiver.url)

    async def poll_and_watch_the_loop() -> float:
        config = load_config(tmp_path / "config.yaml", {})
        daemon = Daemon(config, open_store(config.state_dir))
        longest = 0.0
        polling = asyncio.ensure_future(daemon.poll_feed(daemon.feeds[0]))
        try:
            while not polling.done():
                before = time.monotonic()
                await asyncio.sleep(0.01)
                longest = max(longest, time.monotonic() - before - 0.01)
            await polling
            await daemon.deliver()
        finally:
            await daemon.close()
        return longest

    longest_stall = asyncio.run(poll_and_watch_the_loop())
    assert longest_stall < 0.5
    assert alert_titles(receiver) == sorted([GOOD_ITEMS[0]["title"], "انفجار ضخم في طفس"])
    db = sqlite3.connect(tmp_path / "state" / DATABASE_NAME)
    query = "SELECT a.text FROM archive a JOIN reports r ON r.id = a.report_id WHERE r.url LIKE '%huge'"
    (archived,) = [zlib.decompress(text).decode() for (text,) in db.execute(query)]
    assert len(archived) == MAX_TEXT_CHARS


def test_a_folder_is_read_in_batches(tmp_path: Path) -> None:
    for i in range(6):
        (tmp_path / f"{i}.txt").write_text(f"خبر {i}\n" + "انفجار في طفس " * 40_000, encoding="utf-8")
    size = (tmp_path / "0.txt").stat().st_size
    source = FolderSource(FolderConfig(name="inbox", path=tmp_path, settle=0))
    first = source.scan({}, budget=2 * size + 1)
    assert [rel for rel, _ in first.reports] == ["0.txt", "1.txt", "2.txt"] and first.more
    second = source.scan({}, budget=2 * size + 1, done=frozenset(first.states))
    assert [rel for rel, _ in second.reports] == ["3.txt", "4.txt", "5.txt"] and not second.more


def test_many_large_files_are_read_within_the_memory_limit(tmp_path: Path, receiver: WebhookReceiver) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    filler = ("هدوء حذر في المنطقة الجنوبية بعد ليلة من الاشتباكات " * 90_000).encode()  # 9.5 MB
    for i in range(40):
        (inbox / f"{i:02}.txt").write_bytes(f"انفجار رقم {i} في طفس\n".encode() + f"{i} ".encode() * 50 + filler)
    write_config(tmp_path, "  folders: [{name: inbox, path: ./inbox, settle: 0s, watch: false}]", receiver.url)
    # 380 MB of files: read in batches, `rasid once` peaks at about 550 MB of address space (490 MB
    # idle); read all before ingesting any, it needed 820 MB. One malloc arena per thread would
    # blur that, hence MALLOC_ARENA_MAX.
    result = rasid("once", "-c", "config.yaml", cwd=tmp_path, env={"MALLOC_ARENA_MAX": "2"}, memory_limit=680_000_000)
    read = [line for line in result.stderr.splitlines() if "file read source=inbox" in line]
    assert len(read) == 40 and all("new=1" in line and "failed=0" in line for line in read), result.stderr[-2000:]
    assert "file unreadable" not in result.stderr and "MemoryError" not in result.stderr


def test_the_article_cache_is_bounded_by_size(feed_server: FeedServer) -> None:
    sentence = "قتل مسلحون مجهولون قيادياً سابقاً في مدينة جاسم مساء أمس. "
    paragraphs = "".join(f"<p>{i}: {sentence * 1_000}</p>" for i in range(8))  # 440,000 characters of text
    page = f"<html><body><article><h1>اغتيال</h1>{paragraphs}</article></body></html>".encode()
    for i in range(3):
        feed_server.routes[f"/a{i}"] = Response(200, page, {"Content-Type": "text/html; charset=utf-8"})

    async def fetch_all() -> list[str | None]:
        async with httpx.AsyncClient() as client:
            articles = ArticleFetcher(client, HostLimiter(), cache_chars=400_000)
            texts = [await articles.text(f"{feed_server.url}/a{i}", allow_private=True) for i in range(3)]
            texts.append(await articles.text(f"{feed_server.url}/a2", allow_private=True))  # still cached
            texts.append(await articles.text(f"{feed_server.url}/a0", allow_private=True))  # evicted by size
            return texts

    texts = asyncio.run(fetch_all())
    assert all(t and MAX_TEXT_CHARS - 100 < len(t) <= MAX_TEXT_CHARS for t in texts)  # cut, at a grapheme
    assert [r.path for r in feed_server.requests] == ["/a0", "/a1", "/a2", "/a0"]


# 4. Nothing leaks.


def test_links_out_of_a_folder_are_not_followed(tmp_path: Path, receiver: WebhookReceiver) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("اغتيال في جاسم\nSECRET-CONTENT-4242", encoding="utf-8")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "y.txt").symlink_to(secret)
    (inbox / "real.txt").write_text("انفجار في طفس\nانفجار عبوة ناسفة", encoding="utf-8")
    (inbox / "alias.txt").symlink_to(inbox / "real.txt")  # a link inside the folder is fine
    write_config(tmp_path, "  folders: [{name: inbox, path: ./inbox, settle: 0s}]", receiver.url)
    result = once(tmp_path)
    assert "file skipped source=inbox file=y.txt reason='a link to a file outside the folder" in result.stderr
    assert "file read source=inbox file=alias.txt" in result.stderr
    assert alert_titles(receiver) == ["انفجار في طفس"]
    db = sqlite3.connect(tmp_path / "state" / DATABASE_NAME)
    stored = [zlib.decompress(t).decode() for (t,) in db.execute("SELECT text FROM archive")]
    stored += [str(row) for row in db.execute("SELECT * FROM reports")]
    assert stored and not any("SECRET-CONTENT" in s for s in stored)
    assert all("SECRET-CONTENT" not in p.body.decode() for p in receiver.posts())

    followed = tmp_path / "followed"
    followed.mkdir()
    write_config(followed, f'  folders: [{{name: inbox, path: "{inbox}", settle: 0s, follow_links: true}}]', receiver.url)
    once(followed)  # unless the config says so
    (leaked,) = [p.json() for p in receiver.posts() if p.json()["report"]["title"] == "اغتيال في جاسم"]
    assert "SECRET-CONTENT-4242" in leaked["snippet"]


def test_secrets_stay_with_their_origin_redirects_are_checked_and_logs_redacted(
    tmp_path: Path, feed_server: FeedServer, receiver: WebhookReceiver
) -> None:
    elsewhere = FeedServer()
    try:
        elsewhere.routes["/feed"] = Response(200, rss(GOOD_ITEMS[:1]))
        feed_server.routes["/f"] = Response(302, headers={"Location": f"{elsewhere.url}/feed"})
        port = elsewhere.url.rsplit(":", 1)[1]
        feed_server.routes["/named"] = Response(302, headers={"Location": f"http://localhost:{port}/feed?token=hush"})
        feed_server.routes["/old"] = Response(301, headers={"Location": "/new?token=t0ken"})
        feed_server.routes["/new"] = Response(200, rss(GOOD_ITEMS[1:]))
        feed_server.routes["/gone"] = Response(410)
        write_config(
            tmp_path,
            f'  feeds:\n    - {{name: f, url: "{feed_server.url}/f", headers: {{Authorization: "Bearer s3cr3t"}}}}\n'
            f'    - {{name: named, url: "{feed_server.url}/named?api_key=k3y"}}\n'
            f'    - {{name: moved, url: "{feed_server.url}/old"}}\n'
            f'    - {{name: gone, url: "{feed_server.url}/gone?api_key=k3y"}}',
            receiver.url,
        )
        result = once(tmp_path)
        # feed URLs in log lines are redacted
        moved_line = f"feed moved permanently source=moved from={feed_server.url}/old to={feed_server.url}/new?token=***"
        assert moved_line in result.stderr
        assert f"HTTP 410 Gone at {feed_server.url}/gone?api_key=***" in result.stderr
        assert "t0ken" not in result.stderr
        (first,) = [r for r in feed_server.requests if r.path == "/f"]
        assert first.headers["authorization"] == "Bearer s3cr3t"
        (moved,) = elsewhere.requests  # another port is another origin
        assert "authorization" not in moved.headers
        assert alert_titles(receiver) == sorted(item["title"] for item in GOOD_ITEMS)
        # a redirect to another host name must reach a public address, unless allow_private
        assert "localhost resolves to a non-public address (127.0.0.1)" in result.stderr
        assert "hush" not in result.stderr and "k3y" not in result.stderr
        assert len(elsewhere.requests) == 1
    finally:
        elsewhere.close()


# 5. A file made readable again is read.


def drop_permission_override() -> None:
    """In the child: give up root's power to read any file, so that file modes apply to it."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        libc.prctl(24, capability, 0, 0, 0)  # PR_CAPBSET_DROP: gone from the capabilities at exec


def test_a_file_made_readable_is_read_at_the_next_scan(tmp_path: Path, receiver: WebhookReceiver) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    locked = inbox / "locked.txt"
    locked.write_text("انفجار في طفس\nانفجار عبوة ناسفة قرب طفس", encoding="utf-8")
    locked.chmod(0)
    write_config(tmp_path, "  folders: [{name: inbox, path: ./inbox, settle: 0s}]", receiver.url)

    def run() -> str:
        result = subprocess.run(
            [sys.executable, "-m", "rasid", "once", "-c", "config.yaml"], cwd=tmp_path, env=clean_env(),
            capture_output=True, text=True, timeout=60,
            preexec_fn=drop_permission_override if os.geteuid() == 0 else None,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return result.stderr

    mtime = locked.stat().st_mtime_ns
    assert "file unreadable, tried again at every scan source=inbox file=locked.txt" in run()
    assert alert_titles(receiver) == []
    locked.chmod(0o644)
    assert locked.stat().st_mtime_ns == mtime
    run()
    assert alert_titles(receiver) == ["انفجار في طفس"]
    assert sources_json(tmp_path)["inbox"]["item_errors"] == 0
