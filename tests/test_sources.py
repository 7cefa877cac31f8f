"""Sources against real files and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import httpx
import pytest

from rasid.config import FeedConfig, FolderConfig
from rasid.sources import FeedSource, FolderSource
from rasid.sources.decode import BinaryContent, decode_text
from rasid.sources.html import html_to_text
from rasid.store.base import FeedState
from support import DATA, FeedServer, Response, rss, seed_item


def folder_source(path: Path, **kw: object) -> FolderSource:
    return FolderSource(FolderConfig(name="inbox", path=path, **kw))


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


def poll(source: FeedSource, state: FeedState = FeedState()) -> object:
    async def go() -> object:
        async with httpx.AsyncClient() as client:
            return await source.poll(client, state, 1000.0)

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
    slow = poll(FeedSource(FeedConfig(name="s", url=f"{feed_server.url}/slow", timeout=0.5)))
    assert slow.error and "Timeout" in slow.error


def test_malformed_feed_keeps_readable_entries(feed_server: FeedServer) -> None:
    body = (DATA / "feeds" / "unescaped-ampersand.xml").read_bytes()
    feed_server.routes["/m"] = Response(200, body)
    result = poll(FeedSource(FeedConfig(name="m", url=f"{feed_server.url}/m")))
    assert result.error is None
    assert [r.title for r in result.reports] == ["اجتماع في درعا & القنيطرة", "اغتيال في جاسم"]
    assert result.reports[1].guid.startswith("https://")
