"""The daemon in process: real feed server, real receiver, real SQLite file."""

from __future__ import annotations

import asyncio
from pathlib import Path

from support import FeedServer, Response, WebhookReceiver, rss, seed_item

from rasid.config import load_config
from rasid.daemon import Daemon
from rasid.store import open_store


def config_for(tmp_path: Path, feeds: dict[str, str], hook: str) -> Path:
    lines = "\n".join(f'    - {{name: {n}, url: "{u}"}}' for n, u in feeds.items())
    path = tmp_path / "config.yaml"
    path.write_text(
        f"""
sources:
  feeds:
{lines}
watchlists:
  - {{name: south, places: [درعا, جاسم], keywords: [اغتيال]}}
  - {{name: isis, keywords: [داعش], notify: [ops]}}
notifiers:
  - {{name: ops, type: webhook, url: "{hook}"}}
  - {{name: audit, type: webhook, url: "{hook}/audit"}}
""",
        encoding="utf-8",
    )
    return path


def run_once(path: Path) -> None:
    async def go() -> None:
        config = load_config(path, {})
        daemon = Daemon(config, open_store(config.state_dir))
        try:
            await daemon.once()
        finally:
            await daemon.close()

    asyncio.run(go())


def test_same_story_from_several_feeds_alerts_once(tmp_path: Path, feed_server: FeedServer, receiver: WebhookReceiver) -> None:
    original = seed_item()
    same_url = dict(original, guid="other-guid-1", link=original["link"] + "?utm_source=rss&utm_medium=feed#top")
    same_text = dict(original, guid="other-guid-2", link="https://mirror.example/copy/1")
    feed_server.routes["/a"] = Response(200, rss([original]))
    feed_server.routes["/b"] = Response(200, rss([same_url]))
    feed_server.routes["/c"] = Response(200, rss([same_text]))
    feeds = {name: f"{feed_server.url}/{name}" for name in "abc"}
    run_once(config_for(tmp_path, feeds, receiver.url))

    posts = receiver.posts()
    # Two watch-lists fire; "south" goes to both notifiers, "isis" only to ops: ops gets one
    # message naming both, audit one for south
    routed = sorted((p.path, tuple(p.json().get("watchlists") or [p.json()["watchlist"]])) for p in posts)
    assert routed == [("/", ("south", "isis")), ("/audit", ("south",))]
    assert len({p.json()["id"] for p in posts}) == 1  # the first list's alert id, to both


def test_a_broken_source_does_not_stop_the_others(tmp_path: Path, feed_server: FeedServer, receiver: WebhookReceiver) -> None:
    feed_server.routes["/good"] = Response(200, rss([seed_item()]))
    feed_server.routes["/bad"] = Response(200, b"\x00\x01 not xml")
    feeds = {"bad": f"{feed_server.url}/bad", "gone": "http://127.0.0.1:9/feed", "good": f"{feed_server.url}/good"}
    run_once(config_for(tmp_path, feeds, receiver.url))
    assert {w for p in receiver.posts() for w in p.json().get("watchlists") or [p.json()["watchlist"]]} == {"south", "isis"}
    store = open_store(tmp_path / "state")
    try:
        assert "connection refused 127.0.0.1:9" in repr(store.feed_state("gone"))  # the cause and the address
    finally:
        store.close()
