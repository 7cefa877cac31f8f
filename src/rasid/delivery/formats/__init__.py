"""Payload formats: the alert document dressed for each kind of receiver."""

from __future__ import annotations

from typing import Any

from rasid.delivery.formats import discord, mattermost, slack, teams, telegram
from rasid.delivery.formats.message import Message, message

FORMATS = ("json", "slack", "discord", "teams", "telegram", "mattermost")


def messages_of(document: dict[str, Any]) -> list[Message]:
    """One message per document, or per entry of a digest."""
    if document.get("type") == "digest":
        return [message(item) for item in document["items"]]
    return [message(document)]


def render(fmt: str, document: dict[str, Any], chat_id: str | None = None) -> list[dict[str, Any]]:
    """The request bodies that carry `document` in format `fmt` (several only when it must be split)."""
    if fmt == "json":
        return [document]
    msgs = messages_of(document)
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


__all__ = ["FORMATS", "Message", "message", "messages_of", "render"]
