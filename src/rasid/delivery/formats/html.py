"""HTML pieces shared by the email format and the console: a passage with its matched words marked."""

from __future__ import annotations

import re

from markupsafe import Markup, escape


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
