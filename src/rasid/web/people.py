"""Who is asking: a person signed in by session, by HTTP Basic (feed readers, scripts) or by a
trusted reverse proxy's header, checked against `http.users`; and what they may do."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import ipaddress
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.requests import HTTPConnection

from rasid.config.models import HttpConfig
from rasid.store import Store

SESSION_COOKIE = "rasid_session"
FAILURES_ALLOWED = 10
"""Wrong passwords from one address within `FAILURE_WINDOW` before it must wait."""
FAILURE_WINDOW = 900.0
REMEMBERED = 600.0
"""Seconds a password checked for HTTP Basic is taken as right again without hashing it (a
reader polling a feed would otherwise pay Argon2's cost at every request)."""


@dataclass(frozen=True)
class Person:
    name: str
    read_only: bool


class People:
    """Answers who a request comes from, under the `http` settings in force."""

    def __init__(self, store: Store, settings: Callable[[], HttpConfig]) -> None:
        self.store = store
        self.settings = settings
        self.hasher = PasswordHasher()
        self._checked: dict[str, float] = {}
        self._failures: dict[str, list[float]] = {}

    async def of(self, connection: HTTPConnection) -> Person | None:
        """The person a request comes from, or None when it shows no valid sign-in."""
        http = self.settings()
        proxied = self._proxied(connection, http)
        if proxied is not None:
            return proxied
        token = connection.cookies.get(SESSION_COOKIE)
        if token:
            name = await asyncio.to_thread(self.store.session_person, digest(token), time.time())
            if name is not None:
                return self.named(name, http)
        basic = _basic(connection.headers.get("authorization", ""))
        if basic is not None and not self.barred(connection) and await self.check_password(*basic, connection):
            return self.named(basic[0], http)
        return None

    def barred(self, connection: HTTPConnection) -> bool:
        """Whether the address this comes from got the password wrong too often lately."""
        now = time.monotonic()
        recent = [t for t in self._failures.get(_peer(connection), []) if t > now - FAILURE_WINDOW]
        return len(recent) >= FAILURES_ALLOWED

    def named(self, name: str, http: HttpConfig | None = None) -> Person | None:
        http = http or self.settings()
        for user in http.users:
            if user.name == name:
                return Person(name, user.read_only)
        if http.proxy is not None:
            return Person(name, http.proxy.read_only)
        return None

    async def check_password(self, name: str, password: str, connection: HTTPConnection) -> bool:
        """Whether `password` is `name`'s (an unknown name costs as long as a wrong password);
        a wrong one counts against the address it came from."""
        user = next((u for u in self.settings().users if u.name == name and u.password_hash is not None), None)
        stored = user.password_hash.get_secret_value() if user and user.password_hash else None
        key = hashlib.sha256(f"{name}\x00{password}\x00{stored}".encode()).hexdigest()
        now = time.monotonic()
        if self._checked.get(key, 0.0) > now:
            return True
        try:
            await asyncio.to_thread(self.hasher.verify, stored or _decoy(), password)
            right = stored is not None
        except (VerificationError, InvalidHashError):
            right = False
        if not right:
            self._failed(_peer(connection), now)
            return False
        self._checked = {k: until for k, until in self._checked.items() if until > now}
        self._checked[key] = now + REMEMBERED
        return True

    def _failed(self, peer: str, now: float) -> None:
        """Count a wrong password against `peer`, forgetting those older than the window."""
        since = now - FAILURE_WINDOW
        kept = {k: [t for t in v if t > since] for k, v in self._failures.items()}
        kept[peer] = [*kept.get(peer, []), now][-FAILURES_ALLOWED:]
        self._failures = {k: v for k, v in kept.items() if v}

    async def sign_in(self, name: str) -> str:
        """A new session's token for the cookie."""
        token = secrets.token_urlsafe(32)
        now = time.time()
        await asyncio.to_thread(self.store.open_session, digest(token), name, now + self.settings().session, now)
        return token

    async def sign_out(self, token: str) -> None:
        await asyncio.to_thread(self.store.close_session, digest(token))

    def _proxied(self, connection: HTTPConnection, http: HttpConfig) -> Person | None:
        proxy = http.proxy
        if proxy is None or connection.client is None or not trusted(connection.client.host, proxy.trusted):
            return None
        name = connection.headers.get(proxy.header, "").strip()
        return self.named(name, http) if name else None


def _peer(connection: HTTPConnection) -> str:
    return connection.client.host if connection.client else ""


def trusted(host: str, networks: list[str]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(n, strict=False) for n in networks)


def digest(token: str) -> str:
    """What the store keeps of a session token: a stolen copy of the state signs nobody in."""
    return hashlib.sha256(token.encode()).hexdigest()


def _basic(header: str) -> tuple[str, str] | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        name, sep, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (name, password) if sep else None


@cache
def _decoy() -> str:
    """A hash checked against when the name is unknown, so that a wrong name answers as slowly
    as a wrong password."""
    return PasswordHasher().hash(secrets.token_hex(16))
