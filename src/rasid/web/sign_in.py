"""Signing in with a name and password (the session cookie) and signing out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from rasid.config.models import HttpConfig
from rasid.web import csrf
from rasid.web.forms import read_form
from rasid.web.people import SESSION_COOKIE, People, trusted
from rasid.web.templates import rendered


def login_page(templates: Environment) -> Callable[[Request], Any]:
    async def handle(request: Request) -> Response:
        return rendered(templates, request, "login", "sign in", back=_back(request.query_params.get("next")), failed=False)

    return handle


def login(templates: Environment, people: People, settings: Callable[[], HttpConfig]) -> Callable[[Request], Any]:
    async def handle(request: Request) -> Response:
        form = await read_form(request)
        if form is None or not csrf.valid(request, form.get("csrf")):
            return PlainTextResponse("refused: this form did not come from the console's own page", status_code=403)
        if people.barred(request):
            return PlainTextResponse("too many wrong passwords from this address: try again in 15 minutes", status_code=429)
        name, back = form.get("name", ""), _back(form.get("next"))
        right = await people.check_password(name, form.get("password", ""), request)
        person = people.named(name) if right else None
        if person is None:
            page = rendered(templates, request, "login", "sign in", back=back, failed=True)
            page.status_code = 401
            return page
        response = RedirectResponse(back, status_code=303)
        response.set_cookie(SESSION_COOKIE, await people.sign_in(name), max_age=int(settings().session), httponly=True,
                            samesite="lax", secure=_https(request, settings()))  # fmt: skip
        return response

    return handle


def logout(people: People) -> Callable[[Request], Any]:
    async def handle(request: Request) -> Response:
        form = await read_form(request)
        if form is None or not csrf.valid(request, form.get("csrf")):
            return PlainTextResponse("refused: this form did not come from the console's own page", status_code=403)
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await people.sign_out(token)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    return handle


def _back(target: str | None) -> str:
    """Where to go after signing in: a path of this site only (never `//elsewhere`)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _https(request: Request, http: HttpConfig) -> bool:
    """Whether the browser reached the console over HTTPS (directly, or through the trusted proxy)."""
    if request.url.scheme == "https":
        return True
    proxy, client = http.proxy, request.client
    return (
        proxy is not None and client is not None and trusted(client.host, proxy.trusted)
        and request.headers.get("x-forwarded-proto", "").lower() == "https"
    )  # fmt: skip
