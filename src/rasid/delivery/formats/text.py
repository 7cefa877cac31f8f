"""Text for chat services: right-to-left safe, cut at word and grapheme boundaries."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import regex

FSI, PDI = "\u2068", "\u2069"
_LTR_RUN = re.compile(r"[A-Za-z0-9\u00c0-\u024f][A-Za-z0-9\u00c0-\u024f.,:/%'’\-]*(?:[ ][A-Za-z0-9\u00c0-\u024f][A-Za-z0-9\u00c0-\u024f.,:/%'’\-]*)*")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_GRAPHEME = regex.compile(r"\X")
ELLIPSIS = "…"


def isolate_ltr(text: str) -> str:
    """Wrap Latin words and numbers inside Arabic text in first-strong isolates, so plain-text
    renderers keep «in Daraa 3 killed» runs in order instead of scrambling them."""
    if not _ARABIC.search(text):
        return text
    return _LTR_RUN.sub(lambda m: FSI + m.group(0) + PDI, text)


def truncate(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word boundary (a grapheme boundary for a
    single long word), with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    cut = text.rfind(" ", 0, room + 1)
    if cut <= room // 2:
        cut = 0
        for g in _GRAPHEME.finditer(text):
            if g.end() > room:
                break
            cut = g.end()
    return text[:cut].rstrip() + ELLIPSIS


def emphasise(text: str, words: Iterable[str], escape: Callable[[str], str], mark: Callable[[str], str]) -> str:
    """`text` escaped for the target, with every occurrence of `words` marked."""
    found = sorted({w for w in words if w}, key=len, reverse=True)
    if not found:
        return escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in found))
    out, pos = [], 0
    for m in pattern.finditer(text):
        out.append(escape(text[pos : m.start()]))
        out.append(mark(escape(m.group(0))))
        pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def split_messages(parts: list[str], limit: int, separator: str = "\n\n") -> list[str]:
    """Join `parts` into as few messages as fit in `limit`, never splitting a part unless it alone is too long."""
    messages: list[str] = []
    current = ""
    for part in parts:
        part = truncate(part, limit)
        candidate = current + separator + part if current else part
        if len(candidate) <= limit:
            current = candidate
        else:
            messages.append(current)
            current = part
    if current:
        messages.append(current)
    return messages
