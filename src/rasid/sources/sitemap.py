"""Sitemaps (`urlset`), sitemap indexes and Google News' `news:` extension into entries: each
page a site lists, with the title, publication date and language the news extension gives.
Parsed as XML without DTDs, entities or network access."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import unquote, urlsplit

from lxml import etree

from rasid.models import ItemFailure, clean_text
from rasid.sources.dates import parse_date
from rasid.sources.feedparse import Entry, ParsedFeed

MAX_URLS = 500
"""Pages read from one sitemap at most, the newest first (a news sitemap lists two days' worth)."""
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True)


@dataclass(frozen=True)
class Sitemap:
    """A sitemap's pages, or an index's sitemaps (newest first)."""

    parsed: ParsedFeed
    children: list[str]


def parse_sitemap(body: bytes, now: float, languages: Collection[str] = ()) -> Sitemap:
    """The sitemap's pages (only those in `languages` when the news extension names one and
    `languages` is given), or an index's sitemaps."""
    try:
        root = etree.fromstring(body, _PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        return Sitemap(ParsedFeed([], f"not XML: {exc}"), [])
    if root is None:
        return Sitemap(ParsedFeed([], "not XML: an empty document"), [])
    kind = etree.QName(root).localname
    if kind == "sitemapindex":
        listed = [(_one(s, "loc"), _one(s, "lastmod")) for s in root.xpath("./*[local-name()='sitemap']")]
        newest = sorted((loc for loc, _ in listed if loc), key=lambda loc: dict(listed).get(loc) or "", reverse=True)
        return Sitemap(ParsedFeed([], None), newest)
    if kind != "urlset":
        return Sitemap(ParsedFeed([], f"neither a urlset nor a sitemapindex but <{kind}>"), [])
    entries, failures = [], []
    clock = datetime.fromtimestamp(now, timezone.utc)
    for url in root.xpath("./*[local-name()='url']")[: 4 * MAX_URLS]:
        loc = _one(url, "loc")
        if not loc or not loc.startswith(("https://", "http://")):
            failures.append(ItemFailure(clean_text(loc or "a <url> without <loc>"), "no http or https <loc>"))
            continue
        news = url.xpath("./*[local-name()='news']")
        language = news[0].xpath("./*[local-name()='publication']/*[local-name()='language']/text()") if news else []
        if languages and language and str(language[0]).strip().lower() not in languages:
            continue
        title = _one(news[0], "title") if news else None
        stamp = (_one(news[0], "publication_date") if news else None) or _one(url, "lastmod")
        published = parse_date(stamp, timezone.utc) if stamp else None
        title = clean_text(title or slug_title(loc))
        entries.append(Entry(title, title, loc, loc, min(published, clock) if published else None))
    entries.sort(key=lambda e: e.published or datetime.min.replace(tzinfo=timezone.utc), reverse=True)
    return Sitemap(ParsedFeed(entries[:MAX_URLS][::-1], None, failures), [])


def _one(element: etree._Element, name: str) -> str | None:
    found = element.xpath(f"./*[local-name()='{name}']/text()")
    return str(found[0]).strip() if found else None


def slug_title(url: str) -> str:
    """A page's address as words: `/2026/11/30/غارة-على-تعز` -> `غارة على تعز`."""
    last = unquote(urlsplit(url).path.rstrip("/").rpartition("/")[2])
    return last.rsplit(".", 1)[0].replace("-", " ").replace("_", " ").strip() or url
