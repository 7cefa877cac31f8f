"""From a file written into a watched folder to the webhook request: p50 and p95 over 200 files.

    python bench/bench_latency.py [--files 200] [--rename]

Runs the real `rasid run` in a subprocess (inotify watching, the default 500 ms settle time) against a
webhook receiver on 127.0.0.1, writing one report every 100 ms: in place, or (`--rename`) into a
staging folder and then renamed into the watched one, timed from the rename.
"""

from __future__ import annotations

import argparse
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import quantiles

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support import WebhookReceiver, clean_env  # noqa: E402
from wordfreq import top_n_list  # noqa: E402

REPORT = "اغتيال قيادي سابق في مدينة جاسم رقم {n}\nقال ناشطون في ريف درعا {words}.\n"
"""Each report different enough (random words) not to be a near-duplicate of the others."""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--settle", default="500ms")
    parser.add_argument("--rename", action="store_true", help="write to a staging folder, then rename into place")
    args = parser.parse_args()
    receiver = WebhookReceiver()
    rnd = random.Random(1)
    vocabulary = top_n_list("ar", 20_000)[1000:]
    arrived: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "inbox").mkdir()
        (folder / "staging").mkdir()
        (folder / "config.yaml").write_text(
            f"sources: {{folders: [{{name: inbox, path: ./inbox, interval: 1h, settle: {args.settle}}}]}}\n"
            "watchlists: [{name: south, places: [جاسم, درعا], keywords: [اغتيال]}]\n"
            f'notifiers: [{{name: ops, type: webhook, url: "{receiver.url}"}}]\n'
            "delivery: {interval: 1s}\n",
            encoding="utf-8",
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "rasid", "run", "-c", "config.yaml"],
            cwd=folder, env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(2)
        written: dict[str, float] = {}
        for n in range(args.files):
            words = " ".join(rnd.choices(vocabulary, k=60))
            target = folder / ("staging" if args.rename else "inbox") / f"{n:04d}.txt"
            if not args.rename:
                written[f"رقم {n}"] = time.monotonic()
            target.write_text(REPORT.format(n=n, words=words), encoding="utf-8")
            if args.rename:
                written[f"رقم {n}"] = time.monotonic()
                target.replace(folder / "inbox" / target.name)
            time.sleep(0.1)
        deadline = time.monotonic() + 30
        while len(receiver.posts()) < args.files and time.monotonic() < deadline:
            time.sleep(0.05)
        for post in receiver.posts():  # each timed by the receiver as it arrived
            key = post.json()["report"]["title"].rsplit(" ", 2)
            arrived[" ".join(key[-2:])] = post.received
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
    receiver.close()
    latencies = sorted(arrived[k] - written[k] for k in arrived if k in written)
    cuts = quantiles(latencies, n=100)
    print(f"files: {args.files}{' renamed into place' if args.rename else ''}, alerts received: {len(latencies)}, settle {args.settle}")
    print(f"latency p50 {cuts[49]:.3f} s, p95 {cuts[94]:.3f} s, max {latencies[-1]:.3f} s")


if __name__ == "__main__":
    main()
