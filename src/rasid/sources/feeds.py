"""`FeedSource`: poll an RSS or Atom feed over HTTP, politely, into reports."""

from __future__ import annotations

import calendar
import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import feedparser
import httpx

from rasid import __version__
from rasid.config.models import FeedConfig
from rasid.models import Report
from rasid.sources.html import html_to_text
from rasid.store.base import FeedState

log = logging.getLogger("rasid.sources.feed")

_HARMLESS = (feedparser.NonXMLContentType, feedparser.CharacterEncodingOverride)
"""Flagged by feedparser, yet the feed was read as intended."""

USER_AGENT = f"rasid/{__version__} (Arabic news monitor)"


@dataclass
class FeedPoll:
    """The outcome of one poll: reports (empty on 304 or error) and the state to keep."""

    reports: list[Report] = field(default_factory=list)
    state: FeedState = field(default_factory=FeedState)
    error: str | None = None


class FeedSource:
    """One configured feed."""

    def __init__(self, config: FeedConfig) -> None:
        self.config = config
        self.name = config.name

    async def poll(self, client: httpx.AsyncClient, previous: FeedState, now: float) -> FeedPoll:
        """Fetch the feed (conditionally) and parse new entries; never raises for a bad feed."""
        headers = {}
        if previous.etag:
            headers["If-None-Match"] = previous.etag
        if previous.last_modified:
            headers["If-Modified-Since"] = previous.last_modified
        try:
            response = await client.get(self.config.url, headers=headers, timeout=self.config.timeout)
        except httpx.HTTPError as exc:
            return self._failed(previous, now, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
        if response.status_code == 304:
            return FeedPoll(state=_replace(previous, last_poll=now, last_success=now, last_status="304", errors=0))
        if response.status_code >= 400:
            return self._failed(previous, now, f"HTTP {response.status_code}")
        parsed = feedparser.parse(
            response.content,
            response_headers={k.lower(): v for k, v in response.headers.items()} | {"content-location": str(response.url)},
        )
        problem = parsed.get("bozo_exception")
        if isinstance(problem, _HARMLESS):
            problem = None
        if problem and not parsed.entries:
            return self._failed(previous, now, f"unreadable feed: {problem!s}")
        if problem:
            log.warning("feed malformed source=%s reason=%r entries=%d", self.name, str(problem), len(parsed.entries))
        reports = [_entry_report(self.name, entry) for entry in parsed.entries]
        state = FeedState(
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            last_poll=now,
            last_success=now,
            last_status=str(response.status_code),
            errors=0,
        )
        return FeedPoll(reports=reports, state=state)

    def _failed(self, previous: FeedState, now: float, error: str) -> FeedPoll:
        state = _replace(previous, last_poll=now, last_status=error, errors=previous.errors + 1)
        return FeedPoll(state=state, error=error)


def _replace(state: FeedState, **changes: Any) -> FeedState:
    return FeedState(**{**state.__dict__, **changes})


def _entry_report(source: str, entry: Any) -> Report:
    title = html_to_text(entry.get("title", ""))
    body = ""
    if entry.get("content"):
        body = html_to_text(entry["content"][0].get("value", ""))
    if not body:
        body = html_to_text(entry.get("summary", ""))
    text = f"{title}\n\n{body}" if title and body and not body.startswith(title) else body or title
    link = entry.get("link") or None
    guid = entry.get("id") or link or "content:" + hashlib.sha256(text.encode()).hexdigest()[:24]
    published = None
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    if stamp:
        published = datetime.fromtimestamp(calendar.timegm(stamp), tz=timezone.utc)
    return Report(source, title, text, url=link, guid=guid, published=published)
