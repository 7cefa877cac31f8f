"""Microsoft Teams Workflows webhooks: an Adaptive Card 1.5, right to left."""

from __future__ import annotations

from typing import Any

from rasid.delivery.formats.message import Message
from rasid.delivery.formats.text import emphasise, truncate

TEXT_LIMIT = 3000
_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\*_`[]"})


def _escape(text: str) -> str:
    return text.translate(_MARKDOWN)


def body(m: Message) -> list[dict[str, Any]]:
    title = _escape(m.title)
    out: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": m.heading, "weight": "Bolder", "size": "Small", "isSubtle": True, "wrap": True},
        {"type": "TextBlock", "text": f"[{title}]({m.url})" if m.url else title, "weight": "Bolder", "size": "Medium", "wrap": True},
    ]
    if m.body:
        out.append({"type": "TextBlock", "text": emphasise(truncate(m.body, TEXT_LIMIT), m.emphasis, _escape, lambda w: f"**{w}**"), "wrap": True})
    if m.facts:
        out.append({"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in m.facts]})
    return out


def render(messages: list[Message]) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    for i, m in enumerate(messages):
        block = {"type": "Container", "items": body(m), "separator": i > 0}
        content.append(block)
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.5",
        "rtl": True,
        "body": content,
    }
    return {"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}]}
