"""rasid on PostgreSQL, as operators meet it: three instances sharing 60 feeds with one killed, a database restart, the command line."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psycopg
from support import (
    PUBLISHED,
    FeedServer,
    Request,
    Response,
    WebhookReceiver,
    clean_env,
    free_port,
    healthz,
    rasid,
    rss,
    wait_until,
)
from wordfreq import top_n_list

FEEDS = 60
LEASE_TTL = 4.0
WORDS = [w for w in top_n_list("ar", 20_000)[2_000:] if len(w) > 2]


def report(feed: int, number: int) -> dict[str, str]:
    """A report of its own story (random words), mentioning درعا so that it matches."""
    rnd = random.Random(feed * 1000 + number)
    body = " ".join(rnd.choices(WORDS, k=120))
    return {
        "title": f"تقرير {feed}-{number} من درعا",
        "link": f"https://news.example/{feed}/{number}",
        "guid": f"https://news.example/?p={feed}-{number}",
        "description": f"درعا - {body}",
        "pubDate": PUBLISHED.strftime("%a, %d %b %Y %H:%M:%S +0000"),
    }


def publish(server: FeedServer, reports: int) -> None:
    for feed in range(FEEDS):
        items = [report(feed, n) for n in range(reports)]
        server.routes[f"/feed/{feed}.xml"] = Response(200, rss(items), {"Content-Type": "application/rss+xml"})


def write_config(folder: Path, name: str, feed_url: str, hook_url: str) -> Path:
    folder.mkdir()
    feeds = "\n".join(
        f'    - {{name: feed-{i:02}, url: "{feed_url}/feed/{i}.xml", interval: 1s, timeout: 5s}}' for i in range(FEEDS)
    )
    config = folder / "config.yaml"
    config.write_text(
        f"""
state_dir: ./state
storage: {{url: "${{RASID_DATABASE_URL}}", lease_ttl: {LEASE_TTL:.0f}s}}
delivery: {{interval: 500ms}}
sources:
  feeds:
{feeds}
watchlists:
  - name: south
    places: [درعا]
notifiers:
  - {{name: ops, type: webhook, url: "{hook_url}"}}
""",
        encoding="utf-8",
    )
    return config


def start(config: Path, url: str) -> subprocess.Popen[str]:
    """`rasid run` with its log in `log.txt` beside the config (a pipe nobody reads would fill up)."""
    with open(config.parent / "log.txt", "a", encoding="utf-8") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "rasid", "run", "--config", str(config)],
            cwd=config.parent,
            env=clean_env({"RASID_DATABASE_URL": url}),
            stdout=subprocess.DEVNULL,
            stderr=log,
            text=True,
        )








def leases(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT owner, count(*) FROM leases WHERE owner IS NOT NULL GROUP BY owner").fetchall()
    return {owner: n for owner, n in rows}


def _title(post: Request) -> str | None:
    """The alert's report title; None for the send the SIGKILL cut off (its body incomplete),
    which the instance taking over makes again."""
    try:
        return str(post.json()["report"]["title"])
    except ValueError:
        return None


def test_three_instances_share_feeds_and_survive_a_sigkill(
    tmp_path: Path, feed_server: FeedServer, receiver: WebhookReceiver, postgres_url: str
) -> None:
    publish(feed_server, 1)
    configs = [write_config(tmp_path / f"node{i}", f"node{i}", feed_server.url, f"{receiver.url}/hook") for i in range(3)]
    assert rasid("migrate", "--config", str(configs[0]), cwd=configs[0].parent,
                 env={"RASID_DATABASE_URL": postgres_url}).returncode == 0  # fmt: skip
    nodes = [start(c, postgres_url) for c in configs]
    try:
        ids = lambda: [p.headers["webhook-id"] for p in receiver.posts()]  # noqa: E731
        assert wait_until(lambda: len(set(ids())) >= FEEDS, 90), f"{len(set(ids()))} alerts of {FEEDS}"
        assert wait_until(lambda: sorted(leases(postgres_url).values()) == [20, 20, 20], 30), leases(postgres_url)

        status = rasid("status", "--config", str(configs[0]), cwd=configs[0].parent, env={"RASID_DATABASE_URL": postgres_url})
        assert status.returncode == 0, status.stderr
        assert "3 live instances" in status.stdout and status.stdout.count("20 leases") == 3

        publish(feed_server, 2)  # a second report on every feed, and one instance dies at once
        time.sleep(0.3)
        nodes[1].send_signal(signal.SIGKILL)
        nodes[1].wait(10)
        killed = time.monotonic()
        assert wait_until(lambda: len(set(ids())) >= 2 * FEEDS, LEASE_TTL + 30), f"{len(set(ids()))} alerts of {2 * FEEDS}"
        taken_over = time.monotonic() - killed
        assert wait_until(lambda: sorted(leases(postgres_url).values()) == [30, 30], LEASE_TTL + 10), leases(postgres_url)
        time.sleep(2 * LEASE_TTL)  # anything sent twice would arrive by now
    finally:
        for node in nodes:
            if node.poll() is None:
                node.send_signal(signal.SIGTERM)
        for node in nodes:
            node.wait(30)
    sent = Counter(ids())
    # at least once: the one send in flight when its instance was killed (one drain per
    # notifier) may be made again by the instance that takes its claim, under the same id
    twice = [k for k, n in sent.items() if n > 1]
    assert len(sent) == 2 * FEEDS and len(twice) <= 1 and set(sent.values()) <= {1, 2}, twice
    titles = {title for p in receiver.posts() if (title := _title(p))}
    assert titles == {f"تقرير {f}-{n} من درعا" for f in range(FEEDS) for n in range(2)}
    assert taken_over < LEASE_TTL + 30
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 2 * FEEDS  # each considered once
        assert conn.execute("SELECT count(*) FROM instances").fetchone()[0] == 1  # the killed one never left
    for node in (nodes[0], nodes[2]):
        assert node.returncode == 0


def test_an_instance_rides_out_a_database_restart(
    tmp_path: Path, feed_server: FeedServer, receiver: WebhookReceiver
) -> None:
    from postgres import Cluster, new_database

    cluster = Cluster()  # its own server, to stop and start
    try:
        url = new_database(cluster.url)
        publish(feed_server, 1)
        config = write_config(tmp_path / "node", "node", feed_server.url, f"{receiver.url}/hook")
        port = free_port()
        config.write_text(config.read_text(encoding="utf-8") + f"http: {{listen: 127.0.0.1:{port}}}\n", encoding="utf-8")
        node = start(config, url)
        try:
            assert wait_until(lambda: len(receiver.posts()) >= FEEDS, 60), len(receiver.posts())
            status, health = healthz(port)
            assert status == 200 and len(health["leases"]) == FEEDS and health["instance"]
            cluster.stop_server()
            time.sleep(3)
            assert node.poll() is None  # still running, failing its jobs and logging why
            status, health = healthz(port)
            assert status == 503 and health["database"] == "not writable"
            cluster.start_server()
            publish(feed_server, 2)
            assert wait_until(lambda: len(receiver.posts()) >= 2 * FEEDS, LEASE_TTL + 30), len(receiver.posts())
        finally:
            node.send_signal(signal.SIGTERM)
            node.wait(30)
        assert node.returncode == 0
        log = (config.parent / "log.txt").read_text(encoding="utf-8")
        assert "ERROR rasid.daemon: job failed job=" in log and "Traceback" not in log
        assert len({p.headers["webhook-id"] for p in receiver.posts()}) == len(receiver.posts()) == 2 * FEEDS
    finally:
        cluster.stop()


def test_the_database_password_stays_out_of_output(tmp_path: Path, postgres_url: str) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        'storage: {url: "${RASID_DATABASE_URL}"}\nwatchlists: [{name: south, places: [درعا]}]\n', encoding="utf-8"
    )
    with_password = postgres_url.replace("rasid@", "rasid:hunter2@")  # trust authentication ignores it
    env = {"RASID_DATABASE_URL": with_password}
    check = rasid("check", "-c", str(config), cwd=tmp_path, env=env)
    assert check.returncode == 0, check.stderr
    assert "rasid:***@127.0.0.1" in check.stdout and "hunter2" not in check.stdout
    migrate = rasid("migrate", "-c", str(config), cwd=tmp_path, env=env)
    assert migrate.returncode == 0 and "schema migrated from version none to" in migrate.stdout
    assert "hunter2" not in migrate.stdout + migrate.stderr
    again = rasid("migrate", "-c", str(config), cwd=tmp_path, env=env)
    assert "nothing to do" in again.stdout
    unreachable = rasid("once", "-c", str(config), cwd=tmp_path,
                        env={"RASID_DATABASE_URL": "postgresql://rasid:hunter2@127.0.0.1:1/nowhere"})  # fmt: skip
    assert unreachable.returncode == 1
    assert "127.0.0.1:1" in unreachable.stderr and "hunter2" not in unreachable.stderr
    assert "Traceback" not in unreachable.stderr
