"""The console and its machine interfaces with 1,000,000 alerts stored.

    python bench/bench_console.py [--alerts 1000000] [--runs 20] [--keep DIR]

Fills a SQLite state with alerts spread over a year (10 watch-lists, 200 sources, places drawn
from the gazetteer's localities in Syria, Iraq and Yemen with a long tail, 40 keywords, two
notifiers per alert with a few dead and pending), through the store's own indexing of each
alert's document. Then times requests through the console's ASGI app in this process (server
time: routing, queries, rendering, no network): the alert list's first page unfiltered and
with each filter, a later page by cursor, the JSON API, the map and its GeoJSON for the last 7
days. Prints the median and the slowest of `--runs` per request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

from rasid.config import load_config
from rasid.match.gazetteer import Gazetteer
from rasid.store import open_store
from rasid.store.sql import _index_documents
from rasid.web.app import build_app

DAY = 86400.0
KEYWORDS = ["قصف", "غارة", "اشتباك", "انفجار", "اغتيال", "اعتقال", "نزوح", "سيول", "حريق", "مظاهرة"] + [
    f"كلمة{i}" for i in range(30)
]


def weighted(items: list[object], rng: random.Random) -> object:
    """A long tail: the k-th item about 1/k as likely as the first."""
    return items[min(len(items) - 1, int(len(items) ** rng.random()) - 1)]


def documents(
    start: int, size: int, total: int, now: float, rng: random.Random
) -> list[tuple[str, float, str, str, dict[str, object]]]:
    """`(id, created, watch-list, source, document)` of the `start`-th to `start + size`-th
    newest of `total` alerts spread over a year."""
    places = [p for p in Gazetteer.bundled().places if p.country in ("SY", "IQ", "YE") and p.lat is not None]
    places.sort(key=lambda p: -p.population)
    out = []
    for i in range(start, start + size):
        created = now - 365 * DAY * (i / total)
        chosen = {id(p): p for p in (weighted(places, rng) for _ in range(rng.choice((1, 1, 2, 3))))}.values()  # type: ignore[misc]
        matches = [
            {"kind": "place", "term": p.name, "surface": p.name, "place": {"id": p.id, "name": p.name, "kind": p.kind,
             "country": p.country, "admin1": p.admin1, "lat": p.lat, "lon": p.lon}}
            for p in chosen
        ] + [{"kind": "keyword", "term": str(weighted(KEYWORDS, rng)), "surface": "x"}]  # type: ignore[list-item]  # fmt: skip
        watchlist, source = f"list-{rng.randrange(10)}", f"source-{int(weighted(list(range(200)), rng))}"  # type: ignore[arg-type]
        alert_id = f"alert_{i:012d}"
        doc = {"type": "alert", "id": alert_id, "watchlist": watchlist, "created_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(created)),
               "story": {"id": f"story_{i // 3}", "sources": 1 + i % 4}, "matches": matches, "snippet": "نص الخبر " * 20,
               "report": {"title": f"عنوان الخبر {i}", "url": f"https://news.example/{i}", "source": source}}  # fmt: skip
        out.append((alert_id, created, watchlist, source, doc))
    return out


def fill(state: Path, count: int, now: float) -> None:
    store = open_store(state)
    rng = random.Random(7)
    for start in range(0, count, 50_000):
        batch = documents(start, min(50_000, count - start), count, now, rng)
        with store.db.transaction() as db:
            db.executemany(
                "INSERT INTO alerts (id, report_id, watchlist, created, source, document) VALUES (?, ?, ?, ?, ?, ?)",
                [(a, start + i, w, c, s, json.dumps(d, ensure_ascii=False)) for i, (a, c, w, s, d) in enumerate(batch)],
            )
            _index_documents(db, [(a, d) for a, _, _, _, d in batch])
            outbox = []
            for a, c, _, _, d in batch:
                for notifier in ("chat", "mail"):
                    roll = rng.random()
                    status = "dead" if roll < 0.005 else "pending" if roll < 0.006 and c > now - DAY else "delivered"
                    outbox.append((a, notifier, "{}", status, 1, c, c))
            db.executemany(
                "INSERT INTO outbox (alert_id, notifier, document, status, attempts, created, next_attempt) VALUES (?, ?, ?, ?, ?, ?, ?)",
                outbox,
            )
        print(f"  {start + len(batch):,} alerts stored", flush=True)
    with store.db.transaction() as db:
        db.execute("ANALYZE")
    store.close()


async def timed(client: httpx.AsyncClient, url: str, runs: int) -> tuple[float, float, int]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        answer = await client.get(url)
        times.append(time.perf_counter() - started)
        assert answer.status_code == 200, (url, answer.status_code, answer.text[:300])
    return statistics.median(times), max(times), len(answer.content)


async def measure(state: Path, runs: int) -> None:
    store = open_store(state)
    app = build_app(store, health, metrics, alerts_shown=True, watchlists=lambda: [f"list-{i}" for i in range(10)],
                    config=lambda: CONFIG)  # fmt: skip
    first = store.alert_documents(30)
    cursor = f"{first[-1][0]!r}~{first[-1][1]}"
    urls = {
        "alert list, first page": "/",
        "by watch-list": "/?watchlist=list-3",
        "by source (a small one)": "/?source=source-150",
        "by place (a town)": "/?place=" + quote(TOWN),
        "by governorate (every place in it)": "/?place=" + quote("الحديدة"),
        "by country": "/?place=" + quote("اليمن"),
        "by keyword": "/?keyword=" + quote("اغتيال"),
        "by rare keyword and governorate": "/?keyword=" + quote("كلمة29") + "&place=" + quote("تعز"),
        "dead deliveries": "/?state=dead",
        "last 24 hours, a watch-list": "/?since=24h&watchlist=list-5",
        "second page (cursor)": "/?before=" + quote(cursor),
        "JSON API, 50 alerts": "/api/alerts",
        "GeoJSON, 7 days": "/api/places.geojson",
        "GeoJSON, 7 days, a keyword": "/api/places.geojson?keyword=" + quote("قصف"),
        "map page, 7 days": "/map",
    }
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        await client.get("/map")  # the gazetteer, loaded once
        for name, url in urls.items():
            median, worst, size = await timed(client, url, runs)
            print(f"  {name:40} {median * 1000:7.1f} ms median, {worst * 1000:7.1f} ms slowest ({size / 1024:.0f} KiB)")
    store.close()


async def health() -> tuple[bool, dict[str, object]]:
    return True, {}


async def metrics() -> bytes:
    return b""


CONFIG = None
TOWN = ""


def main() -> None:
    global CONFIG, TOWN
    parser = argparse.ArgumentParser()
    parser.add_argument("--alerts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="keep (or reuse) the state in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        state = args.keep or Path(tmp)
        config_file = state / "config.yaml"
        state.mkdir(parents=True, exist_ok=True)
        config_file.write_text("watchlists:\n  - {name: list-0, places: [درعا]}\n", encoding="utf-8")
        CONFIG = load_config(config_file, {})
        places = [p for p in Gazetteer.bundled().places if p.country == "YE" and p.kind == "locality"]
        TOWN = sorted(places, key=lambda p: -p.population)[40].name
        if not (state / "rasid.sqlite3").exists():
            started = time.perf_counter()
            fill(state, args.alerts, time.time())
            print(f"stored {args.alerts:,} alerts in {time.perf_counter() - started:.0f} s")
        size = (state / "rasid.sqlite3").stat().st_size
        print(f"with {args.alerts:,} alerts ({size / 2**20:.0f} MiB of state), server time per request, {args.runs} runs:")
        asyncio.run(measure(state, args.runs))


if __name__ == "__main__":
    main()
