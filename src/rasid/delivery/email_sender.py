"""`EmailSender`: an alert document as an email over SMTP (the standard library's client, run in
a thread), with STARTTLS or TLS and a login from a secret."""

from __future__ import annotations

import asyncio
import smtplib
import socket
import ssl
from datetime import datetime, timezone
from email.message import EmailMessage
from typing import Any

from rasid.config.models import EmailNotifier
from rasid.delivery.formats.email import email_message
from rasid.delivery.senders import ConfiguredSender, SendResult


class EmailSender(ConfiguredSender):
    """Sends each document as one email to the notifier's recipients."""

    def __init__(self, config: EmailNotifier) -> None:
        super().__init__(config)
        self.config = config

    async def send(self, document: dict[str, Any]) -> SendResult:
        c = self.config
        message = email_message(document, c.sender, c.to, datetime.now(timezone.utc), c.subject_prefix, self.wording)
        try:
            return await asyncio.wait_for(asyncio.to_thread(self._deliver, message), c.timeout + 5)
        except TimeoutError:
            return SendResult(ok=False, error="timeout")

    async def answers(self) -> bool:
        """Whether the server greets a new connection (nothing is sent)."""
        try:
            return await asyncio.wait_for(asyncio.to_thread(self._greets), min(10.0, self.config.timeout) + 5)
        except TimeoutError:
            return False

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        context = ssl.create_default_context()
        if c.security == "tls":
            return smtplib.SMTP_SSL(c.host, c.smtp_port, timeout=c.timeout, context=context)
        smtp = smtplib.SMTP(c.host, c.smtp_port, timeout=c.timeout)
        if c.security == "starttls":
            smtp.starttls(context=context)
        return smtp

    def _greets(self) -> bool:
        try:
            with self._connect() as smtp:
                return smtp.noop()[0] == 250
        except (OSError, smtplib.SMTPException):
            return False

    def _deliver(self, message: EmailMessage) -> SendResult:
        c = self.config
        where = f"{c.host}:{c.smtp_port}"
        try:
            with self._connect() as smtp:
                if c.username is not None:
                    _login(smtp, c.username, c.password.get_secret_value() if c.password else "")
                refused = smtp.send_message(message, from_addr=c.sender, to_addrs=c.to)
        except smtplib.SMTPAuthenticationError as exc:
            return SendResult(ok=False, status=exc.smtp_code, error=f"SMTP {exc.smtp_code}: login refused", permanent=True)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = sorted({code for code, _ in exc.recipients.values()})
            return SendResult(ok=False, status=codes[0], error=f"SMTP {codes}: every recipient refused", permanent=all(c >= 500 for c in codes))
        except smtplib.SMTPResponseException as exc:
            return SendResult(ok=False, status=exc.smtp_code, error=f"SMTP {exc.smtp_code}: {_said(exc.smtp_error)}",
                              permanent=exc.smtp_code >= 500)  # fmt: skip
        except smtplib.SMTPServerDisconnected:
            return SendResult(ok=False, error=f"SMTP server {where} closed the connection")
        except (socket.timeout, TimeoutError):
            return SendResult(ok=False, error="timeout")
        except ssl.SSLError as exc:
            return SendResult(ok=False, error=f"TLS with {where} failed: {exc.reason or exc}")
        except (OSError, smtplib.SMTPException) as exc:
            return SendResult(ok=False, error=f"{type(exc).__name__} {where}: {exc}")
        if refused:
            return SendResult(ok=True, error=f"refused for {', '.join(sorted(refused))}")
        return SendResult(ok=True, status=250)


def _login(smtp: smtplib.SMTP, username: str, password: str) -> None:
    """AUTH PLAIN where the server offers it (every server over TLS does), else what `login`
    picks: one refusal then ends the attempt, rather than a round of every mechanism."""
    smtp.ehlo_or_helo_if_needed()
    if "PLAIN" not in smtp.esmtp_features.get("auth", "").upper().split():
        smtp.login(username, password)
        return
    smtp.user, smtp.password = username, password
    code, reply = smtp.auth("PLAIN", smtp.auth_plain, initial_response_ok=True)
    if code not in (235, 503):
        raise smtplib.SMTPAuthenticationError(code, reply)


def _said(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(text.split())[:200]
