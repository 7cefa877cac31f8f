"""Wire boilerplate that republishers add or drop: removed before fingerprinting."""

from __future__ import annotations

import re

from rasid.normalize import normalize, normalize_term

_AGENCIES = (
    "وكالات|رويترز|سانا|وفا|واس|قنا|بنا|وام|كونا|الأناضول|الاناضول|أ ف ب|ا ف ب|أ ب|د ب أ|إرنا|ارنا"
    "|AFP|Reuters|AP|SANA|WAFA|SPA|Anadolu"
)
_AGENCY_TAG = re.compile(rf"[(\[]\s*(?:{_AGENCIES})(?:\s*[-/،,]\s*(?:{_AGENCIES}))*\s*[)\]]", re.IGNORECASE)
_DATELINE = re.compile(
    rf"^\s*(?:(?:{_AGENCIES})\s*[-–—:]\s*)?(?:[^\s\-–—:()\[\]]+\s+)?[^\s\-–—:()\[\]]+\s*(?:[(\[][^)\]]{{1,30}}[)\]]\s*)?[-–—]\s+",
    re.IGNORECASE,
)
"""A place of one or two words, maybe an agency in brackets, then a dash: «درعا (وكالات) - »."""
_FOOTERS = tuple(
    normalize_term(p)
    for p in (
        "اقرأ أيضاً", "اقرأ أيضا", "إقرأ أيضاً", "اقرأ المزيد", "للمزيد", "شاهد أيضاً", "شارك", "شاركها",
        "تابعونا", "تابعوا", "انضم", "اشترك", "حمّل تطبيق", "Read also", "Read more", "Share",
    )
)  # fmt: skip


def strip_boilerplate(text: str) -> str:
    """`text` without datelines, agency tags, "read also" footers and share prompts."""
    kept: list[str] = []
    for line in text.splitlines():
        key = normalize(line[:80]).text.strip()
        if key and any(key.startswith(footer) for footer in _FOOTERS) and len(key.split()) <= 25:
            continue
        line = _AGENCY_TAG.sub(" ", line)
        if key and not any(k.strip() for k in kept):  # a dateline opens the first paragraph only
            m = _DATELINE.match(line)
            if m and len(line) > m.end() + 20:
                line = line[m.end() :]
        kept.append(line)
    return "\n".join(kept)
