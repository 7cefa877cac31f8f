"""Several instances on one PostgreSQL database: polls and new reports per second for 1, 2 and 3.

    python bench/bench_multi.py [--feeds 1200] [--seconds 30] [--instances 1 2 3]

A feed server in its own process on 50 loopback addresses gives every feed a new item at every poll, so
each poll costs the whole path: fetch, parse, match, dedup under the ingest lock, and the
PostgreSQL writes. N `rasid run` processes share the feeds by lease. The PostgreSQL server is
$RASID_BENCH_POSTGRES_URL (a role that may create databases) or a private cluster started here.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

import psycopg
from loopback import HOSTS, FeedHandler, serve_forever

ROOT = Path(__file__).resolve().parent.parent
WARM_UP = 10.0
INTERVAL = 2


def serve(port: "multiprocessing.sharedctypes.Synchronized[int]", polls: "multiprocessing.sharedctypes.Synchronized[int]") -> None:
    from wordfreq import top_n_list

    words = [w for w in top_n_list("ar", 20_000)[2_000:] if len(w) > 2]
    rnd = random.Random(1)

    class Handler(FeedHandler):
        def do_GET(self) -> None:  # noqa: N802
            with polls.get_lock():
                polls.value += 1
                n = polls.value
            feed = self.path.rsplit("/", 1)[1]
            text = " ".join(rnd.choices(words, k=150))
            item = f"<item><title>خبر {n} من درعا</title><guid>{feed}-{n}</guid><description>درعا - {text}</description></item>"
            body = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{feed}</title>{item}</channel></rss>'
            self.reply(200, body.encode(), {"Content-Type": "application/rss+xml; charset=utf-8"})

    serve_forever(Handler, port)


def config(folder: Path, feeds: int, feed_port: int) -> Path:
    folder.mkdir(parents=True)
    lines = "\n".join(
        f'    - {{name: f{i}, url: "http://{HOSTS[i % len(HOSTS)]}:{feed_port}/feed/{i}", interval: {INTERVAL}s}}'
        for i in range(feeds)
    )
    path = folder / "config.yaml"
    path.write_text(
        f'state_dir: ./state\nlog_level: warning\nstorage: {{url: "${{RASID_DATABASE_URL}}", lease_ttl: 20s}}\n'
        f"archive: false\nsources:\n  feeds:\n{lines}\nwatchlists:\n  - name: south\n    places: [درعا]\n",
        encoding="utf-8",
    )
    return path


def count(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def run(server_url: str, instances: int, feeds: int, seconds: float, polls: "multiprocessing.sharedctypes.Synchronized[int]", port: int) -> None:
    name = "bench_" + uuid.uuid4().hex[:8]
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    url = server_url.rsplit("/", 1)[0] + "/" + name
    env = {**os.environ, "RASID_DATABASE_URL": url}
    with tempfile.TemporaryDirectory() as tmp:
        nodes = [
            subprocess.Popen(
                [sys.executable, "-m", "rasid", "run", "--config", str(config(Path(tmp) / f"n{i}", feeds, port))],
                cwd=Path(tmp) / f"n{i}", env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            for i in range(instances)
        ]  # fmt: skip
        try:
            time.sleep(WARM_UP)
            polls_before, reports_before, cpu_before = polls.value, count(url, "reports"), _cpu(n.pid for n in nodes)
            pg_before, commits_before = _cpu(_postgres_pids()), _commits(url)
            started = time.monotonic()
            time.sleep(seconds)
            elapsed = time.monotonic() - started
            polls_done, reports_done = polls.value - polls_before, count(url, "reports") - reports_before
            cpu = _cpu(n.pid for n in nodes) - cpu_before
            pg_cpu, commits = _cpu(_postgres_pids()) - pg_before, _commits(url) - commits_before
        finally:
            for node in nodes:
                node.send_signal(signal.SIGTERM)
            for node in nodes:
                node.wait(60)
    print(
        f"{instances} instance{'s' if instances > 1 else ' '}: {polls_done / elapsed:7.1f} polls/s, "
        f"{reports_done / elapsed:7.1f} new reports/s, rasid CPU {cpu / elapsed:4.2f} cores "
        f"({cpu / max(1, reports_done) * 1000:.1f} ms per report); PostgreSQL CPU {pg_cpu / elapsed:4.2f} cores"
        f" ({pg_cpu / max(1, reports_done) * 1000:.2f} ms, {commits / max(1, reports_done):.1f} transactions per report)",
        flush=True,
    )


def critical_section(server_url: str, feed_port: int, reports: int = 1000) -> None:
    """A report's dedup decision and its transaction, under its story's advisory locks: one
    instance's ingest rate, since an instance ingests one report at a time."""
    import asyncio

    from wordfreq import top_n_list

    from rasid.config import load_config
    from rasid.daemon import Daemon
    from rasid.models import Report
    from rasid.store import open_store

    words = [w for w in top_n_list("ar", 20_000)[2_000:] if len(w) > 2]
    rnd = random.Random(2)
    name = "bench_" + uuid.uuid4().hex[:8]
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    url = server_url.rsplit("/", 1)[0] + "/" + name
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["RASID_DATABASE_URL"] = url
        cfg = load_config(config(Path(tmp) / "n", 1, feed_port))
        daemon = Daemon(cfg, open_store(Path(tmp), url))
        spent = 0.0
        for i in range(reports):
            report = Report("f0", f"خبر {i} من درعا", "درعا - " + " ".join(rnd.choices(words, k=150)), guid=str(i))
            examined = daemon.ingestor.examine([report])
            started = time.perf_counter()
            daemon.ingestor.record(examined, None)
            spent += time.perf_counter() - started
        asyncio.run(daemon.close())
    per = spent / reports
    print(
        f"ingest under the story locks: {per * 1000:.2f} ms per new report -> at most {1 / per:,.0f} new reports/s"
        " per instance; instances ingest unrelated stories side by side",
        flush=True,
    )


def _postgres_pids() -> list[int]:
    """Every PostgreSQL server process on this machine (the private cluster's, when there is one)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if stat.read_text().split(" (", 1)[1].startswith("postgres)"):
                pids.append(int(stat.parent.name))
        except (OSError, IndexError):
            pass
    return pids


def _commits(url: str) -> int:
    with psycopg.connect(url) as conn:
        return int(conn.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()").fetchone()[0])


def _cpu(pids: Iterable[int]) -> float:
    """User and system CPU seconds of these processes so far."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError):
            pass
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=int, default=1200)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--instances", type=int, nargs="*", default=[1, 2, 3])
    args = parser.parse_args()
    port, polls = multiprocessing.Value("i", 0), multiprocessing.Value("i", 0)
    feed_server = multiprocessing.Process(target=serve, args=(port, polls), daemon=True)
    feed_server.start()
    while not port.value:
        time.sleep(0.05)
    cluster = None
    server_url = os.environ.get("RASID_BENCH_POSTGRES_URL")
    if not server_url:
        sys.path.insert(0, str(ROOT / "tests"))
        from postgres import Cluster

        cluster = Cluster()
        server_url = cluster.url
    demand = args.feeds / INTERVAL
    print(
        f"{args.feeds} feeds on {len(HOSTS)} hosts, every {INTERVAL} s ({demand:.0f} polls/s asked for), a new item at"
        f" every poll; {os.cpu_count()} cores shared by rasid, PostgreSQL and the feed server; {args.seconds:.0f} s per run"
    )
    try:
        for n in args.instances:
            run(server_url, n, args.feeds, args.seconds, polls, port.value)
        critical_section(server_url, port.value)
    finally:
        if cluster is not None:
            cluster.stop()
        feed_server.terminate()


if __name__ == "__main__":
    main()
