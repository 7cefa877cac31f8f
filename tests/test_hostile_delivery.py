"""Delivery against hostile receivers and a full disk: every attempt bounded in time and memory,
no notifier held up by another, no receiver able to freeze a notifier, nothing sent over and over."""

from __future__ import annotations

import gzip
import json
import math
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import brotli
from dedup_variants import stories
from support import (
    MEMORY_LIMIT,
    Response,
    TricklingReceiver,
    WebhookReceiver,
    clean_env,
    free_port,
    healthz,
    limit_memory,
    rasid,
    wait_until,
)

from rasid.delivery import retry_delay
from rasid.delivery.outbox import RETRY_AFTER_CAP
from rasid.delivery.senders import _retry_after_in_body, parse_retry_after
from rasid.store import DATABASE_NAME

TEXTS = [d.text for d in stories() if d.story != "seed"]




def write_config(folder: Path, notifiers: list[str], delivery: str = "{interval: 200ms, retry: [200ms]}", port: int | None = None) -> None:
    """A config reading ./inbox, alerting on every report, with these notifiers (YAML flow maps)."""
    (folder / "inbox").mkdir(exist_ok=True)
    lines = [
        "sources: {folders: [{name: inbox, path: ./inbox, interval: 1s, settle: 100ms}]}",
        "watchlists: [{name: all-news, keywords: [في]}]",
        "notifiers:",
        *(f"  - {n}" for n in notifiers),
        f"delivery: {delivery}",
    ]
    if port is not None:
        lines.append(f'http: {{listen: "127.0.0.1:{port}"}}')
    (folder / "config.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def drop(folder: Path, index: int) -> None:
    """A new report in the inbox, written whole at once."""
    path = folder / "inbox" / f"{index:02d}.txt"
    path.with_suffix(".tmp").write_text(TEXTS[index], encoding="utf-8")
    path.with_suffix(".tmp").rename(path)


def start(folder: Path, also: Callable[[], None] | None = None) -> subprocess.Popen[str]:
    """`rasid run` on the folder's config, its address space capped."""

    def prepare() -> None:
        limit_memory(MEMORY_LIMIT)()
        if also is not None:
            also()

    return subprocess.Popen(
        [sys.executable, "-m", "rasid", "run", "-c", "config.yaml"],
        cwd=folder, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=prepare,
    )  # fmt: skip


def stop(proc: subprocess.Popen[str]) -> tuple[str, str]:
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    return out, err






def outbox_json(folder: Path) -> list[dict[str, object]]:
    listing = rasid("outbox", "--json", "-c", "config.yaml", cwd=folder)
    assert listing.returncode == 0, listing.stderr
    return [json.loads(line) for line in listing.stdout.splitlines()]


def sql(folder: Path, statement: str, *params: object) -> list[tuple[Any, ...]]:
    """One statement on the state file, beside the daemon or as an older version left it."""
    db = sqlite3.connect(folder / "state" / DATABASE_NAME)
    try:
        with db:
            return db.execute(statement, params).fetchall()
    finally:
        db.close()


def seconds_between(earlier: object, later: object) -> float:
    return (datetime.fromisoformat(str(later)) - datetime.fromisoformat(str(earlier))).total_seconds()


def test_a_trickling_receiver_is_cut_off_and_holds_up_no_other_notifier(tmp_path: Path) -> None:
    slow = TricklingReceiver(pace=0.5)
    fast = WebhookReceiver()
    port = free_port()
    try:
        write_config(tmp_path, [
            f'{{name: slow, type: webhook, url: "{slow.url}", timeout: 2s}}',
            f'{{name: fast, type: webhook, url: "{fast.url}", timeout: 2s}}',
        ], port=port)  # fmt: skip
        proc = start(tmp_path)
        try:
            assert wait_until(lambda: healthz(port)[0] == 200, 15)
            dropped = []
            for i in range(6):
                drop(tmp_path, i)
                dropped.append(time.monotonic())
                time.sleep(0.4)
            # before: the first pass waited on the slow notifier for ever, and fast got 1 alert of 6
            assert wait_until(lambda: len(fast.posts()) >= 6, 6), len(fast.posts())
            arrived = time.monotonic()
            started = time.monotonic()
            status, _ = healthz(port)
            assert status == 200 and time.monotonic() - started < 1.0  # the loop answers meanwhile
            assert wait_until(lambda: len(slow.durations) >= 2, 8)
        finally:
            _, err = stop(proc)
        ids = [p.headers["webhook-id"] for p in fast.posts()]
        assert len(ids) == 6 and len(set(ids)) == 6
        assert arrived - dropped[-1] < 3.0
        # every attempt on the slow receiver ended by its 2 s deadline, though each header line came in time
        assert slow.durations and max(slow.durations) < 3.5, slow.durations
        assert "alert delivery failed notifier=slow" in err and "error='timeout'" in err
    finally:
        slow.close()
        fast.close()


def test_compressed_error_bodies_are_read_within_64_kb(tmp_path: Path) -> None:
    wish = b'{"retry_after": 7}'
    squeeze = brotli.Compressor(quality=5, lgwin=24)
    block = b" " * (64 << 20)
    bomb = b"".join([squeeze.process(wish), *(squeeze.process(block) for _ in range(24)), squeeze.finish()])
    assert len(bomb) < 10_000  # 1.5 GB once decoded: over the child's whole address space
    gzip_bomb = gzip.compress(wish + b" " * (64 << 20), compresslevel=9)
    br = WebhookReceiver([Response(503, bomb, {"content-encoding": "br"})])
    gz = WebhookReceiver([Response(503, gzip_bomb, {"content-encoding": "gzip"})])
    try:
        write_config(tmp_path, [
            f'{{name: br, type: webhook, url: "{br.url}"}}',
            f'{{name: gz, type: webhook, url: "{gz.url}"}}',
        ])  # fmt: skip
        drop(tmp_path, 0)
        once = rasid("once", "-c", "config.yaml", cwd=tmp_path, memory_limit=MEMORY_LIMIT, timeout=60)
        assert once.returncode == 0, once.stderr[-3000:]
        for receiver in (br, gz):
            (post,) = receiver.posts()
            assert post.headers["accept-encoding"] == "gzip, deflate, br"
        rows = {r["notifier"]: r for r in outbox_json(tmp_path)}
        for name in ("br", "gz"):
            row = rows[name]
            assert row["status"] == "pending" and row["attempts"] == 1 and row["last_error"] == "HTTP 503"
            # the retry_after at the head of the decoded body was read (the schedule alone says 200 ms)
            assert 5 <= seconds_between(row["created"], row["next_attempt"]) <= 9
    finally:
        br.close()
        gz.close()


def test_retry_after_cannot_freeze_a_notifier_past_max_age(tmp_path: Path) -> None:
    receiver = WebhookReceiver([Response(503, headers={"Retry-After": "99999999"})] * 50)
    try:
        write_config(tmp_path, [
            f'{{name: ops, type: webhook, url: "{receiver.url}", alert_after: 1s}}',
            "{name: console, type: console}",
        ], delivery="{interval: 200ms, retry: [200ms], max_age: 3s}")  # fmt: skip
        proc = start(tmp_path)
        try:
            drop(tmp_path, 0)
            assert wait_until(lambda: len(receiver.posts()) >= 1, 10)
            first = time.monotonic()
            assert wait_until(lambda: sql(tmp_path, "SELECT status FROM outbox WHERE notifier = 'ops'") == [("dead",)], 6)
            died = time.monotonic()
            time.sleep(0.5)
        finally:
            out, err = stop(proc)
        assert died - first < 6.0  # max_age 3 s, though the receiver asked for three years
        assert len(receiver.posts()) == 1  # no second attempt: the wait ran into max_age
        assert "[rasid] notifier ops failing since" in out  # alert_after 1 s, while the alert waited
        assert err.count("notifier failing notifier=ops") == 1
        assert "alert dead notifier=ops" in err and "undelivered after max_age 3s; last error: HTTP 503" in err
        listing = rasid("outbox", "-c", "config.yaml", cwd=tmp_path)
        assert listing.returncode == 0 and "  ops: pending 0, delivered 0, dead 1" in listing.stdout
    finally:
        receiver.close()


def test_huge_and_infinite_waits_are_capped_and_old_ones_listed_and_expired(tmp_path: Path) -> None:
    receiver = WebhookReceiver([Response(503, headers={"Retry-After": "9" * 400})])
    try:
        write_config(tmp_path, [f'{{name: ops, type: webhook, url: "{receiver.url}"}}'], "{retry: [200ms], max_age: 1d}")
        drop(tmp_path, 0)
        assert rasid("once", "-c", "config.yaml", cwd=tmp_path).returncode == 0
        (row,) = outbox_json(tmp_path)
        assert row["attempts"] == 1 and 3599 <= seconds_between(row["created"], row["next_attempt"]) <= 3601  # capped at 1 h

        # what older versions stored for such an answer: an infinite wait
        sql(tmp_path, "UPDATE outbox SET next_attempt = ?", math.inf)
        listing = rasid("outbox", "-c", "config.yaml", cwd=tmp_path)
        assert listing.returncode == 0, listing.stderr
        assert "ops  pending  attempts 1  next " in listing.stdout and "pending 1, delivered 0, dead 0" in listing.stdout
        (row,) = outbox_json(tmp_path)
        assert seconds_between(row["created"], row["next_attempt"]) == 86400  # acted on by max_age at the latest

        sql(tmp_path, "UPDATE outbox SET created = created - 2 * 86400")
        assert rasid("once", "-c", "config.yaml", cwd=tmp_path).returncode == 0
        assert len(receiver.posts()) == 1  # past max_age while waiting: dead, not tried again
        (row,) = outbox_json(tmp_path)
        assert row["status"] == "dead" and str(row["last_error"]).startswith("undelivered after max_age 86400s")
    finally:
        receiver.close()


def full_disk(pid: int, full: bool) -> None:
    """Every write of process `pid` past its first byte fails (EFBIG), as on a full disk; or no longer."""
    _, hard = resource.prlimit(pid, resource.RLIMIT_FSIZE)
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (1 if full else hard, hard))


def ignore_sigxfsz() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def test_a_full_disk_pauses_delivery_until_state_can_be_written(tmp_path: Path) -> None:
    receiver = WebhookReceiver([Response(200, delay=1.0)])
    port = free_port()
    try:
        write_config(tmp_path, [f'{{name: ops, type: webhook, url: "{receiver.url}"}}'], port=port)
        proc = start(tmp_path, also=ignore_sigxfsz)
        try:
            assert wait_until(lambda: healthz(port)[0] == 200, 15)
            drop(tmp_path, 0)
            assert wait_until(lambda: len(receiver.posts()) >= 1, 10)
            full_disk(proc.pid, True)  # while the receiver takes its time to answer 200
            assert wait_until(lambda: str(healthz(port)[1].get("delivery")).startswith("paused"), 5)
            status, body = healthz(port)
            assert status == 503 and str(body["delivery"]).startswith("paused: state not writable")
            drop(tmp_path, 1)
            time.sleep(3)  # before: the same alert was sent again on every pass
            assert len(receiver.posts()) == 1
            full_disk(proc.pid, False)
            assert wait_until(lambda: len({p.headers["webhook-id"] for p in receiver.posts()}) >= 2, 15)
            assert wait_until(lambda: healthz(port)[0] == 200, 5)
            time.sleep(1)
        finally:
            _, err = stop(proc)
        ids = [p.headers["webhook-id"] for p in receiver.posts()]
        assert len(ids) == 2 and len(set(ids)) == 2  # each alert once: nothing lost, nothing sent twice
        assert err.count("delivery paused: the state cannot be written") == 1
        assert "delivery resumed" in err
        listing = rasid("outbox", "-c", "config.yaml", cwd=tmp_path)
        assert "pending 0, delivered 2, dead 0" in listing.stdout, listing.stdout
    finally:
        receiver.close()


def test_absurd_waits_asked_by_receivers_parse_and_are_capped() -> None:
    assert parse_retry_after("9" * 400) == math.inf
    assert parse_retry_after("²") is None  # a digit to str.isdigit, not to HTTP
    assert _retry_after_in_body(b'{"retry_after": 1' + b"0" * 400 + b"}") == math.inf
    assert _retry_after_in_body(b'{"retry_after": NaN}') is None
    assert _retry_after_in_body(b'{"parameters": {"retry_after": -5}}') is None
    assert _retry_after_in_body(b"[" * 100_000) is None  # nested past the recursion limit
    mid = lambda: 0.5  # noqa: E731 - no jitter
    assert retry_delay(1, math.inf, mid) == RETRY_AFTER_CAP == 3600
    assert retry_delay(1, math.inf, mid, schedule=[0.2]) == 3600
    assert retry_delay(1, math.inf, mid, schedule=[5, 7200]) == 7200  # the schedule's longest step, when longer


def test_pending_deliveries_are_sent_now_when_asked_after_an_outage(tmp_path: Path) -> None:
    """The receiver was down and the alert waits out its backoff (an hour here); once it is back,
    `rasid outbox retry --pending` makes the wait end now, and the next pass delivers."""
    receiver = WebhookReceiver([Response(503)] + [Response(200)] * 5)
    try:
        write_config(tmp_path, [f'{{name: ops, type: webhook, url: "{receiver.url}"}}'], "{retry: [1h], max_age: 1d}")
        drop(tmp_path, 0)
        assert rasid("once", "-c", "config.yaml", cwd=tmp_path).returncode == 0
        (row,) = outbox_json(tmp_path)
        assert row["status"] == "pending" and row["attempts"] == 1 and row["last_error"] == "HTTP 503"
        assert rasid("once", "-c", "config.yaml", cwd=tmp_path).returncode == 0
        assert len(receiver.posts()) == 1  # still waiting out its hour
        hurried = rasid("outbox", "retry", "--pending", "-c", "config.yaml", cwd=tmp_path)
        assert hurried.returncode == 0 and hurried.stdout.startswith("1 pending delivery due now"), hurried.stderr
        assert rasid("once", "-c", "config.yaml", cwd=tmp_path).returncode == 0
        assert len(receiver.posts()) == 2 and outbox_json(tmp_path) == []
    finally:
        receiver.close()
