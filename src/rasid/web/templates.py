"""The console's Jinja2 templates (`templates/common/` and `templates/views/`), escaped by default."""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

FOLDER = Path(__file__).parent / "templates"


def highlight(text: str, surfaces: list[str]) -> Markup:
    """`text` escaped, with each whole word or phrase among `surfaces` (the matched words as
    written) in `<mark>`; a surface inside a longer word (قصف in قصفت) is left as it is."""
    words = sorted({s for s in surfaces if s}, key=len, reverse=True)
    if not words:
        return Markup(escape(text))
    pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, words)) + r")(?!\w)")
    out, last = [], 0
    for found in pattern.finditer(text):
        out += [escape(text[last : found.start()]), Markup("<mark>") + escape(found.group()) + Markup("</mark>")]
        last = found.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(FOLDER), autoescape=select_autoescape(["html"]))
    env.filters["highlight"] = highlight
    return env
