"""Polling at scale: N feeds on one local server, the real scheduler, a fixed time.

    python bench/bench_polling.py [--feeds 1000 10000] [--interval 30 60] [--seconds 45 90] [--look-alike]

The server runs in its own process on 127.0.0.1: half the feeds answer 304 to a conditional
request, the other half have a new item at every poll. With `--look-alike`, nine feeds in ten
answer 304 and the tenth gains one item per poll in a feed of ten, every item written from a
few templates (the same background paragraphs, new figures), as exchange-rate, weather and
prayer-time reports are. The daemon runs in this process with its real scheduler, fetcher,
parser, matcher, dedup and SQLite store; its CPU time and peak RSS are measured, and CPU per
1,000 polls gives the cost of any interval; the polls made are set against those the
schedule calls for.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import tempfile
import time
from pathlib import Path

from loopback import HOSTS, FeedHandler, serve_forever

from rasid.config import load_config
from rasid.daemon import Daemon
from rasid.store import open_store

TARGET_FEEDS, TARGET_INTERVAL = 10_000, 300.0


BACKGROUND = (
    "تشهد الأسواق في العاصمة دمشق تقلبات مستمرة في أسعار صرف العملات الأجنبية مقابل الليرة منذ سنوات وسط تراجع القدرة"
    " الشرائية للمواطنين وارتفاع أسعار المواد الأساسية في الأسواق المحلية ويعتمد كثير من التجار على سعر السوق الموازية"
    " في تسعير بضائعهم في حين يحدد المصرف المركزي نشرة رسمية بأسعار تختلف عن الأسعار المتداولة بين الصرافين ويرى"
    " اقتصاديون أن استقرار سعر الصرف يرتبط بحجم الحوالات الخارجية وحركة التجارة مع دول الجوار والسياسات النقدية"
)
TEMPLATES = ("أسعار صرف الدولار في {city} اليوم", "حالة الطقس في {city} اليوم", "مواقيت الصلاة في {city} اليوم",
             "أسعار الذهب في {city} اليوم")  # fmt: skip
CITIES = ("دمشق", "حلب", "حمص", "اللاذقية", "درعا")


def templated_item(feed: int, n: int) -> str:
    title = TEMPLATES[feed % len(TEMPLATES)].format(city=CITIES[feed % len(CITIES)]) + f" {n}"
    text = f"{title}. سجل السعر {13_000 + (n * 37) % 2_000} للشراء و{13_050 + (n * 37) % 2_000} للمبيع. {BACKGROUND}"
    return f"<item><title>{title}</title><guid>{feed}-{n}</guid><description>{text}</description></item>"


def serve(
    port_value: "multiprocessing.sharedctypes.Synchronized[int]", polls: "multiprocessing.sharedctypes.Synchronized[int]",
    look_alike: bool,
) -> None:  # fmt: skip
    counter = {"n": 0}

    class Handler(FeedHandler):
        def do_GET(self) -> None:  # noqa: N802
            with polls.get_lock():
                polls.value += 1
            feed = int(self.path.rsplit("/", 1)[1])
            quiet = feed % 10 != 0 if look_alike else feed % 2 == 0
            if quiet and self.headers.get("If-None-Match") == '"same"':
                self.reply(304, headers={"ETag": '"same"'})
                return
            counter["n"] += 1
            n = counter["n"]
            if look_alike:
                items = "".join(templated_item(feed, n - k) for k in range(10))
            else:
                items = f"<item><title>خبر رقم {n} من المصدر {feed}</title><guid>{feed}-{n}</guid><description>نص الخبر {n} كلمات متفرقة عن الطقس والرياضة والاقتصاد {feed}</description></item>"
            body = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>f{feed}</title>{items}</channel></rss>'.encode()
            headers = {"Content-Type": "application/rss+xml; charset=utf-8"}
            if quiet:
                headers["ETag"] = '"same"'
            self.reply(200, body, headers)

    serve_forever(Handler, port_value)


def run(feeds: int, interval: float, seconds: float, look_alike: bool) -> None:
    port = multiprocessing.Value("i", 0)
    polls = multiprocessing.Value("i", 0)
    server = multiprocessing.Process(target=serve, args=(port, polls, look_alike), daemon=True)
    server.start()
    while not port.value:
        time.sleep(0.05)
    with tempfile.TemporaryDirectory() as tmp:
        config_path = Path(tmp) / "config.yaml"
        lines = [
            f'    - {{name: f{i}, url: "http://{HOSTS[i % len(HOSTS)]}:{port.value}/feed/{i}", interval: {interval}s}}'
            for i in range(feeds)
        ]
        config_path.write_text(
            "log_level: warning\nsources:\n  feeds:\n" + "\n".join(lines) + "\n"
            "watchlists: [{name: quiet, places: [أتلانتس]}]\n",
            encoding="utf-8",
        )
        config = load_config(config_path, {})

        round_done: list[tuple[float, int]] = []

        def first_round_done() -> None:
            usage = resource.getrusage(resource.RUSAGE_SELF)
            round_done.append((usage.ru_utime + usage.ru_stime, polls.value))

        async def main() -> None:
            stop = asyncio.Event()
            daemon = Daemon(config, open_store(config.state_dir))
            asyncio.get_running_loop().call_later(interval, first_round_done)  # every feed polled once by then
            asyncio.get_running_loop().call_later(seconds, stop.set)
            await daemon.run(stop)
            await daemon.close()

        before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.monotonic()
        asyncio.run(main())
        elapsed = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_SELF)
    server.terminate()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    count = polls.value
    per_thousand = cpu / count * 1000 if count else float("nan")
    target_share = TARGET_FEEDS / TARGET_INTERVAL * per_thousand / 1000
    scheduled = feeds * max(1, round(elapsed / interval))  # every feed at the start, then each interval
    print(
        f"{feeds:>6,} feeds every {interval:g}s{' (look-alike items)' if look_alike else ''} for {elapsed:.0f}s:"
        f" {count:,} polls of {scheduled:,} scheduled ({count / scheduled:.0%}), {count / elapsed:.1f} polls/s,"
        f" {per_thousand:.2f} CPU s per 1,000 polls, peak RSS {after.ru_maxrss / 1024:.0f} MB"
        f" -> 10,000 feeds every 5 min would use {target_share:.0%} of one core",
        flush=True,
    )
    if round_done and count > round_done[0][1]:
        later = (after.ru_utime + after.ru_stime - round_done[0][0]) / (count - round_done[0][1]) * 1000
        print(
            f"        after each feed's first poll (which takes in all its items): {later:.2f} CPU s per 1,000 polls"
            f" -> {TARGET_FEEDS / TARGET_INTERVAL * later / 1000:.0%} of one core at 10,000 feeds every 5 min",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--interval", type=float, nargs="+", default=[30.0, 60.0])
    parser.add_argument("--seconds", type=float, nargs="+", default=[45.0, 90.0])
    parser.add_argument("--look-alike", action="store_true", help="templated items; nine feeds in ten unchanged")
    args = parser.parse_args()
    for feeds, interval, seconds in zip(args.feeds, args.interval, args.seconds):
        run(feeds, interval, seconds, args.look_alike)


if __name__ == "__main__":
    main()
