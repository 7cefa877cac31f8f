"""Discord webhooks: embeds, and never a mention."""

from __future__ import annotations

from typing import Any

from rasid.delivery.formats.message import Message
from rasid.delivery.formats.text import emphasise, isolate_ltr, truncate

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_VALUE_LIMIT = 1024
EMBED_TOTAL_LIMIT = 6000
MAX_EMBEDS = 10
_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\*_~`|>#[]()"})


def _escape(text: str) -> str:
    return text.translate(_MARKDOWN).replace("@", "@\u200b")


def embed(m: Message) -> dict[str, Any]:
    out: dict[str, Any] = {"title": truncate(isolate_ltr(m.title), TITLE_LIMIT)}
    if m.url:
        out["url"] = m.url
    out["author"] = {"name": truncate(isolate_ltr(m.heading), TITLE_LIMIT)}
    if m.body:
        body = truncate(isolate_ltr(m.body), DESCRIPTION_LIMIT // 2)
        out["description"] = emphasise(body, m.emphasis, _escape, lambda w: f"**{w}**")
    if m.facts:
        out["fields"] = [
            {"name": k, "value": truncate(_escape(isolate_ltr(v)), FIELD_VALUE_LIMIT), "inline": True} for k, v in m.facts[:25]
        ]
    return out


def render(messages: list[Message]) -> dict[str, Any]:
    embeds, total = [], 0
    for m in messages[:MAX_EMBEDS]:
        e = embed(m)
        size = sum(len(str(v)) for v in (e["title"], e.get("description", ""), e["author"]["name"]))
        size += sum(len(f["name"]) + len(f["value"]) for f in e.get("fields", []))
        if total + size > EMBED_TOTAL_LIMIT:
            break
        embeds.append(e)
        total += size
    extra = len(messages) - len(embeds)
    content = truncate(f"+{extra} more" if extra else "", CONTENT_LIMIT)
    return {"content": content, "embeds": embeds, "allowed_mentions": {"parse": []}}
