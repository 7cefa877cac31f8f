"""Sources against real files and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import shutil
import time
from datetime import timezone
from pathlib import Path

import httpx
import pytest
from support import DATA, FeedServer, Response, rss, seed_item

from rasid.config import FeedConfig, FolderConfig
from rasid.sources.feeds import FeedPoll, FeedSource
from rasid.sources.folders import FolderSource
from rasid.sources.decode import BinaryContent, decode_text
from rasid.sources.fetch import HostLimiter
from rasid.sources.html import html_to_text
from rasid.store.base import FeedState


def folder_source(path: Path, **kw: object) -> FolderSource:
    return FolderSource(FolderConfig(name="inbox", path=path, **{"settle": 0, **kw}))


def test_folder_formats_become_reports(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    shutil.copytree(DATA / "folder", tmp_path / "in")
    scan = folder_source(tmp_path / "in").scan({})
    reports = {rel: reps for rel, reps in scan.reports}
    assert set(reports) == {"note.md", "report.html", "reports.json", "windows-1256-undeclared.txt"}

    (md,) = reports["note.md"]
    assert md.title == "داعش يتبنى هجوماً قرب الجيدور"
    (html,) = reports["report.html"]
    assert html.title == "اغتيال قيادي سابق في جاسم"
    assert "مدينة جاسم شمالي درعا & ريفها" in html.text
    assert "var" not in html.text and "color" not in html.text
    first, second = reports["reports.json"]
    assert first.url == "https://news.example/q/1" and first.published is not None
    assert first.published.isoformat() == "2026-11-20T08:30:00+00:00"
    assert second.guid == "veg-77" and "ارتفعت أسعار" in second.text
    (legacy,) = reports["windows-1256-undeclared.txt"]
    assert legacy.title.startswith("روسيا تجتمعُ بقياداتٍ")

    assert scan.states["binary-named-txt.txt"].status.startswith("skipped")
    assert "ignored.pdf" not in scan.states
    assert sum("binary-named-txt.txt" in r.message for r in caplog.records) == 1


def test_folder_skips_unchanged_files_and_rereads_changed(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("عنوان\nنص في درعا", encoding="utf-8")
    source = folder_source(tmp_path)
    first = source.scan({})
    assert [rel for rel, _ in first.reports] == ["a.txt"]
    assert source.scan(first.states).reports == []
    (tmp_path / "a.txt").write_text("عنوان آخر\nنص جديد في جاسم", encoding="utf-8")
    ((rel, (changed,)),) = source.scan(first.states).reports
    assert rel == "a.txt" and changed.title == "عنوان آخر"
    assert changed.guid != first.reports[0][1][0].guid


def test_recursive_folder_passes_over_dot_names_and_folder_links(tmp_path: Path) -> None:
    inbox, outside = tmp_path / "in", tmp_path / "outside"
    for folder in (inbox / "sub" / "deeper", inbox / ".staging", outside):
        folder.mkdir(parents=True)
    for path in (inbox / "top.txt", inbox / "sub" / "deeper" / "a.txt", inbox / ".staging" / "half.txt",
                 inbox / ".hidden.txt", outside / "b.txt"):  # fmt: skip
        path.write_text(f"عنوان\nنص {path.name}", encoding="utf-8")
    (inbox / "sub" / "elsewhere").symlink_to(outside, target_is_directory=True)
    scan = folder_source(inbox, recursive=True).scan({})
    assert [rel for rel, _ in scan.reports] == ["sub/deeper/a.txt", "top.txt"]
    assert folder_source(inbox).scan({}).states.keys() == {"top.txt"}


def test_folder_never_modifies_files(tmp_path: Path) -> None:
    shutil.copytree(DATA / "folder", tmp_path / "in")
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in (tmp_path / "in").iterdir()}
    folder_source(tmp_path / "in").scan({})
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in (tmp_path / "in").iterdir()}
    assert before == after


def test_oversized_file_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("درعا " * 1000, encoding="utf-8")
    scan = folder_source(tmp_path, max_bytes=1000).scan({})
    assert scan.reports == [] and scan.states["big.txt"].status.startswith("skipped: larger than max_bytes")


def test_decode_text_encodings() -> None:
    arabic = "اجتماع في درعا"
    assert decode_text(arabic.encode("utf-8")) == arabic
    assert decode_text(b"\xef\xbb\xbf" + arabic.encode("utf-8")) == arabic
    assert decode_text(arabic.encode("windows-1256")) == arabic
    assert decode_text(arabic.encode("iso-8859-6"), declared="iso-8859-6") == arabic
    assert decode_text(arabic.encode("utf-16")) == arabic
    with pytest.raises(BinaryContent):
        decode_text(b"\x00\x01\x02binary")


def test_html_to_text() -> None:
    text = html_to_text("<p>قال&nbsp;مصدر&#1604; <b>في</b> درعا</p><script>x()</script><p>سطر<br>ثانٍ</p>")
    assert text == "قال مصدرل في درعا\n\nسطر\nثانٍ"


def poll(source: FeedSource, state: FeedState = FeedState(), now: float = 1000.0) -> FeedPoll:
    async def go() -> FeedPoll:
        async with httpx.AsyncClient() as client:
            return await source.poll(client, state, now, HostLimiter())

    return asyncio.run(go())


def test_feed_entries_become_reports(feed_server: FeedServer) -> None:
    feed_server.routes["/f"] = Response(200, rss([seed_item()]), {"ETag": '"abc"', "Last-Modified": "Mon, 20 Jul 2020 10:00:00 GMT"})
    result = poll(FeedSource(FeedConfig(name="f", url=f"{feed_server.url}/f")))
    (report,) = result.reports
    assert report.title.startswith("روسيا تجتمعُ")
    assert report.text.startswith(report.title + "\n\n")
    assert "<p>" not in report.text and "مدينة جاسم شمالي درعا" in report.text
    assert report.guid == "https://news.example/?p=1001"
    assert result.state.etag == '"abc"' and result.state.last_modified.startswith("Mon, 20 Jul")

    again = poll(FeedSource(FeedConfig(name="f", url=f"{feed_server.url}/f")), result.state)
    assert again.reports == [] and again.state.last_status == "304" and again.error is None
    assert feed_server.requests[-1].headers["if-none-match"] == '"abc"'


def test_windows_1256_feed_matches(feed_server: FeedServer) -> None:
    item = {"title": "اغتيال في جاسم", "description": "قتل مسلحون مجهولون قيادياً في درعا", "link": "https://x.example/1"}
    feed_server.routes["/legacy"] = Response(200, rss([item], encoding="windows-1256"), {"Content-Type": "application/rss+xml"})
    (report,) = poll(FeedSource(FeedConfig(name="legacy", url=f"{feed_server.url}/legacy"))).reports
    assert report.title == "اغتيال في جاسم"
    assert "قيادياً في درعا" in report.text


def test_feed_failures_are_reported_not_raised(feed_server: FeedServer) -> None:
    feed_server.routes["/broken"] = Response(200, b"<html><body>not a feed at all")
    feed_server.routes["/error"] = Response(500, b"oops")
    feed_server.routes["/slow"] = Response(200, rss([seed_item()]), delay=3)
    broken = poll(FeedSource(FeedConfig(name="b", url=f"{feed_server.url}/broken")))
    assert broken.reports == [] and broken.error and broken.state.errors == 1
    error = poll(FeedSource(FeedConfig(name="e", url=f"{feed_server.url}/error")), FeedState(errors=2))
    assert error.error == "HTTP 500" and error.state.errors == 3
    slow = poll(FeedSource(FeedConfig(name="s", url=f"{feed_server.url}/slow", timeout=0.5, interval=60)))
    assert slow.error and "0.5s" in slow.error or "timeout" in (slow.error or "")
    assert slow.state.errors == 1 and slow.state.next_poll == 1000.0 + 60
    again = poll(FeedSource(FeedConfig(name="s", url=f"{feed_server.url}/slow", timeout=0.5, interval=60)), slow.state, 1060.0)
    assert again.state.errors == 2 and again.state.next_poll == 1060.0 + 120  # backing off


def test_malformed_feed_keeps_readable_entries(feed_server: FeedServer) -> None:
    body = (DATA / "feeds" / "unescaped-ampersand.xml").read_bytes()
    feed_server.routes["/m"] = Response(200, body)
    result = poll(FeedSource(FeedConfig(name="m", url=f"{feed_server.url}/m")))
    assert result.error is None
    assert [r.title for r in result.reports] == ["اجتماع في درعا & القنيطرة", "اغتيال في جاسم"]
    assert result.reports[1].guid.startswith("https://")


def test_undeclared_and_misdeclared_windows_1256(feed_server: FeedServer) -> None:
    item = {"title": "اغتيال في جاسم", "description": "قتل مسلحون قيادياً في درعا", "link": "https://x.example/1"}
    undeclared = rss([item], encoding="windows-1256").replace(b' encoding="windows-1256"', b"")
    feed_server.routes["/undeclared"] = Response(200, undeclared, {"Content-Type": "application/rss+xml"})
    misdeclared = rss([item], encoding="windows-1256").replace(b"windows-1256", b"iso-8859-1")
    feed_server.routes["/latin"] = Response(200, misdeclared, {"Content-Type": "text/xml; charset=ISO-8859-1"})
    for path in ("/undeclared", "/latin"):
        (report,) = poll(FeedSource(FeedConfig(name="f", url=f"{feed_server.url}{path}"))).reports
        assert report.title == "اغتيال في جاسم", path


def test_permanent_redirects_move_the_feed_and_temporary_ones_do_not(feed_server: FeedServer) -> None:
    feed_server.routes["/old"] = Response(301, headers={"Location": "/mid"})
    feed_server.routes["/mid"] = Response(308, headers={"Location": f"{feed_server.url}/feed"})
    feed_server.routes["/feed"] = Response(200, rss([seed_item()]))
    source = FeedSource(FeedConfig(name="f", url=f"{feed_server.url}/old"))
    first = poll(source)
    assert len(first.reports) == 1 and first.state.url == f"{feed_server.url}/feed"
    poll(source, first.state)
    assert [r.path for r in feed_server.requests] == ["/old", "/mid", "/feed", "/feed"]

    feed_server.routes["/temp"] = Response(302, headers={"Location": "/feed"})
    moved = poll(FeedSource(FeedConfig(name="t", url=f"{feed_server.url}/temp")))
    assert moved.reports and moved.state.url is None


def test_redirect_loops_gone_feeds_and_oversized_bodies(feed_server: FeedServer) -> None:
    feed_server.routes["/loop"] = Response(302, headers={"Location": "/loop"})
    loop = poll(FeedSource(FeedConfig(name="l", url=f"{feed_server.url}/loop")))
    assert loop.error == "more than 5 redirects" and loop.state.errors == 1
    feed_server.routes["/gone"] = Response(410)
    gone = poll(FeedSource(FeedConfig(name="g", url=f"{feed_server.url}/gone")))
    assert gone.state.disabled == "410 Gone" and "disabled until its URL changes" in (gone.error or "")
    feed_server.routes["/big"] = Response(200, b"<rss>" + b" " * 5000 + b"</rss>")
    big = poll(FeedSource(FeedConfig(name="b", url=f"{feed_server.url}/big", max_bytes=1000)))
    assert big.error and "max_bytes" in big.error and not big.reports


def test_custom_headers_are_sent(feed_server: FeedServer) -> None:
    feed_server.routes["/auth"] = Response(200, rss([seed_item()]))
    poll(FeedSource(FeedConfig(name="a", url=f"{feed_server.url}/auth", headers={"X-Api-Key": "k3y"})))
    assert feed_server.requests[-1].headers["x-api-key"] == "k3y"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mon, 20 Jul 2020 10:00:00 +0000", "2020-07-20T10:00:00+00:00"),
        ("2020-07-20T10:00:00Z", "2020-07-20T10:00:00+00:00"),
        ("2020-07-20 13:00", "2020-07-20T13:00:00+03:00"),
        ("٢٠ تموز ٢٠٢٠ - ١٠:٣٠ م", "2020-07-20T22:30:00+03:00"),
        ("الأحد 15 تشرين الأول 2023", "2023-10-15T00:00:00+03:00"),
        ("3 كانون الثاني، 2024 09:15", "2024-01-03T09:15:00+03:00"),
        ("12 أكتوبر 2024", "2024-10-12T00:00:00+03:00"),
        ("5 جويلية 2022", "2022-07-05T00:00:00+03:00"),
    ],
)
def test_arabic_dates(text: str, expected: str) -> None:
    from zoneinfo import ZoneInfo

    from rasid.sources.dates import parse_date

    parsed = parse_date(text, ZoneInfo("Asia/Damascus"))
    assert parsed is not None and parsed.isoformat() == expected


def test_feed_dates_use_the_feed_zone_and_never_lie_in_the_future(feed_server: FeedServer) -> None:
    items = [
        {"title": "خبر أول", "description": "نص", "link": "https://x.example/1", "pubDate": "٢٠ تموز ٢٠٢٠ - ١٠:٣٠ م"},
        {"title": "خبر ثان", "description": "نص", "link": "https://x.example/2", "pubDate": "Mon, 01 Jan 2035 00:00:00 +0000"},
    ]
    feed_server.routes["/dates"] = Response(200, rss(items))
    result = poll(FeedSource(FeedConfig(name="d", url=f"{feed_server.url}/dates", timezone="Asia/Damascus")), now=1_800_000_000.0)
    first, second = result.reports
    assert first.published is not None and first.published.isoformat() == "2020-07-20T22:30:00+03:00"
    assert second.published is not None and second.published.timestamp() == 1_800_000_000.0


def test_feed_dates_in_zones_and_orders_read_right(feed_server: FeedServer) -> None:
    """Zone names the RFC 822 parser reads as UTC, offsets with a colon, ordinal days and numeric
    dates; a date in a zone nobody knows, or that reads both ways, is no date rather than a wrong one."""
    feed_server.routes["/z"] = Response(200, (DATA / "feeds" / "dates-in-many-zones.xml").read_bytes())
    result = poll(FeedSource(FeedConfig(name="z", url=f"{feed_server.url}/z", timezone="Asia/Damascus")), now=1_800_000_000.0)
    got = {r.title: r.published.astimezone(timezone.utc).isoformat() if r.published else None for r in result.reports}
    assert got == {
        "met": "2009-11-16T07:57:00+00:00",
        "pt": "2009-11-16T16:57:00+00:00",
        "pst": "2009-11-16T16:57:00+00:00",
        "colon": "2009-11-16T09:58:00+00:00",
        "minutes": "2009-11-16T09:17:00+00:00",
        "ordinal": "2009-11-16T08:57:00+00:00",
        "us": "2009-11-16T18:57:00+00:00",  # 8:57 PM in the feed's zone (UTC+2 in November 2009)
        "arab": "2009-11-16T18:57:00+00:00",
        "either": None,
        "unknown": None,
        "local": "2009-11-16T06:57:00+00:00",  # no zone: the feed's
    }


def test_titles_declared_plain_text_keep_what_looks_like_markup(feed_server: FeedServer) -> None:
    feed_server.routes["/t"] = Response(200, (DATA / "feeds" / "titles-declared-text.xml").read_bytes())
    feed_server.routes["/rss"] = Response(200, rss([{"title": "<b>عاجل</b> درعا & القنيطرة", "description": "نص"}]))
    reports = poll(FeedSource(FeedConfig(name="t", url=f"{feed_server.url}/t"))).reports
    assert [r.title for r in reports] == ["History of the <blink> tag", "</example>", "عاجل انفجار في درعا"]
    assert reports[0].text == "History of the <blink> tag\n\nThe <blink> tag blinked."
    assert reports[2].text == "عاجل انفجار في درعا\n\nانفجار عبوة في درعا"
    (rss_report,) = poll(FeedSource(FeedConfig(name="r", url=f"{feed_server.url}/rss"))).reports
    assert rss_report.title == "عاجل درعا & القنيطرة"  # an RSS title with escaped markup is HTML


@pytest.mark.parametrize("fixture", ["utf-16le-without-bom.xml", "utf-32le-with-bom.xml"])
def test_wide_encodings_are_read_in_feeds_and_files(feed_server: FeedServer, tmp_path: Path, fixture: str) -> None:
    body = (DATA / "feeds" / fixture).read_bytes()
    feed_server.routes["/w"] = Response(200, body, {"Content-Type": "application/rss+xml"})
    result = poll(FeedSource(FeedConfig(name="w", url=f"{feed_server.url}/w")))
    assert result.error is None and [r.title for r in result.reports] == ["انفجار في درعا"]
    (tmp_path / "saved.xml").write_bytes(body)
    (tmp_path / "note.txt").write_bytes("عنوان\nانفجار في درعا".encode("utf-16-le"))  # no BOM either
    scan = folder_source(tmp_path).scan({})
    assert {rel: [r.title for r in reps] for rel, reps in scan.reports} == {"saved.xml": ["انفجار في درعا"], "note.txt": ["عنوان"]}


def test_email_and_saved_feed_files(tmp_path: Path) -> None:
    (tmp_path / "tip.eml").write_bytes(
        "Subject: =?utf-8?b?2KfYutiq2YrYp9mEINmB2Yog2KzYp9iz2YU=?=\n"
        "MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=b\n\n"
        "--b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
        "قتل مسلحون قيادياً سابقاً في مدينة جاسم.\n--b\nContent-Type: text/html; charset=utf-8\n\n<p>نسخة HTML</p>\n--b--\n".encode()
    )
    (tmp_path / "saved.rss").write_bytes(rss([seed_item(), {"title": "خبر", "description": "نص آخر", "link": "https://x.example/9"}]))
    scan = folder_source(tmp_path).scan({})
    reports = dict(scan.reports)
    (mail,) = reports["tip.eml"]
    assert mail.title == "اغتيال في جاسم" and "قيادياً سابقاً في مدينة جاسم" in mail.text and "HTML" not in mail.text
    assert [r.url for r in reports["saved.rss"]] == ["https://news.example/2020/07/jasim-meeting", "https://x.example/9"]


def test_files_still_being_written_wait_until_they_settle(tmp_path: Path) -> None:
    source = FolderSource(FolderConfig(name="inbox", path=tmp_path, settle=0.3))
    path = tmp_path / "report.txt"
    path.write_text("عنوان\nالنصف الأول", encoding="utf-8")
    first = source.scan({})
    assert first.unsettled and first.reports == []
    import time

    time.sleep(0.35)
    done = source.scan({})
    assert not done.unsettled and [r.title for _, rs in done.reports for r in rs] == ["عنوان"]


def test_source_health() -> None:
    from rasid.sources.health import assess

    day = 86400.0
    healthy = FeedState(last_poll=10 * day, last_success=10 * day, last_status="200", new_items=3)
    assert assess(healthy, 6 * 3600, [], 10 * day) is None
    failing = FeedState(last_poll=10 * day, last_success=9 * day, last_status="HTTP 503", errors=20)
    assert (assess(failing, 6 * 3600, [], 10 * day) or "").startswith("failing since 1440 min: HTTP 503")
    assert assess(FeedState(last_status="200", last_success=1.0, new_items=0), 3600, [], 2.0) == "the feed lists no items"
    hourly = [10 * day - 3 * day - h * 3600 for h in range(20)]  # news every hour, none for three days
    assert (assess(healthy, 6 * 3600, hourly, 10 * day) or "").startswith("silent for 72 h")
    assert assess(healthy, 6 * 3600, hourly[:3], 10 * day) is None  # too little history to judge


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "169.254.169.254", "10.1.2.3", "192.168.0.1", "::1", "::ffff:127.0.0.1"])
def test_full_text_refuses_non_public_addresses(host: str) -> None:
    from rasid.sources.article import public_address
    from rasid.sources.fetch import FetchError

    with pytest.raises(FetchError, match="non-public address"):
        asyncio.run(public_address(host, 80, allow_private=False))
    assert asyncio.run(public_address("127.0.0.1", 80, allow_private=True)) == "127.0.0.1"


def test_brotli_bodies_and_entries_without_guid_or_link(feed_server: FeedServer) -> None:
    import brotli

    items = [{"title": "اغتيال في جاسم", "description": "قتل مسلحون قيادياً"}]
    feed_server.routes["/br"] = Response(200, brotli.compress(rss(items)), {"Content-Encoding": "br"})
    (report,) = poll(FeedSource(FeedConfig(name="b", url=f"{feed_server.url}/br"))).reports
    assert report.title == "اغتيال في جاسم" and report.url is None
    (again,) = poll(FeedSource(FeedConfig(name="b", url=f"{feed_server.url}/br"))).reports
    assert report.guid.startswith("content:") and again.guid == report.guid


def test_at_most_two_requests_at_once_per_host(feed_server: FeedServer) -> None:
    import threading

    active, peak, lock = [0], [0], threading.Lock()
    body = rss([seed_item()])

    def respond(request: object) -> Response:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.2)
        with lock:
            active[0] -= 1
        return Response(200, body)

    feed_server.respond = respond  # type: ignore[method-assign]

    async def go() -> list[FeedPoll]:
        limiter = HostLimiter()
        async with httpx.AsyncClient() as client:
            sources = [FeedSource(FeedConfig(name=f"f{i}", url=f"{feed_server.url}/f{i}")) for i in range(6)]
            return await asyncio.gather(*(s.poll(client, FeedState(), 1000.0, limiter) for s in sources))

    results = asyncio.run(go())
    assert all(len(r.reports) == 1 for r in results)
    assert peak[0] == 2


def test_a_file_opening_with_a_paragraph_gets_a_headline(tmp_path: Path) -> None:
    paragraph = "قالت مصادر محلية إن انفجارا وقع صباح اليوم في مدينة درعا جنوب سوريا " * 8
    (tmp_path / "a.txt").write_text(paragraph + "\nسطر ثان", encoding="utf-8")
    (tmp_path / "b.txt").write_text("ب" * 500, encoding="utf-8")  # no space to cut at
    reports = {rel: r for rel, (r,) in folder_source(tmp_path).scan({}).reports}
    title = reports["a.txt"].title
    assert 150 < len(title) <= 200 and paragraph.startswith(title) and not title.endswith(" ")
    assert paragraph[len(title)] == " "  # cut between words
    assert reports["a.txt"].text.startswith(paragraph)  # the text keeps every word
    assert reports["b.txt"].title == "ب" * 200
