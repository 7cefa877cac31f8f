"""Finding a site's feeds and sitemaps (`rasid sources discover`), and a feed address that
serves a web page told as such, against a site on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

from support import FeedServer, Response, WebhookReceiver, rasid, rss, seed_item

HOME = """<!doctype html><html lang="ar" dir="rtl"><head><title>الموقع</title>
<link rel="alternate" type="application/rss+xml" title="آخر الأخبار" href="/ar/rss/latest">
<link rel="alternate" type="application/atom+xml" href="https://elsewhere.invalid/gone">
<link rel="stylesheet" href="/style.css"></head><body><h1>الموقع</h1>
<footer><a href="https://t.me/yemen_news">تابعونا على تلغرام</a> <a href="https://t.me/yemen_news/1201">عاجل</a>
<a href="https://t.me/joinchat/AAAAAE">مجموعة</a> <a href="https://t.me/share/url?url=x">شارك</a>
<a href="https://t.me/+AbCdEfGh">دعوة</a></footer></body></html>"""


def test_discover_finds_announced_and_usual_feeds_and_the_sitemaps_robots_names(tmp_path: Path) -> None:
    site = FeedServer()
    try:
        feed = Response(200, rss([seed_item()]), {"Content-Type": "application/rss+xml"})
        site.routes["/"] = Response(200, HOME.encode(), {"Content-Type": "text/html; charset=utf-8"})
        site.routes["/ar/rss/latest"] = feed
        site.routes["/feed"] = feed
        site.routes["/rss"] = Response(200, HOME.encode(), {"Content-Type": "text/html"})  # a page, not a feed
        site.routes["/robots.txt"] = Response(200, b"User-agent: *\nDisallow: /admin\nSitemap: /news-sitemap.xml\n")
        site.routes["/news-sitemap.xml"] = Response(200, (
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://x.example/1</loc></url></urlset>'
        ).encode(), {"Content-Type": "application/xml"})  # fmt: skip
        found = rasid("sources", "discover", f"{site.url}/", cwd=tmp_path)
        assert found.returncode == 0, found.stderr
        lines = found.stdout.splitlines()
        assert lines[0] == "sources:" and lines[1] == "  feeds:"
        assert f'url: "{site.url}/ar/rss/latest"}}  # 1 entries' in lines[2] and "announced by the page" in lines[2]
        assert f'url: "{site.url}/feed"}}' in lines[3] and "a usual place" in lines[3]
        assert lines[4] == "  sitemaps:" and f'url: "{site.url}/news-sitemap.xml"}}  # 1 pages; robots.txt' in lines[5]
        assert lines[6:] == ["  telegram:", '    - {name: tg-yemen_news, channel: "@yemen_news"}  # linked from the page']
        assert "/rss\"" not in found.stdout and "elsewhere.invalid" not in found.stdout
        pasted = tmp_path / "config.yaml"  # the lines paste into a config as they are
        pasted.write_text(found.stdout + "watchlists: [{name: d, places: [درعا]}]\n", encoding="utf-8")
        assert rasid("check", "-c", "config.yaml", cwd=tmp_path).returncode == 0
        assert rasid("sources", "discover", "not-a-url", cwd=tmp_path).returncode == 2
        requests = len(site.requests)
        post = rasid("sources", "discover", "https://t.me/s/yemen_news/1201", cwd=tmp_path)  # a channel's address: nothing fetched
        assert post.stdout.splitlines()[1:] == ["  telegram:", '    - {name: tg-yemen_news, channel: "@yemen_news"}  # the address given']
        assert len(site.requests) == requests
    finally:
        site.close()


def test_a_feed_address_that_serves_a_page_is_told_at_check_and_at_each_poll(tmp_path: Path) -> None:
    site, receiver = FeedServer(), WebhookReceiver()
    try:
        site.routes["/news"] = Response(200, HOME.encode(), {"Content-Type": "text/html; charset=utf-8"})
        (tmp_path / "config.yaml").write_text(
            f"sources: {{feeds: [{{name: site, url: '{site.url}/news'}}]}}\n"
            "watchlists: [{name: d, places: [درعا]}]\n"
            f"notifiers: [{{name: desk, type: webhook, url: '{receiver.url}/hook'}}]\n",
            encoding="utf-8",
        )
        checked = rasid("check", "--online", "-c", "config.yaml", cwd=tmp_path)
        assert checked.returncode == 0 and "warning: feed site serves a web page" in checked.stdout
        assert "sources discover" in checked.stdout
        assert "warning" not in rasid("check", "-c", "config.yaml", cwd=tmp_path).stdout  # offline unless asked
        polled = rasid("once", "-c", "config.yaml", cwd=tmp_path)
        assert "serves a web page, not a feed" in polled.stderr
        (row,) = map(json.loads, rasid("sources", "-c", "config.yaml", "--json", cwd=tmp_path).stdout.splitlines())
        assert row["status"] == "serves a web page"
    finally:
        site.close()
        receiver.close()
