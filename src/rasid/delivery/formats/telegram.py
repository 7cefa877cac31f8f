"""Telegram Bot API `sendMessage`, HTML parse mode."""

from __future__ import annotations

import html
from typing import Any

from rasid.delivery.formats.message import Message
from rasid.delivery.formats.text import emphasise, isolate_ltr, split_messages, truncate

TEXT_LIMIT = 4096


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def text(m: Message) -> str:
    title = _escape(isolate_ltr(m.title))
    lines = [f"<b>{_escape(isolate_ltr(m.heading))}</b>"]
    lines.append(f'<a href="{html.escape(m.url, quote=True)}">{title}</a>' if m.url else title)
    if m.body:
        lines.append(emphasise(truncate(isolate_ltr(m.body), 1500), m.emphasis, _escape, lambda w: f"<b>{w}</b>"))
    if m.facts:
        lines.append(" · ".join(f"{k}: {_escape(isolate_ltr(v))}" for k, v in m.facts))
    return "\n".join(lines)


def render(messages: list[Message], chat_id: str) -> list[dict[str, Any]]:
    """One request per message that fits in Telegram's limit."""
    return [
        {"chat_id": chat_id, "text": part, "parse_mode": "HTML", "disable_web_page_preview": True}
        for part in split_messages([text(m) for m in messages], TEXT_LIMIT)
    ]
