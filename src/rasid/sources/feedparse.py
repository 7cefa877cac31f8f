"""RSS and Atom documents into entries, whether fetched or saved in a folder."""

from __future__ import annotations

import calendar
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from typing import Any

import feedparser

from rasid.sources.dates import parse_date
from rasid.sources.decode import decode_document
from rasid.sources.html import html_to_text

_HARMLESS = (feedparser.NonXMLContentType, feedparser.CharacterEncodingOverride)
"""Flagged by feedparser, yet the feed was read as intended."""
_PROLOG_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])[A-Za-z0-9._-]+(["'])""", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    """One feed entry as plain text."""

    title: str
    text: str
    url: str | None
    guid: str
    published: datetime | None


@dataclass(frozen=True)
class ParsedFeed:
    entries: list[Entry]
    problem: str | None
    """What feedparser found wrong, if anything; entries it could read are kept."""


def parse_feed(body: bytes, content_type: str | None, zone: tzinfo, now: float) -> ParsedFeed:
    """Decode (see `decode_document`) and parse a feed; dates never later than `now`."""
    text = decode_document(body, content_type)
    parsed = feedparser.parse(
        _PROLOG_ENCODING.sub(r"\1utf-8\2", text, count=1).encode("utf-8"),
        response_headers={"content-type": "application/xml; charset=utf-8"},
    )
    problem = parsed.get("bozo_exception")
    if isinstance(problem, _HARMLESS):
        problem = None
    entries = [_entry(e, zone, now) for e in parsed.entries]
    return ParsedFeed(entries, str(problem) if problem else None)


def _entry(entry: Any, zone: tzinfo, now: float) -> Entry:
    title = html_to_text(entry.get("title", ""))
    body = ""
    if entry.get("content"):
        body = html_to_text(entry["content"][0].get("value", ""))
    if not body:
        body = html_to_text(entry.get("summary", ""))
    text = f"{title}\n\n{body}" if title and body and not body.startswith(title) else body or title
    link = entry.get("link") or None
    guid = entry.get("id") or link or "content:" + hashlib.sha256(text.encode()).hexdigest()[:24]
    return Entry(title, text, link, guid, entry_date(entry, zone, now))


def entry_date(entry: Any, zone: tzinfo, now: float) -> datetime | None:
    """When an entry was published: read as Arabic sites write dates, else as feedparser did; never after now."""
    published = None
    for key in ("published", "updated", "dc_date", "created"):
        raw = entry.get(key)
        if raw:
            published = parse_date(raw, zone)
            if published:
                break
    if published is None:
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        if stamp:
            published = datetime.fromtimestamp(calendar.timegm(stamp), tz=timezone.utc)
    seen = datetime.fromtimestamp(now, timezone.utc)
    return min(published, seen) if published else None
