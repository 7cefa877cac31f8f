"""The console's Jinja2 templates (`templates/common/` and `templates/views/`), escaped by default,
and its pages rendered from them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from rasid.delivery.formats.html import highlight
from rasid.web import csrf
from rasid.web.interface import language, words

FOLDER = Path(__file__).parent / "templates"


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(FOLDER), autoescape=select_autoescape(["html"]))
    env.filters["highlight"] = highlight
    return env


def rendered(templates: Environment, request: Request, view: str, title: str, **values: Any) -> HTMLResponse:
    """A page of the console: `views/{view}.html` in the request's language (`title` is a key of
    its interface text, or the text itself), with the form token its forms carry, kept in the
    browser's cookie; a `?lang=` switch is remembered."""
    lang = language(request)
    text = words(lang)
    token = csrf.token(request)
    page = templates.get_template(f"views/{view}.html").render(
        lang=lang, t=text, title=text.get(title, title), csrf=token, person=request.scope.get("person"), **values
    )
    response = HTMLResponse(page)
    csrf.remember(response, token)
    if request.query_params.get("lang") in ("ar", "en"):
        response.set_cookie("lang", request.query_params["lang"], samesite="lax")
    return response
