"""What every chat format says about a document, before it is dressed for one service."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from rasid.delivery.formats.wording import PLAIN, Wording, format_span


@dataclass(frozen=True)
class Message:
    """The parts of a notification: a heading, a linked title, a passage and facts."""

    heading: str
    title: str
    url: str | None
    body: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    emphasis: list[str] = field(default_factory=list)


def message(document: dict[str, Any], wording: Wording = PLAIN) -> Message:
    """The message for an alert, a story update, a notifier event or a digest entry, its labels
    and times as `wording` has them."""
    kind = document.get("type", "alert")
    if kind in ("notifier.failing", "notifier.recovered"):
        state = wording["failing" if kind == "notifier.failing" else "recovered"]
        since = f" {wording['since']} {wording.when(document['failing_since'])}" if document.get("failing_since") else ""
        error = f": {document['error']}" if document.get("error") else ""
        notifier = document["notifier"]
        return Message(f"rasid: {wording['notifier']} {notifier} {state}", f"{notifier} {state}{since}", None, error.lstrip(": "))
    if kind in ("source.unhealthy", "source.recovered"):
        state = wording["unhealthy" if kind == "source.unhealthy" else "recovered"]
        source = document["source"]
        return Message(f"rasid: {wording['source']} {source} {state}", f"{source} {state}", None, document["reason"])
    if kind == "brief":
        span = f"{wording.when(document['since'])} – {wording.when(document['until'])}"
        facts = [(wording["alerts"], str(document["alerts"]))]
        for key, label, name in (("watchlists", "watchlists", "name"), ("areas", "areas", "name"), ("keywords", "keywords", "term")):
            if document.get(key):
                facts.append((wording[label], wording["comma"].join(f"{x[name]} {x['alerts']}" for x in document[key])))
        lines = [f"{'• ' if s['new'] else '  '}{s['title']} ({wording.sources(s['outlets'])})" for s in document.get("stories", [])]
        lines += [f"⚠ {p['source']}: {p['problem']}" for p in document.get("sources", [])]
        return Message(f"rasid · {wording['brief']}", span, None, "\n".join(lines), facts)
    if kind == "burst":
        stories = document.get("stories", [])
        heading = f"{document['watchlist']} · {wording['burst']}"
        title = f"{wording.sources(document['outlets'])} {wording['within']} {format_span(document['within'])}"
        lines = [f"{s['title']} ({wording['comma'].join(s.get('outlets', []))})" for s in stories[:10]]
        return Message(heading, title, None, "\n".join(lines), [(wording["stories"], str(len(stories)))])
    report = document["report"]
    story = document.get("story") or {}
    sources = story.get("sources", 1)
    facts = [(wording["source"], report["source"])]
    if report.get("published"):
        facts.append((wording["published"], wording.when(report["published"])))
    if kind == "story.updated":
        facts.append((wording["story"], f"{story.get('id')} · {wording.sources(sources)}"))
        heading = f"{document['watchlist']} · {wording['carried again']} ({wording.sources(sources)})"
        return Message(heading, report["title"], report.get("url"), "", facts)
    matches = document.get("matches", [])
    for kind_name, label in (("place", "places"), ("keyword", "keywords")):
        counts = Counter(m["term"] for m in matches if m["kind"] == kind_name)
        if counts:
            facts.append((wording[label], "، ".join(t if n == 1 else f"{t} ×{n}" for t, n in counts.items())))
    if story:
        facts.append((wording["story"], wording.sources(sources)))
    emphasis = [m["surface"] for m in matches]
    return Message(" · ".join(document.get("watchlists") or [document["watchlist"]]), report["title"], report.get("url"), document.get("snippet", ""), facts, emphasis)
