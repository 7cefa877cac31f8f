"""Finding a site's feeds and sitemaps: the feeds its pages announce (`<link rel="alternate">`),
the usual places feeds live, and the sitemaps its `robots.txt` names, each checked by reading
it; the public Telegram channels its page links to; and whether an address serves a page rather
than a feed."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timezone
from urllib.parse import urljoin, urlsplit

import lxml.html

from rasid.config.models import channel_name
from rasid.sources.feedparse import parse_feed
from rasid.sources.sitemap import parse_sitemap

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/xml", "text/xml")
COMMON_FEEDS = ("/feed", "/rss", "/feed.xml", "/rss.xml", "/atom.xml", "/index.xml", "/?feed=rss2", "/feeds/posts/default")
COMMON_SITEMAPS = ("/sitemap_index.xml", "/news-sitemap.xml", "/sitemap.xml")
_SITEMAP_LINE = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.IGNORECASE | re.MULTILINE)

Get = Callable[[str], tuple[int, str, bytes]]
"""Fetch an address: its status, content type and (capped) body; raises OSError when it cannot."""


TELEGRAM_HOSTS = ("t.me", "telegram.me")
NOT_CHANNELS = frozenset({
    "joinchat", "addstickers", "addemoji", "addlist", "addtheme", "share", "proxy", "socks", "setlanguage", "login",
    "boost", "contact", "invoice", "confirmphone", "iv",
})  # fmt: skip
"""t.me paths that are Telegram's own pages, not channels."""


@dataclass(frozen=True)
class Found:
    kind: str
    """`feed`, `sitemap` or `telegram` (its `url` then the channel's name)."""
    url: str
    entries: int
    latest: str | None
    how: str
    """Where it was found: announced by the page, a usual place, robots.txt."""


def looks_like_html(content_type: str | None, body: bytes) -> bool:
    """Whether a body is a web page rather than a feed."""
    start = body[:512].lstrip().lower()
    return (content_type or "").split(";")[0].strip().lower() == "text/html" or start.startswith((b"<!doctype html", b"<html"))


def announced_feeds(html: str, base: str) -> list[str]:
    """The feeds a page announces in `<link rel="alternate" type=…>`, as absolute addresses."""
    try:
        root = lxml.html.document_fromstring(html or "<html></html>")
    except (lxml.etree.ParserError, ValueError):
        return []
    out = []
    for link in root.xpath("//link[@href]"):
        rels = (link.get("rel") or "").lower().split()
        if "alternate" in rels and (link.get("type") or "").split(";")[0].strip().lower() in FEED_TYPES:
            out.append(urljoin(base, link.get("href")))
    return list(dict.fromkeys(out))


def linked_channels(html: str) -> list[str]:
    """The public Telegram channels a page links to (`https://t.me/NAME`, or one of its posts), by name."""
    try:
        root = lxml.html.document_fromstring(html or "<html></html>")
    except (lxml.etree.ParserError, ValueError):
        return []
    named = (telegram_channel(str(href)) for href in root.xpath("//a/@href"))
    return list(dict.fromkeys(name for name in named if name))


def telegram_channel(url: str) -> str | None:
    """The public channel a t.me address (the channel's, its preview's or one of its posts') names."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or (parts.hostname or "").removeprefix("www.") not in TELEGRAM_HOSTS:
        return None
    name = channel_name("https://t.me" + re.sub(r"/\d+/?$", "", parts.path))
    return name if name and name.lower() not in NOT_CHANNELS else None


def robots_sitemaps(text: str, base: str) -> list[str]:
    return [urljoin(base, m) for m in dict.fromkeys(_SITEMAP_LINE.findall(text))]


def discover(site: str, get: Get) -> list[Found]:
    """Every feed and sitemap of `site` that reads as one, announced ones first, then the
    Telegram channels its page links to; for a t.me address, its channel (nothing fetched)."""
    if (channel := telegram_channel(site)) is not None:
        return [Found("telegram", channel, 0, None, "the address given")]
    root = "{0.scheme}://{0.netloc}".format(urlsplit(site))
    found: list[Found] = []
    seen: set[str] = set()

    def check(url: str, how: str, kind: str) -> None:
        if url in seen:
            return
        seen.add(url)
        try:
            status, content_type, body = get(url)
        except OSError:
            return
        if status != 200 or (kind == "feed" and looks_like_html(content_type, body)):
            return
        if kind == "feed":
            parsed = parse_feed(body, content_type, timezone.utc, time.time(), url)
            if parsed.entries:
                latest = max((e.published for e in parsed.entries if e.published), default=None)
                found.append(Found("feed", url, len(parsed.entries), latest.isoformat() if latest else None, how))
        else:
            sitemap = parse_sitemap(body, time.time())
            count = len(sitemap.parsed.entries) or len(sitemap.children)
            if count and not sitemap.parsed.problem:
                latest = max((e.published for e in sitemap.parsed.entries if e.published), default=None)
                found.append(Found("sitemap", url, count, latest.isoformat() if latest else None, how))

    try:
        status, content_type, body = get(site)
        page = body.decode("utf-8", "replace") if status == 200 else ""
    except OSError:
        page = ""
    for url in announced_feeds(page, site):
        check(url, "announced by the page", "feed")
    for path in COMMON_FEEDS:
        check(root + path, "a usual place", "feed")
    try:
        status, _, body = get(root + "/robots.txt")
        listed = robots_sitemaps(body.decode("utf-8", "replace"), root) if status == 200 else []
    except OSError:
        listed = []
    for url in listed:
        check(url, "robots.txt", "sitemap")
    for path in COMMON_SITEMAPS:
        check(root + path, "a usual place", "sitemap")
    for name in linked_channels(page):  # not fetched here: its first poll says whether it is public
        found.append(Found("telegram", name, 0, None, "linked from the page"))
    return found


def config_lines(site: str, found: list[Found]) -> list[str]:
    """The config lines for what was found, ready to paste under `sources:`."""
    host = urlsplit(site).hostname or "site"
    stem = re.sub(r"[^a-z0-9]+", "-", host.lower().removeprefix("www.")).strip("-") or "site"
    lines = []
    for kind, key in (("feed", "feeds"), ("sitemap", "sitemaps"), ("telegram", "telegram")):
        of_kind = [f for f in found if f.kind == kind]
        if of_kind:
            lines.append(f"  {key}:")
        if kind == "telegram":
            lines += [f'    - {{name: tg-{f.url.lower()}, channel: "@{f.url}"}}  # {f.how}' for f in of_kind]
            continue
        for i, f in enumerate(of_kind):
            base = stem if kind == "feed" else f"{stem}-sitemap"  # source names are one namespace
            name = base if i == 0 else f"{base}-{i + 1}"
            note = f"{f.entries} {'entries' if kind == 'feed' else 'pages'}" + (f", latest {f.latest}" if f.latest else "") + f"; {f.how}"
            lines.append(f'    - {{name: {name}, url: "{f.url}"}}  # {note}')
    return lines
