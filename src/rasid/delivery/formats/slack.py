"""Slack incoming webhooks: Block Kit."""

from __future__ import annotations

from typing import Any

from rasid.delivery.formats.message import Message
from rasid.delivery.formats.text import emphasise, isolate_ltr, truncate

SECTION_LIMIT = 3000
HEADER_LIMIT = 150
MAX_BLOCKS = 50


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def blocks(m: Message) -> list[dict[str, Any]]:
    title = _escape(isolate_ltr(m.title))
    linked = f"*<{m.url}|{title}>*" if m.url else f"*{title}*"
    out: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": truncate(isolate_ltr(m.heading), HEADER_LIMIT)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": truncate(linked, SECTION_LIMIT)}},
    ]
    if m.body:
        body = emphasise(truncate(isolate_ltr(m.body), SECTION_LIMIT - 200), m.emphasis, _escape, lambda w: f"*{w}*")
        out.append({"type": "section", "text": {"type": "mrkdwn", "text": body}})
    if m.facts:
        facts = " · ".join(f"{k}: {_escape(isolate_ltr(v))}" for k, v in m.facts)
        out.append({"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(facts, SECTION_LIMIT)}]})
    return out


def render(messages: list[Message]) -> dict[str, Any]:
    all_blocks: list[dict[str, Any]] = []
    for m in messages:
        if all_blocks:
            all_blocks.append({"type": "divider"})
        all_blocks.extend(blocks(m))
    if len(all_blocks) > MAX_BLOCKS:
        all_blocks = all_blocks[: MAX_BLOCKS - 1] + [
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "… more in rasid"}]}
        ]
    fallback = truncate(" / ".join(isolate_ltr(f"{m.heading}: {m.title}") for m in messages), SECTION_LIMIT)
    return {"text": fallback, "blocks": all_blocks, "unfurl_links": False}
