"""The alert document: what every notifier is given, stored in the outbox as is."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any

from rasid.models import Alert, Match, Report

SNIPPET_CONTEXT = 80
_WHITESPACE = re.compile(r"\s+")


def alert_id(report_key: str, watchlist: str) -> str:
    """Stable for one report and one watch-list, whatever the run."""
    return "alert_" + hashlib.sha256(f"{report_key}\x00{watchlist}".encode()).hexdigest()[:24]


def alert_document(alert: Alert, created_at: datetime) -> dict[str, Any]:
    """The JSON body of an alert."""
    report = alert.report
    return {
        "type": "alert",
        "id": alert.id,
        "watchlist": alert.watchlist,
        "created_at": created_at.isoformat(timespec="seconds"),
        "story": {"id": alert.story_id, "sources": alert.story_sources},
        "report": _report_json(report),
        "matches": [m.to_json() for m in alert.matches],
        "snippet": snippet(report.text, alert.matches),
    }


def combined_document(documents: list[dict[str, Any]]) -> dict[str, Any]:
    """One report's alerts for several watch-lists as one document: the first's, naming every
    watch-list and alert id, with every list's matches."""
    first = documents[0]
    matches = {(m["start"], m["end"], m["kind"], m["term"]): m for d in documents for m in d["matches"]}
    return {
        **first,
        "watchlists": [d["watchlist"] for d in documents],
        "alerts": [d["id"] for d in documents],
        "matches": [matches[k] for k in sorted(matches)],
    }


def burst_document(watchlist: str, outlets: int, within: float, stories: list[dict[str, Any]], created_at: datetime) -> dict[str, Any]:
    """Breaking news: `outlets` sources carried `stories` firing `watchlist` within `within` seconds."""
    return {
        "type": "burst",
        "id": "burst_" + hashlib.sha256(f"{watchlist}\x00{created_at.isoformat()}".encode()).hexdigest()[:24],
        "watchlist": watchlist,
        "created_at": created_at.isoformat(timespec="seconds"),
        "urgent": True,
        "outlets": outlets,
        "within": within,
        "stories": stories,
    }


def story_update_document(
    report_key: str, watchlist: str, report: Report, story_id: str, sources: int, similarity: float, created_at: datetime
) -> dict[str, Any]:
    """A follow-up event: one more outlet carried a story that already alerted."""
    return {
        "type": "story.updated",
        "id": "update_" + hashlib.sha256(f"{report_key}\x00{watchlist}".encode()).hexdigest()[:24],
        "watchlist": watchlist,
        "created_at": created_at.isoformat(timespec="seconds"),
        "story": {"id": story_id, "sources": sources},
        "report": _report_json(report),
        "similarity": round(similarity, 3),
    }


def _report_json(report: Report) -> dict[str, Any]:
    out: dict[str, Any] = {
        "title": report.title,
        "url": report.url,
        "source": report.source,
        "published": report.published.isoformat() if report.published else None,
    }
    if report.path:
        out["path"] = report.path
    return out


def snippet(text: str, matches: tuple[Match, ...], context: int = SNIPPET_CONTEXT) -> str:
    """A short passage of `text` around its strongest match (`strongest`), cut at word boundaries."""
    if not matches:
        return _WHITESPACE.sub(" ", text[: 2 * context]).strip()
    first = strongest(matches, context)
    start = max(0, first.start - context)
    end = min(len(text), first.end + context)
    if start > 0:
        space = text.find(" ", start, first.start)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", first.end, end)
        end = space if space != -1 else end
    body = _WHITESPACE.sub(" ", text[start:end]).strip()
    return ("… " if start > 0 else "") + body + (" …" if end < len(text) else "")


ANCHORS = 200
"""Matches tried as the passage's centre: the first ones, in a report that has more."""


def strongest(matches: tuple[Match, ...], context: int = SNIPPET_CONTEXT) -> Match:
    """The match whose passage (`context` characters either side) says most of why the report
    alerted: a place and a keyword together, then the most terms, then the surest, then the
    first. A report opening on one keyword shows where the place and the event are named."""

    def weight(anchor: Match) -> tuple[int, int, float, int]:
        near = [m for m in matches if m.start >= anchor.start - context and m.end <= anchor.end + context]
        kinds = {m.kind for m in near}
        sure = max(1.0 if m.confidence is None else m.confidence for m in near)
        return ("place" in kinds) + ("keyword" in kinds), len({m.term for m in near}), sure, -anchor.start

    return max(sorted(matches, key=lambda m: m.start)[:ANCHORS], key=weight)
