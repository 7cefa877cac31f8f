"""`AppriseSender`: an alert document through Apprise (a maintained library that speaks to some
hundred notification services by URL), run in a thread with a timeout."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from rasid.config.models import AppriseNotifier
from rasid.delivery.formats.message import message
from rasid.delivery.senders import ConfiguredSender, SendResult, format_console

MAX_ERRORS = 3
"""Lines of Apprise's own error log kept with a failed attempt."""


class _Errors(logging.Handler):
    """What Apprise logged as errors during one attempt (its way of saying what went wrong)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.lines) < MAX_ERRORS:
            self.lines.append(record.getMessage()[:200])


class AppriseSender(ConfiguredSender):
    """Sends each document to every Apprise URL of the notifier; it went when all took it."""

    def __init__(self, config: AppriseNotifier) -> None:
        super().__init__(config)
        self.config = config

    async def send(self, document: dict[str, Any]) -> SendResult:
        shown = message(document if document.get("type") != "digest" else document["items"][0], self.wording)
        title = f"{shown.heading}: {shown.title}" if document.get("type") != "digest" else f"rasid: {len(document['items'])}"
        body = format_console(document, self.wording).strip()  # carries the alert's id: a repeat is recognisable
        try:
            return await asyncio.wait_for(asyncio.to_thread(self._notify, title, body), self.config.timeout)
        except TimeoutError:
            return SendResult(ok=False, error="timeout")

    async def answers(self) -> bool:
        return True  # Apprise has no way to ask a service whether it is back short of sending

    def _notify(self, title: str, body: str) -> SendResult:
        import apprise

        errors = _Errors()
        logger = logging.getLogger("apprise")
        logger.addHandler(errors)
        try:
            targets = apprise.Apprise()
            for url in self.config.urls:
                if not targets.add(url.get_secret_value()):
                    return SendResult(ok=False, error="an Apprise URL it does not understand", permanent=True)
            ok = targets.notify(title=title, body=body)
        finally:
            logger.removeHandler(errors)
        if ok:
            return SendResult(ok=True)
        return SendResult(ok=False, error=self._scrubbed("; ".join(errors.lines)) or "a target refused it")

    def _scrubbed(self, text: str) -> str:
        """`text` without the URLs' secret parts (tokens sit in their user, password and path)."""
        for url in self.config.urls:
            for part in sorted(set(re.split(r"[:/@?&=#]+", url.get_secret_value())), key=len, reverse=True):
                if len(part) >= 6:
                    text = text.replace(part, "…")
        return text
