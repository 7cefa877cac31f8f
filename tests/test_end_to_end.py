"""The whole path, through the real command line: feed or folder in, webhook out."""

from __future__ import annotations

import json
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from standardwebhooks import Webhook
from support import (
    PUBLISHED,
    ROOT,
    SEED,
    FeedServer,
    Response,
    WebhookReceiver,
    clean_env,
    rasid,
    rss,
    seed_item,
)

SECRET = "whsec_" + "c2VjcmV0LWZvci10ZXN0cy0xMjM0NTY3ODkwYWJjZGVm"


def write_config(tmp_path: Path, feed_url: str, webhook_url: str) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"""
state_dir: ./state
sources:
  feeds:
    - {{name: test-feed, url: "{feed_url}", interval: 1m, timeout: 5s}}
watchlists:
  - name: south
    places:
      - درعا
      - {{name: جاسم, aliases: [Jasim, Jassem]}}
      - القنيطرة
    keywords:
      - اغتيال
      - {{name: داعش, aliases: [تنظيم الدولة]}}
    match: all
  - name: football
    keywords: [مباراة]
notifiers:
  - {{name: ops, type: webhook, url: "${{HOOK_URL}}", secret: "${{HOOK_SECRET}}"}}
""",
        encoding="utf-8",
    )
    return config


def test_feed_to_webhook_once_and_only_once(tmp_path: Path, feed_server: FeedServer, receiver: WebhookReceiver) -> None:
    feed_server.routes["/feed.xml"] = Response(200, rss([seed_item()]), {"Content-Type": "application/rss+xml"})
    config = write_config(tmp_path, f"{feed_server.url}/feed.xml", f"{receiver.url}/hook")
    env = {"HOOK_URL": f"{receiver.url}/hook", "HOOK_SECRET": SECRET}

    first = rasid("once", "--config", str(config), cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr

    posts = receiver.posts()
    assert len(posts) == 1
    post = posts[0]
    body = Webhook(SECRET).verify(post.body, {k: v for k, v in post.headers.items()})
    assert body["watchlist"] == "south"
    assert body["id"] == post.headers["webhook-id"]
    assert body["report"]["title"].startswith("روسيا تجتمعُ")
    assert body["report"]["url"] == "https://news.example/2020/07/jasim-meeting"
    assert body["report"]["source"] == "test-feed"
    assert body["report"]["published"] == PUBLISHED.isoformat()
    terms = {(m["kind"], m["term"]) for m in body["matches"]}
    assert {("place", "درعا"), ("place", "جاسم"), ("place", "القنيطرة"), ("keyword", "داعش"), ("keyword", "اغتيال")} <= terms
    assert SECRET not in first.stderr

    second = rasid("once", "--config", str(config), cwd=tmp_path, env=env)
    assert second.returncode == 0, second.stderr
    assert len(receiver.posts()) == 1
    feed_polls = [r for r in feed_server.requests if r.path == "/feed.xml"]
    assert len(feed_polls) == 2


def test_conditional_get_uses_etag(tmp_path: Path, feed_server: FeedServer, receiver: WebhookReceiver) -> None:
    feed_server.routes["/feed.xml"] = Response(200, rss([seed_item()]), {"ETag": '"v1"'})
    config = write_config(tmp_path, f"{feed_server.url}/feed.xml", receiver.url)
    env = {"HOOK_URL": receiver.url, "HOOK_SECRET": ""}
    assert rasid("once", "-c", str(config), cwd=tmp_path, env=env).returncode == 0
    assert rasid("once", "-c", str(config), cwd=tmp_path, env=env).returncode == 0
    polls = [r for r in feed_server.requests if r.path == "/feed.xml"]
    assert "if-none-match" not in polls[0].headers
    assert polls[1].headers["if-none-match"] == '"v1"'
    assert polls[0].headers["user-agent"].startswith("rasid/")
    assert len(receiver.posts()) == 1
    assert "webhook-signature" not in receiver.posts()[0].headers


def test_failed_delivery_is_kept_and_retried_later(tmp_path: Path, feed_server: FeedServer) -> None:
    failing = WebhookReceiver([Response(503, b"down")])
    try:
        feed_server.routes["/feed.xml"] = Response(200, rss([seed_item()]))
        config = write_config(tmp_path, f"{feed_server.url}/feed.xml", failing.url)
        env = {"HOOK_URL": failing.url, "HOOK_SECRET": ""}
        result = rasid("once", "-c", str(config), cwd=tmp_path, env=env)
        assert result.returncode == 0
        assert len(failing.posts()) == 1
        assert "alert delivery failed" in result.stderr and "HTTP 503" in result.stderr
        # Not due yet: the next run leaves it alone rather than hammering the receiver.
        rasid("once", "-c", str(config), cwd=tmp_path, env=env)
        assert len(failing.posts()) == 1
    finally:
        failing.close()


def copy_default_setup(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    return tmp_path / "config.yaml"


class Daemon:
    """A `rasid run` subprocess whose stdout is collected as it comes."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "rasid", "run", "--config", "config.yaml"],
            cwd=cwd,
            env=clean_env(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.out = ""
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def read_until(self, needle: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while needle not in self.out and time.monotonic() < deadline:
            try:
                self.out += self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
        return self.out

    def stop(self) -> tuple[int, str]:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=10)
        assert self.proc.stderr is not None
        err = self.proc.stderr.read()
        self.read_until("\0", timeout=0.3)
        return self.proc.returncode, err


def test_default_config_alerts_on_the_seed_once_across_restarts(tmp_path: Path, receiver: WebhookReceiver) -> None:
    copy_default_setup(tmp_path)
    env = {"RASID_WEBHOOK_URL": f"{receiver.url}/rasid"}

    daemon = Daemon(tmp_path, env)
    started = time.monotonic()
    shown = daemon.read_until("id: alert_", timeout=20)
    assert "[south-syria] روسيا تجتمعُ بقياداتٍ سابقةٍ في درعا" in shown
    assert time.monotonic() - started < 15
    assert "places: درعا" in shown
    posts = receiver.wait_for(1)
    code, err = daemon.stop()
    assert code == 0, err
    assert len(posts) == 1 and posts[0].json()["watchlist"] == "south-syria"

    again = Daemon(tmp_path, env)
    time.sleep(3)
    code, err = again.stop()
    assert code == 0, err
    assert "[south-syria]" not in again.out
    assert "started" in err
    assert len(receiver.posts()) == 1


def test_a_second_process_on_the_same_sqlite_state_is_refused(tmp_path: Path) -> None:
    copy_default_setup(tmp_path)
    daemon = Daemon(tmp_path, {})
    try:
        daemon.read_until("id: alert_", timeout=20)
        second = rasid("once", "-c", "config.yaml", cwd=tmp_path)
        assert second.returncode == 1
        assert f"another rasid (pid {daemon.proc.pid}) is running on" in second.stderr
        assert "storage.url" in second.stderr
    finally:
        code, _ = daemon.stop()
    assert code == 0
    assert rasid("once", "-c", "config.yaml", cwd=tmp_path).returncode == 0  # the lock went with the process


def test_default_config_without_webhook_prints_only(tmp_path: Path) -> None:
    config = copy_default_setup(tmp_path)
    result = rasid("once", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("[south-syria]") == 1
    assert "notifier=webhook" not in result.stderr


def test_match_json_shape_and_offsets(tmp_path: Path) -> None:
    result = rasid("match", "--json", "--config", str(ROOT / "config.yaml"), str(SEED), "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [x["file"] for x in lines] == [str(SEED), "-"]
    text = SEED.read_text(encoding="utf-8")
    (alert,) = lines[0]["alerts"]
    assert alert["watchlist"] == "south-syria"
    for m in alert["matches"]:
        assert set(m) >= {"kind", "term", "surface", "start", "end"}
        assert m["kind"] in ("place", "keyword")
        assert text[m["start"] : m["end"]] == m["surface"]
    assert lines[1]["alerts"] == []


def test_match_reads_stdin_and_explains(tmp_path: Path) -> None:
    import subprocess as sp

    proc = sp.run(
        [sys.executable, "-m", "rasid", "match", "--config", str(ROOT / "config.yaml"), "-"],
        input="اغتيال قيادي سابق في مدينة جاسم بريف درعا".encode(),
        capture_output=True,
        cwd=tmp_path,
        env=clean_env(),
        timeout=30,
    )
    out = proc.stdout.decode()
    assert proc.returncode == 0
    assert "south-syria: fires" in out
    assert "«بريف»" not in out
    assert "«جاسم»" in out and "«اغتيال»" in out
