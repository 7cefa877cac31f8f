"""Phrases in which a watched word is no event and no place: a match inside one does not count."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rasid.models import Match
from rasid.normalize import NormalizedText, normalize_term

IDIOMS = (
    "قصف إعلامي", "القصف الإعلامي", "قصف الأسعار", "حرب الأسعار", "حرب كلامية", "الحرب الكلامية",
    "حرب إعلامية", "الحرب الإعلامية", "معركة انتخابية", "المعركة الانتخابية", "انفجار سكاني",
    "الانفجار السكاني", "انفجار الأسعار", "اغتيال معنوي", "الاغتيال المعنوي", "جنات عدن", "جنة عدن",
    "صلاة الضحى", "وقت الضحى",
)  # fmt: skip
"""Shipped on by default (`idioms: false` turns them off): a media barrage, a price war or a
population explosion is not shelling, war or a blast; Aden in «the Gardens of Eden» and Duha in
«the forenoon prayer» are no places."""

_PROCLITICS = "(?:[وف]?(?:[بكل]|لل)?(?:ال)?)"
"""What may stand before a phrase's first word (والقصف الإعلامي، بحرب الأسعار)."""


def idiom_pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for `phrases` in matching form, whole words, proclitics allowed before them."""
    keys = sorted({key for key in (normalize_term(p) for p in phrases) if key}, key=len, reverse=True)
    if not keys:
        return None
    alternatives = "|".join(_words(k.removeprefix("ال") if k.startswith("ال") else k) for k in keys)
    return re.compile(f"(?<!\\S){_PROCLITICS}(?:{alternatives})(?!\\S)")


def _words(key: str) -> str:
    """A phrase's words, each also with the accusative's alif (قصفا إعلاميا)."""
    return " ".join(re.escape(word) + "ا?" for word in key.split(" "))


def outside_idioms(matches: list[Match], nt: NormalizedText, pattern: re.Pattern[str] | None) -> tuple[list[Match], list[str]]:
    """`matches` less those inside a phrase `pattern` finds, and a note for each phrase that took one."""
    if pattern is None or not matches:
        return matches, []
    spans = [nt.span(m.start(), m.end()) for m in pattern.finditer(nt.text)]
    if not spans:
        return matches, []
    kept, notes = [], []
    for match in matches:
        phrase = next(((start, end) for start, end in spans if start <= match.start and match.end <= end), None)
        if phrase is None or match.kind == "exclude":
            kept.append(match)
        elif (note := f"{match.surface} not counted: inside «{nt.original[phrase[0] : phrase[1]]}»") not in notes:
            notes.append(note)
    return kept, notes
