"""Alerts as an Atom 1.0 feed, for a feed reader (Miniflux, Outlook, Thunderbird ...)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from xml.sax.saxutils import escape, quoteattr


def atom_feed(title: str, self_url: str, documents: list[dict[str, Any]]) -> bytes:
    """A feed of alert documents, newest first: each an entry with the report's title and link,
    the alert's time, and its watch-list, places, keywords and passage in right-to-left text."""
    updated = documents[0]["created_at"] if documents else datetime.now(timezone.utc).isoformat(timespec="seconds")
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">',
        f"<title>{escape(title)}</title>",
        f"<id>{escape(self_url)}</id>",
        f"<link rel=\"self\" href={quoteattr(self_url)}/>",
        f"<updated>{escape(updated)}</updated>",
        "<author><name>rasid</name></author>",
    ]
    for document in documents:
        parts.append(_entry(document))
    parts.append("</feed>")
    return "\n".join(parts).encode("utf-8")


def _entry(document: dict[str, Any]) -> str:
    report = document.get("report", {})
    matches = document.get("matches", [])
    places = "، ".join(dict.fromkeys(m["term"] for m in matches if m.get("kind") == "place"))
    keywords = "، ".join(dict.fromkeys(m["term"] for m in matches if m.get("kind") == "keyword"))
    lines = [f"[{document.get('watchlist', '')}] {report.get('source', '')}"]
    lines += [f"الأماكن: {places}"] if places else []
    lines += [f"الكلمات: {keywords}"] if keywords else []
    lines += [document.get("snippet", "")]
    html = "".join(f'<p dir="rtl">{escape(line)}</p>' for line in lines if line)
    link = f"<link href={quoteattr(report['url'])}/>" if report.get("url") else ""
    return (
        "<entry>"
        f"<title>{escape(report.get('title', ''))}</title>"
        f"<id>urn:rasid:{escape(document['id'])}</id>"
        f"<updated>{escape(document['created_at'])}</updated>"
        + (f"<published>{escape(report['published'])}</published>" if report.get("published") else "")
        + link
        + f'<category term={quoteattr(document.get("watchlist", ""))}/>'
        + f"<content type=\"html\">{escape(html)}</content>"
        "</entry>"
    )
