"""User templates (Jinja2, sandboxed) for the text of a notification."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

_ENVIRONMENT = SandboxedEnvironment(autoescape=False, trim_blocks=True, lstrip_blocks=True)


@lru_cache(maxsize=64)
def compile_template(source: str) -> Any:
    """A compiled template; a syntax error becomes a `ValueError` naming its line."""
    try:
        return _ENVIRONMENT.from_string(source)
    except TemplateSyntaxError as exc:
        raise ValueError(f"template line {exc.lineno}: {exc.message}") from None


def render_template(source: str, document: dict[str, Any]) -> str:
    """The template's text for a document: its keys are variables, `items` lists a digest's entries."""
    context = dict(document)
    context.setdefault("items", [document] if document.get("type") != "digest" else [])
    return compile_template(source).render(document=document, **context)
