"""The formats a watched folder understands, each turned into documents."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from email import policy
from email.parser import BytesParser
from pathlib import PurePath

from rasid.models import ItemFailure, cut_text
from rasid.sources.decode import decode_text
from rasid.sources.feedparse import parse_feed
from rasid.sources.html import html_title_and_text, main_text


class UnreadableDocument(ValueError):
    """A file whose content does not fit its format."""


@dataclass(frozen=True)
class Document:
    """A report's content as read from a file, before it has a source."""

    title: str
    text: str
    url: str | None = None
    published: datetime | None = None
    key: str | None = None


def read_documents(name: str, data: bytes, now: float, where: str = "") -> tuple[list[Document], list[ItemFailure]]:
    """Documents in the bytes of a file called `name`, and the entries of a saved feed that could
    not be read; `where` names the file in log lines."""
    suffix = PurePath(name).suffix.lower()
    if suffix in (".xml", ".rss", ".atom"):
        parsed = parse_feed(data, None, timezone.utc, now, where)
        if not parsed.entries:
            reason = parsed.problem or "; ".join(map(str, parsed.failures)) or "empty"
            raise UnreadableDocument(f"no feed entries ({reason})")
        return [Document(e.title, e.text, e.url, e.published, e.guid) for e in parsed.entries], parsed.failures
    return _documents(suffix, data, where), []


def _documents(suffix: str, data: bytes, where: str) -> list[Document]:
    if suffix == ".eml":
        return [_email_document(data, where)]
    content = decode_text(data, where=where)
    if suffix in (".html", ".htm"):
        title, text = html_title_and_text(content)
        main = main_text(content)
        if main:
            text = main if main.startswith(title) else f"{title}\n\n{main}" if title else main
        return [Document(title or _first_line(text), text)]
    if suffix == ".json":
        return _json_documents(content)
    if suffix == ".md":
        return [Document(_first_line(content).lstrip("#").strip(), content)]
    return [Document(_first_line(content), content)]


def _email_document(data: bytes, where: str) -> Document:
    """The subject and the text part of a message (its HTML part, made text, if it has no text part)."""
    message = BytesParser(policy=policy.default).parsebytes(data)
    subject = str(message.get("subject") or "").strip()
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        raise UnreadableDocument("an email without a text or HTML part")
    try:
        body = part.get_content()
    except (LookupError, UnicodeError):  # a charset Python does not know, or that lies: read it as ours
        payload = part.get_payload(decode=True)
        body = decode_text(payload if isinstance(payload, bytes) else b"", where=where)
    if part.get_content_subtype() == "html":
        body = html_title_and_text(body)[1]
    text = f"{subject}\n\n{body.strip()}" if subject else body.strip()
    return Document(subject or _first_line(body), text, key=str(message.get("message-id") or "") or None)


TITLE_CHARS = 200
"""A first line taken as the title is cut, at a word, to this many characters: a file that opens
with a whole paragraph gets a headline, not the paragraph."""


def _first_line(text: str) -> str:
    """The first line with text in it, cut to `TITLE_CHARS` at a space if it runs longer."""
    for line in text.splitlines():
        line = line.strip()
        if len(line) > TITLE_CHARS:
            cut = line.rfind(" ", 0, TITLE_CHARS + 1)
            return line[:cut].rstrip() if cut > 0 else cut_text(line, TITLE_CHARS)
        if line:
            return line
    return ""


def _json_documents(content: str) -> list[Document]:
    try:
        data = json.loads(content, parse_int=str)  # numbers are never read: a 5,000-digit one must not fail the file
    except json.JSONDecodeError as exc:
        raise UnreadableDocument(f"invalid JSON at line {exc.lineno}: {exc.msg}") from None
    except RecursionError:
        raise UnreadableDocument("JSON nested too deeply") from None
    items = data if isinstance(data, list) else [data]
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise UnreadableDocument(f"item {i} is not an object")
        body = item.get("text") or item.get("body") or ""
        title = str(item.get("title") or "")
        if not isinstance(body, str) or not (body or title):
            raise UnreadableDocument(f"item {i} has no title, text or body")
        text = f"{title}\n\n{body}" if title and body else title or body
        url = item.get("url") if isinstance(item.get("url"), str) else None
        key = str(item.get("id") or item.get("guid") or url or "") or None
        out.append(Document(title or _first_line(body), text, url, _parse_time(item.get("published")), key))
    return out


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
