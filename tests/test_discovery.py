"""Finding a site's feeds and sitemaps (`rasid sources discover`), and a feed address that
serves a web page told as such, against a site on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

from support import FeedServer, Response, WebhookReceiver, rasid, rss, seed_item

PAGES = Path(__file__).parent / "data" / "telegram"

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
        assert checked.returncode == 0 and "warning: feed site: serves a web page, not a feed" in checked.stdout
        assert "sources discover" in checked.stdout
        assert "warning" not in rasid("check", "-c", "config.yaml", cwd=tmp_path).stdout  # offline unless asked
        polled = rasid("once", "-c", "config.yaml", cwd=tmp_path)
        assert "serves a web page, not a feed" in polled.stderr
        (row,) = map(json.loads, rasid("sources", "-c", "config.yaml", "--json", cwd=tmp_path).stdout.splitlines())
        assert row["status"] == "serves a web page"
    finally:
        site.close()
        receiver.close()


def test_check_online_reads_every_source_once_and_names_each_that_reads_nothing(tmp_path: Path) -> None:
    site = FeedServer()
    try:
        page = Response(200, HOME.encode(), {"Content-Type": "text/html; charset=utf-8"})
        site.routes["/rss"] = Response(200, rss([seed_item()]), {"Content-Type": "application/rss+xml"})
        site.routes["/home"] = page
        site.routes["/s/quiet"] = Response(200, (PAGES / "channel-empty.html").read_bytes(), {"Content-Type": "text/html"})
        site.routes["/s/moved"] = Response(200, (PAGES / "layout-changed.html").read_bytes(), {"Content-Type": "text/html"})
        site.routes["/s/good"] = Response(200, (PAGES / "channel.html").read_bytes(), {"Content-Type": "text/html"})
        (tmp_path / "config.yaml").write_text(
            "sources:\n"
            f"  feeds: [{{name: good-feed, url: '{site.url}/rss'}}, {{name: gone, url: '{site.url}/gone'}},"
            " {name: dead, url: 'http://127.0.0.1:9/rss?token=s3cret'}]\n"
            f"  telegram: [{{name: good-tg, channel: '@good', url: '{site.url}/s/good'}},"
            f" {{name: quiet, channel: '@quiet', url: '{site.url}/s/quiet'}}, {{name: moved, channel: '@moved', url: '{site.url}/s/moved'}},"
            f" {{name: not-tg, channel: '@nottg', url: '{site.url}/home'}}]\n"
            f"  sitemaps: [{{name: map, url: '{site.url}/home'}}]\n"
            f"  pages: [{{name: listing, url: '{site.url}/home', item: article.news}}]\n"
            "watchlists: [{name: d, places: [درعا]}]\n",
            encoding="utf-8",
        )
        checked = rasid("check", "--online", "-c", "config.yaml", cwd=tmp_path)
        assert checked.returncode == 0, checked.stderr
        warnings = sorted(line for line in checked.stdout.splitlines() if line.startswith("warning:"))
        assert "s3cret" not in checked.stdout
        assert warnings == [
            "warning: feed dead: not reached (ConnectError)",
            "warning: feed gone: answers HTTP 404",
            "warning: page listing: the item selector 'article.news' matches nothing on the page",
            f"warning: sitemap map: serves a web page, not a sitemap: try `rasid sources discover {site.url}/home`",
            "warning: telegram moved: the preview's layout changed: no post (div.tgme_widget_message[data-post]) on the channel's page",
            "warning: telegram not-tg: not a public channel's preview: private, renamed or gone?",
            "warning: telegram quiet: no post yet",
        ]
    finally:
        site.close()
