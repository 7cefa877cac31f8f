"""Cross-site request forgery kept out of the console's forms: a page on another site cannot
make the browser of someone who can reach the console triage, retry or purge on their behalf,
even on 127.0.0.1."""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "rasid_csrf"


def token(request: Request) -> str:
    """The browser's form token: its cookie's value, or a new one (`remember` sets it)."""
    return request.cookies.get(COOKIE) or secrets.token_urlsafe(24)


def remember(response: Response, value: str) -> None:
    """Keep the token in a cookie the browser sends only to this site (SameSite=Strict)."""
    response.set_cookie(COOKIE, value, httponly=True, samesite="strict")


def valid(request: Request, submitted: str | None) -> bool:
    """A form came from one of the console's own pages: the token it carries is the cookie's,
    and the browser says it came from this host."""
    cookie = request.cookies.get(COOKIE)
    if not cookie or not submitted or not hmac.compare_digest(cookie, submitted):
        return False
    origin = request.headers.get("origin") or request.headers.get("referer") or ""
    host = request.headers.get("host", "")
    return not origin or origin.split("://", 1)[-1].split("/", 1)[0] == host
