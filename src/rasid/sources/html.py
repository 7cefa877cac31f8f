"""HTML to plain text: entities decoded, scripts and styles dropped, blocks on their own lines."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header"
    " hr li main nav ol p pre section table td th tr ul".split()
)
_SKIPPED = frozenset({"script", "style", "noscript", "template", "head"})
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self._skipping = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skipping += 1
        elif tag == "title":
            self._in_title = True
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag == "title":
            self._in_title = False
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif not self._skipping:
            self.parts.append(data)


def tidy(text: str) -> str:
    """Plain text with each line's whitespace runs as one space and blank lines as one."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def html_to_text(markup: str) -> str:
    """The readable text of an HTML fragment or page."""
    return html_title_and_text(markup)[1]


def html_title_and_text(markup: str) -> tuple[str, str]:
    """The `<title>` (if any) and the readable text of an HTML page."""
    if "<" not in markup and "&" not in markup:
        return "", tidy(markup)
    parser = _TextCollector()
    parser.feed(markup)
    parser.close()
    return tidy("".join(parser.title)), tidy("".join(parser.parts))


def page_title(markup: str) -> str:
    """A page's `<title>`, from the first 64 KB of it (where the head is)."""
    return html_title_and_text(markup[:65536])[0]


def main_text(markup: str) -> str | None:
    """The article in a page, without menus, sidebars and footers (trafilatura), if one is found."""
    import trafilatura

    return trafilatura.extract(markup, include_comments=False, include_tables=False) or None
