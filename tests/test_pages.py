"""A site without a feed: its listing page read with CSS selectors, polled like a feed, each
item a report (read whole from its link with `full_text`); `rasid sources try` shows what the
selectors find; a redesign that leaves the item selector matching nothing is a named failure."""

from __future__ import annotations

import json
from pathlib import Path

from support import FeedServer, Response, WebhookReceiver, rasid

LISTING = """<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>آخر الأخبار</title></head><body>
<nav><a href="/">الرئيسية</a> <a href="/sport">رياضة</a></nav>
<main><h1>آخر الأخبار</h1>
<article class="news"><h3><a href="/ar/news/101">اشتباكات قرب مدينة تعز</a></h3><span class="date">30 نوفمبر 2026</span>
<p>تجددت الاشتباكات في الأطراف الشرقية</p></article>
<article class="news"><h3><a href="/ar/news/102">افتتاح سوق جديد في المكلا</a></h3><span class="date">29 نوفمبر 2026</span>
<p>افتتح المحافظ سوقا للخضار</p></article>
<article class="news"><h3><a href="/ar/news/103">بيان للسلطة المحلية</a></h3><span class="date">28 نوفمبر 2026</span>
<p>أصدرت السلطة المحلية بيانا</p></article>
</main><footer>جميع الحقوق محفوظة</footer></body></html>"""


def test_a_listing_page_alerts_reads_items_whole_and_says_when_its_selector_finds_nothing(tmp_path: Path) -> None:
    site, receiver = FeedServer(), WebhookReceiver()
    try:
        html = {"Content-Type": "text/html; charset=utf-8"}
        site.routes["/ar/latest"] = Response(200, LISTING.encode(), {**html, "ETag": '"l1"'})
        site.routes["/ar/news/103"] = Response(200, (
            "<html><body><article><h1>بيان للسلطة المحلية</h1><p>أعلنت السلطة المحلية في محافظة الحديدة إغلاق الطريق الساحلي"
            " بعد غارة جوية استهدفت جسرا قرب مديرية الخوخة مساء أمس، ودعت السكان إلى تجنب المنطقة حتى إشعار آخر.</p>"
            "</article></body></html>").encode(), html)  # fmt: skip
        for n in (101, 102):
            site.routes[f"/ar/news/{n}"] = Response(200, b"<html><body><p>...</p></body></html>", html)
        (tmp_path / "config.yaml").write_text(
            "sources:\n"
            f"  pages: [{{name: local, url: '{site.url}/ar/latest', item: article.news, title: h3, date: span.date,\n"
            "           interval: 1s, full_text: true, allow_private: true, max_age: 36500d}]\n"
            "watchlists: [{name: yemen, places: [تعز, الحديدة], keywords: [غارة]}]\n"
            f"notifiers: [{{name: desk, type: webhook, url: '{receiver.url}/hook', one_per: watchlist}}]\n",
            encoding="utf-8",
        )
        tried = rasid("sources", "try", f"{site.url}/ar/latest", "--item", "article.news", "--title", "h3", "--date", "span.date", cwd=tmp_path)
        assert tried.returncode == 0, tried.stderr
        assert tried.stdout.splitlines()[0] == "2026-11-30T00:00:00+00:00  اشتباكات قرب مدينة تعز"  # an Arabic date read
        assert f"{site.url}/ar/news/101" in tried.stdout and tried.stdout.endswith("3 items: read as a listing page\n")
        plain = rasid("sources", "try", f"{site.url}/ar/latest", cwd=tmp_path)  # a web page needs its selectors
        assert plain.returncode == 1 and "give --item" in plain.stderr
        assert rasid("sources", "try", f"{site.url}/ar/latest", "--item", "a[", cwd=tmp_path).returncode == 2  # not CSS
        assert rasid("sources", "try", f"{site.url}/ar/latest", "--item", "div.nothing", cwd=tmp_path).returncode == 1

        assert rasid("once", "-c", "config.yaml", cwd=tmp_path).returncode == 0
        alerts = {p.json()["report"]["title"]: p.json() for p in receiver.posts()}
        assert set(alerts) == {"اشتباكات قرب مدينة تعز", "بيان للسلطة المحلية"}  # the second from its page's text
        assert alerts["بيان للسلطة المحلية"]["report"]["url"] == f"{site.url}/ar/news/103"
        assert {m["term"] for m in alerts["بيان للسلطة المحلية"]["matches"]} == {"الحديدة", "غارة"}

        site.routes["/ar/latest"] = Response(200, LISTING.replace('class="news"', 'class="card"').encode(), {**html, "ETag": '"l2"'})
        broken = rasid("once", "-c", "config.yaml", cwd=tmp_path)
        assert "the item selector 'article.news' matches nothing on the page" in broken.stderr
        (row,) = map(json.loads, rasid("sources", "-c", "config.yaml", "--json", cwd=tmp_path).stdout.splitlines())
        assert row["kind"] == "page" and row["status"] == "selector matches nothing"
        bad = tmp_path / "bad.yaml"
        bad.write_text(f"sources: {{pages: [{{name: x, url: '{site.url}/', item: 'article[[['}}]}}\nwatchlists: [{{name: d, places: [درعا]}}]\n")
        checked = rasid("check", "-c", "bad.yaml", cwd=tmp_path)
        assert checked.returncode == 1 and "sources.pages[0].item" in checked.stderr and "no CSS selector" in checked.stderr
    finally:
        site.close()
        receiver.close()


def test_through_rasid_run_a_sitemap_and_a_page_alert_and_a_login_redirect_is_named(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    from support import clean_env, wait_until

    site, receiver = FeedServer(), WebhookReceiver()
    try:
        html = {"Content-Type": "text/html; charset=utf-8"}
        site.routes["/ar/latest"] = Response(200, LISTING.encode(), html)
        site.routes["/sitemap.xml"] = Response(200, (
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url>'
            f"<loc>{site.url}/ar/flood</loc></url></urlset>").encode(), {"Content-Type": "application/xml"})  # fmt: skip
        site.routes["/ar/flood"] = Response(200, (
            "<html><head><title>سيول في وادي مور</title></head><body><article><h1>سيول في وادي مور</h1><p>جرفت سيول غزيرة عشرات المنازل في وادي مور شمال محافظة الحديدة"
            " مساء أمس، وقالت السلطات المحلية إن فرق الإنقاذ انتشلت خمسة أشخاص.</p></article></body></html>").encode(), html)  # fmt: skip
        site.routes["/login"] = Response(200, b"<html><body><form><input name=password></form></body></html>", html)
        (tmp_path / "config.yaml").write_text(
            "sources:\n"
            f"  pages: [{{name: local, url: '{site.url}/ar/latest', item: article.news, interval: 1s, max_age: 36500d}}]\n"
            f"  sitemaps: [{{name: site, url: '{site.url}/sitemap.xml', interval: 1s, allow_private: true}}]\n"
            "watchlists: [{name: yemen, places: [تعز, الحديدة], keywords: [سيول]}]\n"
            f"notifiers: [{{name: desk, type: webhook, url: '{receiver.url}/hook', one_per: watchlist}}]\n",
            encoding="utf-8",
        )
        proc = subprocess.Popen([sys.executable, "-m", "rasid", "run", "-c", "config.yaml"], cwd=tmp_path, env=clean_env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
        try:
            def titles() -> set[str]:
                return {p.json()["report"]["title"] for p in receiver.posts() if p.json()["type"] == "alert"}

            assert wait_until(lambda: titles() >= {"اشتباكات قرب مدينة تعز", "سيول في وادي مور"}, timeout=30), titles()
            for path in ("/ar/latest", "/sitemap.xml"):  # the site now sends everyone to its login page
                site.routes[path] = Response(302, b"", {"Location": "/login"})
            seen = len(site.requests)
            assert wait_until(lambda: sum(r.path == "/login" for r in site.requests[seen:]) >= 4, timeout=30)
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
        assert "the item selector 'article.news' matches nothing" in err and "serves a web page" in err
        rows = {r["source"]: r for r in map(json.loads, rasid("sources", "-c", "config.yaml", "--json", cwd=tmp_path).stdout.splitlines())}
        assert rows["local"]["status"] == "selector matches nothing" and rows["site"]["status"] == "serves a web page"
    finally:
        site.close()
        receiver.close()
