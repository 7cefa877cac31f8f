"""Ingestion by `rasid run` with and without people keeping the console's live view open.

    python bench/bench_live_view.py [--reports 3000] [--viewers 20] [--runs 3]

Writes `--reports` distinct reports (as bench_ingest.py makes them) into a watched folder of a
running daemon and times, from /metrics, how long it takes to record them all. Then the same
with `--viewers` open alert pages each asking what the live view asks (`/api/alerts?limit=1`
and `/healthz`) every second: ten times as often as the page does, so 20 viewers stand for
200 people. Prints reports per second with and without, the median of `--runs` each.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from bench_ingest import distinct  # noqa: E402
from support import clean_env, free_port  # noqa: E402

SEEN = re.compile(r'^rasid_reports_seen_total\{source="inbox"\} ([0-9.e+]+)$', re.M)


def recorded(base: str) -> int:
    with urllib.request.urlopen(f"{base}/metrics", timeout=10) as answer:
        found = SEEN.search(answer.read().decode())
    return int(float(found.group(1))) if found else 0


def viewer(base: str, stop: threading.Event, asked: list[int]) -> None:
    while not stop.is_set():
        for path in ("/api/alerts?limit=1", "/healthz"):
            with urllib.request.urlopen(base + path, timeout=10) as answer:
                answer.read()
            asked[0] += 1
        stop.wait(1.0)


def one_run(reports: int, viewers: int, rnd: random.Random) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        inbox = root / "inbox"
        inbox.mkdir()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        (root / "config.yaml").write_text(
            f'http: {{listen: "127.0.0.1:{port}"}}\n'
            "sources: {folders: [{name: inbox, path: ./inbox, interval: 1s, settle: 0s}]}\n"
            "watchlists:\n  - {name: news, keywords: [الحكومة, الرئيس, قصف]}\n"
            "notifiers: [{name: log, type: console}]\n",
            encoding="utf-8",
        )
        proc = subprocess.Popen([sys.executable, "-m", "rasid", "run", "-c", "config.yaml"], cwd=root, env=clean_env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        stop, asked = threading.Event(), [0]
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    recorded(base)
                    break
                except OSError:
                    assert time.monotonic() < deadline, "the daemon did not start"
                    time.sleep(0.2)
            threads = [threading.Thread(target=viewer, args=(base, stop, asked), daemon=True) for _ in range(viewers)]
            for t in threads:
                t.start()
            staging = root / "staging"
            staging.mkdir()
            for i in range(reports):
                (staging / f"r{i}.txt").write_text(distinct(rnd, i), encoding="utf-8")
            started = time.perf_counter()
            for path in staging.iterdir():
                path.rename(inbox / path.name)
            while recorded(base) < reports:
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
        finally:
            stop.set()
            proc.terminate()
            proc.wait(timeout=30)
    return reports / elapsed, asked[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=3000)
    parser.add_argument("--viewers", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rnd = random.Random(5)
    alone, watched, requests = [], [], 0
    for _ in range(args.runs):  # alternated, so that a slower moment of the machine falls on both
        alone.append(one_run(args.reports, 0, rnd)[0])
        rate, asked = one_run(args.reports, args.viewers, rnd)
        watched.append(rate)
        requests += asked
    print(
        f"{args.reports:,} reports through rasid run: {statistics.median(alone):.0f} a second alone,"
        f" {statistics.median(watched):.0f} a second with {args.viewers} live views asking every second"
        f" ({requests / args.runs:.0f} requests a run), median of {args.runs}"
    )


if __name__ == "__main__":
    main()
