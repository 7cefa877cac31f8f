"""What every chat format says about a document, before it is dressed for one service."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Message:
    """The parts of a notification: a heading, a linked title, a passage and facts."""

    heading: str
    title: str
    url: str | None
    body: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    emphasis: list[str] = field(default_factory=list)


def message(document: dict[str, Any]) -> Message:
    """The message for an alert, a story update, a notifier event or a digest entry."""
    kind = document.get("type", "alert")
    if kind in ("notifier.failing", "notifier.recovered"):
        state = "failing" if kind == "notifier.failing" else "recovered"
        since = f" since {document['failing_since']}" if document.get("failing_since") else ""
        error = f": {document['error']}" if document.get("error") else ""
        return Message(f"rasid: notifier {document['notifier']} {state}", f"{document['notifier']} {state}{since}", None, error.lstrip(": "))
    if kind in ("source.unhealthy", "source.recovered"):
        state = "unhealthy" if kind == "source.unhealthy" else "recovered"
        return Message(f"rasid: source {document['source']} {state}", f"{document['source']} {state}", None, document["reason"])
    report = document["report"]
    story = document.get("story") or {}
    sources = story.get("sources", 1)
    facts = [("source", report["source"])]
    if report.get("published"):
        facts.append(("published", report["published"]))
    if kind == "story.updated":
        facts.append(("story", f"{story.get('id')} · {sources} sources"))
        return Message(f"{document['watchlist']} · carried again ({sources} sources)", report["title"], report.get("url"), "", facts)
    matches = document.get("matches", [])
    for kind_name, label in (("place", "places"), ("keyword", "keywords")):
        counts = Counter(m["term"] for m in matches if m["kind"] == kind_name)
        if counts:
            facts.append((label, "، ".join(t if n == 1 else f"{t} ×{n}" for t, n in counts.items())))
    if story:
        facts.append(("story", f"{sources} source{'s' if sources != 1 else ''}"))
    emphasis = [m["surface"] for m in matches]
    return Message(document["watchlist"], report["title"], report.get("url"), document.get("snippet", ""), facts, emphasis)
