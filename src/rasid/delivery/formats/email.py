"""An alert, digest or event as an email: a plain-text part and a right-to-left HTML part with the
matched words marked, and the headers a spam filter checks first (Date, Message-ID, encoded
subject)."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from markupsafe import Markup, escape

from rasid.delivery.formats import messages_of
from rasid.delivery.formats.html import highlight
from rasid.delivery.formats.message import Message
from rasid.delivery.formats.text import truncate
from rasid.delivery.formats.wording import PLAIN, Wording

MAX_SUBJECT = 180
"""Characters of subject at most (an encoded Arabic subject is folded over several lines)."""
STYLE = "font-family: 'Noto Naskh Arabic', Tahoma, Arial, sans-serif; font-size: 16px; line-height: 1.6; color: #1a1a1a;"


def message_id(document: dict[str, Any], sender: str) -> str:
    """The same for every attempt of one document, so that a repeat is one message to the reader's client."""
    domain = sender.rpartition("@")[2] or "rasid.invalid"
    return f"<{document['id']}@{domain}>"


def email_message(
    document: dict[str, Any], sender: str, recipients: list[str], now: datetime, prefix: str = "[rasid]",
    wording: Wording = PLAIN,
) -> EmailMessage:  # fmt: skip
    """The email carrying `document` from `sender` to `recipients`, dated `now`."""
    shown = messages_of(document, wording)
    email = EmailMessage()
    email["Subject"] = truncate(f"{prefix} {_subject(shown)}".strip(), MAX_SUBJECT)
    email["From"] = sender
    email["To"] = ", ".join(recipients)
    email["Date"] = format_datetime(now)
    email["Message-ID"] = message_id(document, sender)
    email["Auto-Submitted"] = "auto-generated"  # an automatic message: no vacation replies to it
    email.set_content("\n\n".join(_plain(m) for m in shown) + "\n", cte="quoted-printable")  # 7-bit safe for any relay
    email.add_alternative(_html(shown), subtype="html")
    return email


def _subject(shown: list[Message]) -> str:
    if len(shown) == 1:
        return f"{shown[0].heading}: {shown[0].title}"
    headings = list(dict.fromkeys(m.heading for m in shown))
    return f"{len(shown)} × {', '.join(headings[:3])}{' …' if len(headings) > 3 else ''}: {shown[0].title}"


def _plain(m: Message) -> str:
    lines = [f"[{m.heading}] {m.title}"]
    if m.url:
        lines.append(m.url)
    lines += [f"{label}: {value}" for label, value in m.facts]
    if m.body:
        lines.append(m.body)
    return "\n".join(lines)


def _html(shown: list[Message]) -> str:
    parts = []
    for m in shown:
        linked = m.url is not None and m.url.startswith(("https://", "http://"))  # never a javascript: link from a feed
        title = Markup('<a href="{}" style="color: #0b4f8a;">{}</a>').format(m.url, m.title) if linked else escape(m.title)
        facts = Markup("").join(
            Markup('<tr><td style="color: #555; padding-inline-end: 12px;">{}</td><td>{}</td></tr>').format(label, value)
            for label, value in m.facts
        )
        lines = [highlight(line, m.emphasis) for line in m.body.splitlines()]
        body = Markup("<p>{}</p>").format(Markup("<br>").join(lines)) if m.body else Markup("")  # a brief's lines stay lines
        parts.append(
            Markup(
                '<div style="border-bottom: 1px solid #ddd; padding: 8px 0;"><p style="color: #666; margin: 0;">{}</p>'
                '<h2 style="font-size: 18px; margin: 4px 0;">{}</h2>{}<table>{}</table></div>'
            ).format(m.heading, title, body, facts)
        )
    marked = "mark { background: #ffe08a; }"
    return str(
        Markup('<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><style>{}</style></head>'
               '<body dir="rtl" style="{}">{}</body></html>').format(marked, STYLE, Markup("").join(parts))
    )  # fmt: skip
