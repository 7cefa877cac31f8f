"""News sitemaps served on 127.0.0.1: an index leads to its newest sitemap, each new page is
fetched and matched on its main text, an unchanged sitemap costs a 304, and a page listed again
is not read again."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from support import FeedServer, Response, WebhookReceiver, rasid

from rasid.sources.sitemap import parse_sitemap

ARTICLE = """<html><head><title>{title}</title></head><body><header>الموقع</header>
<article><h1>{title}</h1><p>{body}</p></article><footer>جميع الحقوق محفوظة</footer></body></html>"""


def news_sitemap(base: str, pages: list[tuple[str, str]], language: dict[str, str] | None = None) -> bytes:
    """A news sitemap of `pages` (slug, title), in Arabic unless `language` says otherwise for a slug."""
    now = datetime.now(timezone.utc)
    languages = language or {}
    urls = "".join(
        f"<url><loc>{base}/{languages.get(slug, 'ar')}/{slug}</loc><news:news><news:publication><news:name>الموقع</news:name>"
        f"<news:language>{languages.get(slug, 'ar')}</news:language></news:publication>"
        f"<news:publication_date>{(now - timedelta(minutes=10 * i)).isoformat(timespec='seconds')}</news:publication_date>"
        f"<news:title>{title}</news:title></news:news></url>"
        for i, (slug, title) in enumerate(pages)
    )
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
            ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + urls + "</urlset>").encode()  # fmt: skip


def test_the_news_extension_gives_title_and_date_and_a_slug_stands_in_for_a_missing_title() -> None:
    body = (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://x.example/2026/11/'
            b'%D8%BA%D8%A7%D8%B1%D8%A9-%D8%B9%D9%84%D9%89-%D8%AA%D8%B9%D8%B2</loc><lastmod>2026-11-30T05:00:00+00:00</lastmod>'
            b'</url><url><loc>javascript:alert(1)</loc></url></urlset>')  # fmt: skip
    found = parse_sitemap(body, datetime(2026, 12, 1, tzinfo=timezone.utc).timestamp())
    (entry,) = found.parsed.entries
    assert entry.title == "غارة على تعز" and entry.published == datetime(2026, 11, 30, 5, tzinfo=timezone.utc)
    assert [f.item for f in found.parsed.failures] == ["javascript:alert(1)"]
    assert parse_sitemap(b"<!DOCTYPE x [<!ENTITY a 'b'>]><urlset><url><loc>&a;</loc></url></urlset>", 0).parsed.entries == []
    assert parse_sitemap(b"<html><body>not a sitemap</body></html>", 0).parsed.problem.startswith("neither")  # type: ignore[union-attr]


def test_a_sitemap_s_new_pages_are_read_whole_and_alert(tmp_path: Path) -> None:
    site, receiver = FeedServer(), WebhookReceiver()
    try:
        pages = [("4411", "بيان صحفي"), ("4412", "أخبار محلية")]
        bodies = {
            "4411": "استهدفت غارة جوية رصيف ميناء الحديدة فجر اليوم، وقال عمال إن الرافعات توقفت عن العمل وإن سفينتين غادرتا المرسى.",
            "4412": "افتتاح مدرسة جديدة في مدينة المكلا بحضور المحافظ وعدد من أولياء الأمور والمعلمين في حفل أقيم صباح اليوم.",
        }
        site.routes["/sitemap_index.xml"] = Response(200, (
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{site.url}/old-sitemap.xml</loc><lastmod>2020-01-01</lastmod></sitemap>"
            f"<sitemap><loc>{site.url}/news-sitemap.xml</loc><lastmod>2026-11-30</lastmod></sitemap></sitemapindex>"
        ).encode(), {"Content-Type": "application/xml", "ETag": '"i1"'})  # fmt: skip
        english = {"4410": "en"}  # the site's English edition, left out by `languages: [ar]`
        site.routes["/news-sitemap.xml"] = Response(200, news_sitemap(site.url, [*pages, ("4410", "Port strike")], english),
                                                    {"Content-Type": "application/xml"})  # fmt: skip
        site.routes["/en/4410"] = Response(200, ARTICLE.format(title="Port strike", body=bodies["4411"]).encode(),
                                           {"Content-Type": "text/html; charset=utf-8"})  # fmt: skip
        site.routes["/old-sitemap.xml"] = Response(200, news_sitemap(site.url, []), {"Content-Type": "application/xml"})
        for slug, title in pages:
            site.routes[f"/ar/{slug}"] = Response(200, ARTICLE.format(title=title, body=bodies[slug]).encode(),
                                                  {"Content-Type": "text/html; charset=utf-8"})  # fmt: skip
        (tmp_path / "config.yaml").write_text(
            f"sources: {{sitemaps: [{{name: site, url: '{site.url}/sitemap_index.xml', interval: 1s, allow_private: true,"
            " languages: [ar]}]}\n"
            "watchlists: [{name: ports, places: [الحديدة], keywords: [غارة]}]\n"
            f"notifiers: [{{name: desk, type: webhook, url: '{receiver.url}/hook'}}]\n",
            encoding="utf-8",
        )
        tried = rasid("sources", "try", f"{site.url}/sitemap_index.xml", cwd=tmp_path)
        assert tried.stdout.splitlines()[-3:] == [f"sitemap {site.url}/news-sitemap.xml", f"sitemap {site.url}/old-sitemap.xml",
                                                  "0 pages, 2 sitemaps: read as a sitemap"]  # fmt: skip
        tried = rasid("sources", "try", f"{site.url}/news-sitemap.xml", cwd=tmp_path)
        assert tried.stdout.endswith("3 pages: read as a sitemap\n") and "بيان صحفي" in tried.stdout
        site.requests.clear()
        assert rasid("once", "-c", "config.yaml", cwd=tmp_path).returncode == 0
        (alert,) = [p.json() for p in receiver.posts()]
        assert alert["report"]["title"] == "بيان صحفي" and alert["report"]["url"] == f"{site.url}/ar/4411"  # found in its text
        assert {m["term"] for m in alert["matches"]} == {"الحديدة", "غارة"}
        read = [r.path for r in site.requests]
        assert read.count("/ar/4411") == 1 and read.count("/news-sitemap.xml") == 1 and "/en/4410" not in read

        assert rasid("once", "-c", "config.yaml", cwd=tmp_path).returncode == 0  # the index answers 304
        assert site.requests[-1].path == "/sitemap_index.xml" and len(receiver.posts()) == 1

        pages.insert(0, ("4413", "تطورات"))
        site.routes["/ar/4413"] = Response(200, ARTICLE.format(title="تطورات", body="نزحت عشرات الأسر من قرى مديرية الخوخة جنوب الحديدة بعد غارة ليلية أصابت منازل قرب الساحل، بحسب سكان ومسعفين.").encode(),
                                           {"Content-Type": "text/html; charset=utf-8"})  # fmt: skip
        site.routes["/news-sitemap.xml"] = Response(200, news_sitemap(site.url, pages), {"Content-Type": "application/xml"})
        site.routes["/sitemap_index.xml"].headers["ETag"] = '"i2"'
        assert rasid("once", "-c", "config.yaml", cwd=tmp_path).returncode == 0
        assert [p.json()["report"]["title"] for p in receiver.posts()] == ["بيان صحفي", "تطورات"]
        assert [r.path for r in site.requests].count("/ar/4411") == 1  # a page listed again is not fetched again
    finally:
        site.close()
        receiver.close()
