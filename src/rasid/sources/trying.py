"""An address read as the source it looks like (a feed, a sitemap, a Telegram channel's
preview, or a listing page with the selectors given), for `rasid sources try`: what rasid
would take from it, before it goes into the config; and what is wrong with a configured source
read once (`rasid check --online`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timezone

from rasid.redact import redact_url
from rasid.sources.discovery import looks_like_html
from rasid.sources.feedparse import ParsedFeed, parse_feed
from rasid.sources.listing import Selectors, parse_listing
from rasid.sources.sitemap import parse_sitemap
from rasid.sources.telegram import parse_preview

_SITEMAP_ROOT = re.compile(rb"<(?:\w+:)?(?:urlset|sitemapindex)\b")


@dataclass(frozen=True)
class Tried:
    """What a source would read from one answer: as which kind, its items, and (for a sitemap
    index) the sitemaps it lists."""

    kind: str
    parsed: ParsedFeed
    children: list[str]


def read_as_source(body: bytes, content_type: str | None, url: str, selectors: Selectors | None, now: float) -> Tried:
    """Read an answer as the source it looks like: a listing page when `selectors` are given, a
    Telegram channel's preview, a sitemap, or a feed; a web page without selectors is a problem."""
    if selectors is not None:
        return Tried("page", parse_listing(body, content_type, url, selectors, timezone.utc, now), [])
    if looks_like_html(content_type, body):
        if b"tgme_widget_message" in body or b"tgme_channel_info" in body:
            return Tried("telegram", parse_preview(body, content_type, now).parsed, [])
        return Tried("page", ParsedFeed([], "a web page, not a feed: give --item (and --title, --link, --date, --text) to"
                                            " read it as a listing page, or find its feeds with `rasid sources discover`"), [])  # fmt: skip
    if _SITEMAP_ROOT.search(body[:4096]):
        sitemap = parse_sitemap(body, now)
        return Tried("sitemap", sitemap.parsed, sitemap.children)
    return Tried("feed", parse_feed(body, content_type, timezone.utc, now, url), [])


def source_problem(
    kind: str, status: int, content_type: str | None, body: bytes, url: str, selectors: Selectors | None, now: float
) -> str | None:  # fmt: skip
    """What is wrong with a configured source of `kind` (`feed`, `telegram`, `sitemap`, `page`)
    whose address answered so; None when it reads as one."""
    if status >= 400:
        return f"answers HTTP {status}"
    tried = read_as_source(body, content_type, url, selectors, now)
    if kind in ("feed", "sitemap") and tried.kind != kind:
        return f"serves a web page, not a {kind}: try `rasid sources discover {redact_url(url)}`"
    if kind == "telegram" and tried.kind != kind:
        return "not a public channel's preview: private, renamed or gone?"
    if tried.parsed.problem:
        return tried.parsed.problem
    if not tried.parsed.entries and not tried.children:
        return "no post yet" if kind == "telegram" else "reads no item"
    return None
