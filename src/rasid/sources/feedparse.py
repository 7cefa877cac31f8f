"""RSS and Atom documents into entries, whether fetched or saved in a folder."""

from __future__ import annotations

import calendar
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from typing import Any

import feedparser

from rasid.models import MAX_TEXT_CHARS, ItemFailure, clean_text
from rasid.sources.dates import parse_date, unknown_zone
from rasid.sources.decode import decode_document
from rasid.sources.html import html_to_text, tidy

_HARMLESS = (feedparser.NonXMLContentType, feedparser.CharacterEncodingOverride)
"""Flagged by feedparser, yet the feed was read as intended."""
_PROLOG_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])[A-Za-z0-9._-]+(["'])""", re.IGNORECASE)
_CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")
MAX_MARKUP_CHARS = 4 * MAX_TEXT_CHARS
"""An entry's HTML beyond this is not made text: the report would be cut to `MAX_TEXT_CHARS` anyway."""


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
    failures: list[ItemFailure] = field(default_factory=list)
    """Entries that could not be read; the others are in `entries`."""


def parse_feed(body: bytes, content_type: str | None, zone: tzinfo, now: float, where: str = "") -> ParsedFeed:
    """Decode (see `decode_document`) and parse a feed; dates never later than `now`. Each entry
    is read on its own: one that fails is listed in `failures` and the others are kept.
    `where` names the feed or file in log lines."""
    text = cut_long_contents(repair_character_references(decode_document(body, content_type, where)))
    try:
        parsed = feedparser.parse(
            _PROLOG_ENCODING.sub(r"\1utf-8\2", text, count=1).encode("utf-8", errors="replace"),
            response_headers={"content-type": "application/xml; charset=utf-8"},
        )
    except Exception as exc:  # feedparser's own bugs on hostile input: the document is unreadable, not the daemon
        return ParsedFeed([], f"{type(exc).__name__}: {exc}")
    problem = parsed.get("bozo_exception")
    if isinstance(problem, _HARMLESS):
        problem = None
    entries, failures = [], []
    for position, raw in enumerate(parsed.entries, 1):
        try:
            entries.append(_entry(raw, zone, now))
        except Exception as exc:  # one odd entry must not cost the others
            item = str(raw.get("id") or raw.get("link") or f"entry {position}")
            failures.append(ItemFailure(clean_text(item), f"{type(exc).__name__}: {exc}"))
    return ParsedFeed(entries, str(problem) if problem else None, failures)


def cut_long_contents(text: str, limit: int = MAX_MARKUP_CHARS) -> str:
    """`text` with every run of character data and every CDATA section longer than `limit` cut
    to `limit`: feedparser handles an element's text in single calls that hold the interpreter,
    and so the event loop, for over a second on a text of ten million characters."""
    if len(text) <= limit:
        return text
    pieces, start = [], 0
    while start < len(text):
        tag = text.find("<", start)
        end = len(text) if tag < 0 else tag
        pieces.append(text[start : min(end, start + limit)])
        if tag < 0:
            break
        if text.startswith("<![CDATA[", tag):
            close = text.find("]]>", tag)
            close = len(text) if close < 0 else close
            pieces.append(text[tag : min(close, tag + 9 + limit)] + "]]>")
            start = close + 3
        else:
            close = text.find(">", tag)
            close = len(text) if close < 0 else close + 1
            pieces.append(text[tag:close])
            start = close
    return "".join(pieces)


def repair_character_references(text: str) -> str:
    """`text` with numeric character references to no character (a surrogate, NUL, beyond
    U+10FFFF), which make the XML parser raise, replaced by a reference to U+FFFD."""

    def repair(m: re.Match[str]) -> str:
        digits = m.group(1) or m.group(2)
        if len(digits) > 8:
            return "&#xFFFD;"
        code = int(digits, 16) if m.group(1) else int(digits)
        return m.group(0) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "&#xFFFD;"

    return _CHARACTER_REFERENCE.sub(repair, text) if "&#" in text else text


def _entry(entry: Any, zone: tzinfo, now: float) -> Entry:
    title = _as_text(entry.get("title", ""), entry.get("title_detail"))
    body = ""
    if entry.get("content"):
        body = _as_text(entry["content"][0].get("value", ""), entry["content"][0])
    if not body:
        body = _as_text(entry.get("summary", ""), entry.get("summary_detail"))
    text = f"{title}\n\n{body}" if title and body and not body.startswith(title) else body or title
    link = entry.get("link") or None
    guid = entry.get("id") or link or "content:" + hashlib.sha256(text.encode()).hexdigest()[:24]
    return Entry(title, text, link, guid, entry_date(entry, zone, now))


def _as_text(value: str, detail: Any) -> str:
    """A title, summary or content as plain text: markup made text, but a field its feed declares
    plain text («History of the <blink> tag», an escaped «</example>») kept as written."""
    value = value[:MAX_MARKUP_CHARS]
    if detail and detail.get("type") == "text/plain":
        return tidy(value)
    return html_to_text(value)


def entry_date(entry: Any, zone: tzinfo, now: float) -> datetime | None:
    """When an entry was published: read by `parse_date` (zone-less dates in the feed's zone),
    else as feedparser read it, and none when it names a zone nobody knows; never after now."""
    published = None
    guessed = False  # a zone nobody knows: feedparser reads it as UTC, and hours off is worse than no date
    for key in ("published", "updated", "dc_date", "created"):
        raw = entry.get(key)
        if raw and unknown_zone(raw):
            guessed = True
        elif raw:
            published = parse_date(raw, zone)
            if published:
                break
    if published is None and not guessed:
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        if stamp:
            published = datetime.fromtimestamp(calendar.timegm(stamp), tz=timezone.utc)
    seen = datetime.fromtimestamp(now, timezone.utc)
    return min(published, seen) if published else None
