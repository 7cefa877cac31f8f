"""A site's listing page (its latest news, a section's front) into entries with CSS selectors:
one element per item, and within it the title, link, date and text. A selector that matches
nothing is named, so a redesigned page is a failure someone hears of."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from urllib.parse import urljoin

import lxml.html
from cssselect import SelectorError
from lxml.cssselect import CSSSelector

from rasid.models import ItemFailure, clean_text
from rasid.sources.dates import parse_date
from rasid.sources.decode import decode_document
from rasid.sources.feedparse import Entry, ParsedFeed
from rasid.sources.html import html_to_text

MAX_ITEMS = 200


@dataclass(frozen=True)
class Selectors:
    item: str
    title: str | None = None
    """Default: the item's first heading, else its first link."""
    link: str | None = None
    """Default: the item's first link (`a[href]`)."""
    date: str | None = None
    """An element whose `datetime` or text is the date; default: the item's first `time`."""
    text: str | None = None
    """Default: the item's whole text."""


def selector(css: str) -> CSSSelector:
    """The compiled selector; `ValueError` saying what is wrong with one that is not CSS."""
    try:
        return CSSSelector(css, translator="html")
    except SelectorError as exc:
        raise ValueError(f"{css!r} is no CSS selector: {exc}") from None


def parse_listing(body: bytes, content_type: str | None, base: str, chosen: Selectors, zone: tzinfo, now: float) -> ParsedFeed:
    """The items of a listing page, each an entry whose guid is its link."""
    text = decode_document(body, content_type or "text/html", base)
    try:
        root = lxml.html.document_fromstring(text or "<html></html>")
    except (lxml.etree.ParserError, ValueError) as exc:
        return ParsedFeed([], f"not an HTML page: {exc}")
    items = selector(chosen.item)(root)[:MAX_ITEMS]
    if not items:
        return ParsedFeed([], f"the item selector {chosen.item!r} matches nothing on the page")
    entries, failures = [], []
    clock = datetime.fromtimestamp(now, timezone.utc)
    for position, item in enumerate(items, 1):
        try:
            entries.append(_entry(item, base, chosen, zone, clock))
        except ValueError as exc:
            failures.append(ItemFailure(f"item {position}", str(exc)))
    return ParsedFeed(entries, None, failures)


def _entry(item: lxml.html.HtmlElement, base: str, chosen: Selectors, zone: tzinfo, clock: datetime) -> Entry:
    link_element = _first(item, chosen.link or "a[href]")
    href = (link_element.get("href") if link_element is not None else None) or (item.get("href") if item.tag == "a" else None)
    url = urljoin(base, href) if href else None
    if url is not None and not url.startswith(("https://", "http://")):
        url = None
    if chosen.title:
        title_element = _first(item, chosen.title)
    else:
        heading = _first(item, "h1, h2, h3, h4")
        title_element = heading if heading is not None else link_element  # an element with no children is false
    title = _words(title_element) if title_element is not None else ""
    body_element = _first(item, chosen.text) if chosen.text else item
    body = _words(body_element) if body_element is not None else ""
    if not title and not body:
        raise ValueError("an item with neither title nor text")
    date_element = _first(item, chosen.date or "time")
    published = None
    if date_element is not None:
        published = parse_date(date_element.get("datetime") or _words(date_element), zone)
        published = min(published, clock) if published else None
    title = clean_text(title or body.splitlines()[0])[:300]
    guid = url or "page:" + hashlib.sha256(f"{title}\x00{body}".encode()).hexdigest()[:24]
    return Entry(title, clean_text(body or title), url, guid, published)


def _first(item: lxml.html.HtmlElement, css: str) -> lxml.html.HtmlElement | None:
    found = selector(css)(item)
    return found[0] if found else None


def _words(element: lxml.html.HtmlElement) -> str:
    """The element's text, its blocks and line breaks as lines (a heading does not run into the date after it)."""
    return html_to_text(lxml.html.tostring(element, encoding="unicode", with_tail=False))
