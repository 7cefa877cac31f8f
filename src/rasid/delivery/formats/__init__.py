"""Payload formats: the alert document dressed for each kind of receiver."""

from __future__ import annotations

from typing import Any

from rasid.delivery.formats import discord, mattermost, slack, teams, telegram
from rasid.delivery.formats.message import Message, message
from rasid.delivery.formats.template import render_template
from rasid.delivery.formats.text import split_messages, truncate
from rasid.delivery.formats.wording import PLAIN, Wording

FORMATS = ("json", "slack", "discord", "teams", "telegram", "mattermost")


def messages_of(document: dict[str, Any], wording: Wording = PLAIN) -> list[Message]:
    """One message per document, or per entry of a digest."""
    if document.get("type") == "digest":
        return [message(item, wording) for item in document["items"]]
    return [message(document, wording)]


def render(
    fmt: str, document: dict[str, Any], chat_id: str | None = None, template: str | None = None, wording: Wording = PLAIN
) -> list[dict[str, Any]] | list[bytes]:
    """The request bodies that carry `document` in format `fmt` (several only when it must be split)."""
    if template is not None:
        return _templated(fmt, render_template(template, document), chat_id)
    if fmt == "json":
        return [document]
    msgs = messages_of(document, wording)
    if fmt == "slack":
        return [slack.render(msgs)]
    if fmt == "discord":
        return [discord.render(msgs[i : i + discord.MAX_EMBEDS]) for i in range(0, len(msgs), discord.MAX_EMBEDS)]
    if fmt == "teams":
        return [teams.render(msgs)]
    if fmt == "telegram":
        return telegram.render(msgs, chat_id or "")
    if fmt == "mattermost":
        return [mattermost.render(msgs)]
    raise ValueError(f"unknown format {fmt!r}")


def _templated(fmt: str, text: str, chat_id: str | None) -> list[dict[str, Any]] | list[bytes]:
    """A template's text in the shape each service expects."""
    if fmt == "json":
        return [text.encode()]
    if fmt == "slack":
        return [{"text": truncate(text, 40_000)}]
    if fmt == "discord":
        return [{"content": part, "allowed_mentions": {"parse": []}} for part in split_messages([text], 2000)]
    if fmt == "telegram":
        return [{"chat_id": chat_id or "", "text": part, "parse_mode": "HTML"} for part in split_messages([text], 4096)]
    if fmt == "mattermost":
        return [{"text": truncate(text, 16383)}]
    if fmt == "teams":
        block = {"type": "TextBlock", "text": text, "wrap": True}
        card = {"type": "AdaptiveCard", "version": "1.5", "rtl": True, "body": [block]}
        return [{"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}]}]
    raise ValueError(f"unknown format {fmt!r}")


__all__ = ["FORMATS", "Message", "Wording", "message", "messages_of", "render"]
