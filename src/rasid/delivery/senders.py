"""Notifiers: how one alert document leaves the process."""

from __future__ import annotations

import asyncio
import json
import math
import sys
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Protocol, TextIO

import httpx

from rasid import __version__
from rasid.config.models import (
    AppriseNotifier,
    ConsoleNotifier,
    EmailNotifier,
    Notifier,
    NotifierBase,
    QuietHours,
    RemoteNotifier,
    WebhookNotifier,
)
from rasid.delivery.formats import render
from rasid.delivery.formats.message import message
from rasid.delivery.formats.wording import PLAIN, Wording
from rasid.delivery.signing import secret_key, signature
from rasid.httpbody import ACCEPT_ENCODING, UnsupportedEncoding, read_capped
from rasid.neterrors import transport_error
from rasid.retry_after import parse_retry_after

RETRYABLE_STATUS = frozenset({408, 425, 429})
MAX_RESPONSE_BYTES = 64 * 1024


@dataclass(frozen=True)
class SendResult:
    """How one attempt went. `permanent` failures are not retried."""

    ok: bool
    status: int | None = None
    error: str = ""
    permanent: bool = False
    retry_after: float | None = None
    """Seconds the receiver asked us to wait, as asked (possibly `inf`); the worker caps it."""


class Sender(Protocol):
    name: str
    rate: float | None
    """Requests per second at most, or None."""
    alert_after: float | None
    """Seconds of failure after which the other notifiers are told."""
    digest: float | None
    """Seconds over which alerts are batched into one message, or None."""
    quiet: QuietHours | None
    """Hours in which alerts that are not urgent wait."""

    async def send(self, document: dict[str, Any]) -> SendResult: ...

    async def answers(self) -> bool:
        """Whether the receiver answers at all (a cheap request, no alert): one that could not be
        reached may be back before its next retry."""
        ...


class ConfiguredSender:
    """The settings every sender takes from its notifier's config (see `Sender`)."""

    def __init__(self, config: NotifierBase) -> None:
        self.name = config.name
        self.digest = config.digest
        self.quiet = config.quiet
        self.wording = Wording(config.language, config.timezone)
        self.rate: float | None = config.requests_per_second if isinstance(config, RemoteNotifier) else None
        self.alert_after: float | None = config.alert_after if isinstance(config, RemoteNotifier) else None


class ConsoleSender(ConfiguredSender):
    """Prints a readable alert to a text stream."""

    def __init__(self, config: ConsoleNotifier, stream: TextIO | None = None) -> None:
        super().__init__(config)
        self.stream = stream

    async def send(self, document: dict[str, Any]) -> SendResult:
        stream = self.stream or sys.stdout
        stream.write(format_console(document, self.wording))
        stream.flush()
        return SendResult(ok=True)

    async def answers(self) -> bool:
        return True


def format_console(document: dict[str, Any], wording: Wording = PLAIN) -> str:
    """The console form of an alert: watch-list, title, where from, what matched."""
    kind = document.get("type")
    if kind in ("notifier.failing", "notifier.recovered"):
        state = wording["failing" if kind == "notifier.failing" else "recovered"]
        since = f" {wording['since']} {wording.when(document['failing_since'])}" if document.get("failing_since") else ""
        error = f" ({document['error']})" if document.get("error") else ""
        return f"[rasid] {wording['notifier']} {document['notifier']} {state}{since}{error}\n\n"
    if kind == "digest":
        return "".join(format_console(item, wording) for item in document["items"])
    if kind in ("source.unhealthy", "source.recovered"):
        state = wording["unhealthy" if kind == "source.unhealthy" else "recovered"]
        return f"[rasid] {wording['source']} {document['source']} {state}: {document['reason']}\n\n"
    if kind in ("burst", "brief"):
        shown = message(document, wording)
        if kind == "brief":
            facts = "".join(f"  {label}: {value}\n" for label, value in shown.facts)
            return f"[{shown.heading}] {shown.title}\n{facts}" + "".join(f"  {line}\n" for line in shown.body.splitlines()) + "\n"
        return f"[rasid] {shown.heading}: {shown.title}\n" + "".join(f"  {line}\n" for line in shown.body.splitlines()) + "\n"
    report = document["report"]
    story = document.get("story") or {}
    origin = [report["source"]]
    origin += [x for x in (report.get("url"), report.get("path")) if x]
    origin += [wording.when(report["published"])] if report.get("published") else []
    if document.get("type") == "story.updated":
        count = wording.sources(story.get("sources", 1))
        lines = [f"[{document['watchlist']}] {wording['story']} {wording['carried again']} ({count}): {report['title']}"]
        lines.append("  " + " · ".join(origin))
        lines.append(f"  {wording['story']}: {story.get('id')}  {wording['similarity']} {document.get('similarity')}")
        return "\n".join(lines) + "\n\n"
    lines = [f"[{', '.join(document.get('watchlists') or [document['watchlist']])}] {report['title']}"]
    lines.append("  " + " · ".join(origin))
    for kind, label in (("place", "places"), ("keyword", "keywords")):
        counts = Counter(m["term"] for m in document["matches"] if m["kind"] == kind)
        if counts:
            terms = wording["comma"].join(t if n == 1 else f"{t} ×{n}" for t, n in counts.items())
            lines.append(f"  {wording[label]}: {terms}")
    if document.get("snippet"):
        lines.append(f"  {document['snippet']}")
    if story:
        lines.append(f"  {wording['story']}: {story.get('id')} · {wording.sources(story.get('sources', 1))} {wording['so far']}")
    lines.append(f"  id: {document['id']}")
    return "\n".join(lines) + "\n\n"


class WebhookSender(ConfiguredSender):
    """POSTs documents in the notifier's format, signed per Standard Webhooks when a secret is set."""

    def __init__(self, config: WebhookNotifier, client: httpx.AsyncClient) -> None:
        super().__init__(config)
        self.config = config
        self.client = client
        secret = config.secret.get_secret_value() if config.secret else ""
        self._key = secret_key(secret) if secret else None

    def headers(self, message_id: str, body: bytes, timestamp: int) -> dict[str, str]:
        headers = {
            "content-type": "application/json",
            "user-agent": f"rasid/{__version__}",
            "accept-encoding": ACCEPT_ENCODING,
            "webhook-id": message_id,
            "webhook-timestamp": str(timestamp),
        }
        headers.update({k: v.get_secret_value() for k, v in self.config.headers.items()})
        if self._key is not None:
            headers["webhook-signature"] = signature(self._key, message_id, timestamp, body)
        return headers

    async def send(self, document: dict[str, Any]) -> SendResult:
        """One attempt: every request it takes, answers included, within the notifier's `timeout`."""
        try:
            async with asyncio.timeout(self.config.timeout):
                return await self._send(document)
        except TimeoutError:
            return SendResult(ok=False, error="timeout")

    async def answers(self) -> bool:
        """A HEAD request to the URL: any answer, an error status included, means the receiver is
        reachable again (a webhook endpoint seldom allows HEAD, and none sends anything for it)."""
        try:
            async with self.client.stream("HEAD", self.config.url, timeout=min(5.0, self.config.timeout)):
                return True
        except httpx.HTTPError:
            return False

    async def _send(self, document: dict[str, Any]) -> SendResult:
        result = SendResult(ok=True)
        for body in render(self.config.format, document, self.config.chat_id, self.config.template, self.wording):
            raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
            result = await self._post(document["id"], raw, json_body=not isinstance(body, bytes) or _is_json(raw))
            if not result.ok:
                break
        return result

    async def _post(self, message_id: str, body: bytes, json_body: bool = True) -> SendResult:
        headers = self.headers(message_id, body, int(time.time()))
        if not json_body:
            headers["content-type"] = "text/plain; charset=utf-8"
        try:
            async with self.client.stream(
                "POST", self.config.url, content=body, headers=headers, timeout=self.config.timeout, follow_redirects=False
            ) as response:
                status = response.status_code
                if 200 <= status < 300:
                    return SendResult(ok=True, status=status)
                try:
                    excerpt = await read_capped(response, MAX_RESPONSE_BYTES, truncate=True)
                except UnsupportedEncoding:
                    excerpt = b""
        except httpx.TimeoutException:
            return SendResult(ok=False, error="timeout")
        except httpx.HTTPError as exc:
            return SendResult(ok=False, error=transport_error(exc, self.config.url))
        retryable = status in RETRYABLE_STATUS or status >= 500
        retry_after = None
        if retryable:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            if retry_after is None:
                retry_after = _retry_after_in_body(excerpt)
        return SendResult(
            ok=False, status=status, error=f"HTTP {status}", permanent=not retryable, retry_after=retry_after
        )


def _is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def _retry_after_in_body(body: bytes) -> float | None:
    """Discord's `retry_after` and Telegram's `parameters.retry_after`, in seconds."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: a receiver's deeply nested JSON
        return None
    if not isinstance(data, dict):
        return None
    parameters = data.get("parameters")
    value = data.get("retry_after", parameters.get("retry_after") if isinstance(parameters, dict) else None)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return _seconds(value)


def _seconds(value: float | int) -> float | None:
    """A wait in seconds as a float (`inf` for one too large to hold); None for a negative or NaN one."""
    try:
        seconds = float(value)
    except OverflowError:  # an integer of hundreds of digits
        seconds = math.inf
    return seconds if seconds >= 0 else None


def build_senders(notifiers: list[Notifier], client: httpx.AsyncClient, stream: TextIO | None = None) -> dict[str, Sender]:
    """A sender for every enabled notifier."""
    senders: dict[str, Sender] = {}
    for n in notifiers:
        if isinstance(n, ConsoleNotifier):
            senders[n.name] = ConsoleSender(n, stream)
        elif isinstance(n, EmailNotifier):
            from rasid.delivery.email_sender import EmailSender

            senders[n.name] = EmailSender(n)
        elif isinstance(n, AppriseNotifier):
            from rasid.delivery.apprise_sender import AppriseSender

            senders[n.name] = AppriseSender(n)
        elif n.enabled:
            senders[n.name] = WebhookSender(n, client)
    return senders
