"""Mattermost incoming webhooks: Markdown text."""

from __future__ import annotations

from typing import Any

from rasid.delivery.formats.message import Message
from rasid.delivery.formats.text import emphasise, isolate_ltr, truncate

TEXT_LIMIT = 16383
_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\*_~`|>#[]()"})


def _escape(text: str) -> str:
    return text.translate(_MARKDOWN).replace("@", "@\u200b")


def text(m: Message) -> str:
    title = _escape(isolate_ltr(m.title))
    lines = [f"**{_escape(isolate_ltr(m.heading))}**", f"[{title}]({m.url})" if m.url else title]
    if m.body:
        lines.append(emphasise(isolate_ltr(m.body), m.emphasis, _escape, lambda w: f"**{w}**"))
    if m.facts:
        lines.append(" · ".join(f"{k}: {_escape(isolate_ltr(v))}" for k, v in m.facts))
    return "\n".join(lines)


def render(messages: list[Message]) -> dict[str, Any]:
    return {"text": truncate("\n\n---\n\n".join(text(m) for m in messages), TEXT_LIMIT)}
