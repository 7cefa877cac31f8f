"""The labels and times of a notification, in the notifier's language and time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property
from typing import Literal
from zoneinfo import ZoneInfo

Language = Literal["en", "ar"]

LABELS: dict[Language, dict[str, str]] = {
    "en": {
        "source": "source",
        "published": "published",
        "places": "places",
        "keywords": "keywords",
        "story": "story",
        "carried again": "carried again",
        "similarity": "similarity",
        "notifier": "notifier",
        "failing": "failing",
        "recovered": "recovered",
        "unhealthy": "unhealthy",
        "since": "since",
        "so far": "so far",
        "comma": ", ",
        "burst": "breaking: many outlets at once",
        "brief": "brief",
        "alerts": "alerts",
        "watchlists": "watch-lists",
        "areas": "governorates",
        "within": "within",
        "stories": "stories",
    },
    "ar": {
        "source": "المصدر",
        "published": "نُشر",
        "places": "الأماكن",
        "keywords": "الكلمات",
        "story": "القصة",
        "carried again": "نقلتها مصادر أخرى",
        "similarity": "التشابه",
        "notifier": "قناة التنبيه",
        "failing": "متعطلة",
        "recovered": "عادت للعمل",
        "burst": "عاجل: مصادر كثيرة في وقت واحد",
        "brief": "الموجز",
        "alerts": "التنبيهات",
        "watchlists": "القوائم",
        "areas": "المحافظات",
        "within": "خلال",
        "stories": "القصص",
        "unhealthy": "متعطل",
        "since": "منذ",
        "so far": "حتى الآن",
        "comma": "، ",
    },
}
"""Every label a message shows, in each language (`rasid` and watch-list names stay as written)."""


@dataclass(frozen=True)
class Wording:
    """How a notifier words its messages: `language` for the labels, `timezone` (an IANA name)
    for times, which are left as written (UTC, ISO 8601) without one."""

    language: Language = "en"
    timezone: str | None = None

    def __getitem__(self, label: str) -> str:
        return LABELS[self.language][label]

    def sources(self, count: int) -> str:
        """`3 sources`, or as Arabic counts them: مصدر واحد، مصدران، 3 مصادر، 11 مصدرًا، 100 مصدر."""
        if self.language == "en":
            return f"{count} source{'s' if count != 1 else ''}"
        if count == 1:
            return "مصدر واحد"
        if count == 2:
            return "مصدران"
        rest = count % 100
        return f"{count} {'مصادر' if 3 <= rest <= 10 else 'مصدرًا' if rest >= 11 else 'مصدر'}"

    def when(self, iso: str) -> str:
        """An ISO 8601 time as `2026-11-24 23:33 +03` in the notifier's zone (isolated left to
        right among Arabic labels, or it reads 13:00 2020-07-20); as given without a zone (or if it
        does not read as a time)."""
        if self.timezone is None:
            return iso
        try:
            moment = datetime.fromisoformat(iso)
        except ValueError:
            return iso
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        local = moment.astimezone(self._zone)
        shown = f"{local:%Y-%m-%d %H:%M} {local.tzname() or self.timezone}"
        return f"\u2066{shown}\u2069" if self.language == "ar" else shown  # one left-to-right run in Arabic text

    @cached_property
    def _zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone or "UTC")


PLAIN = Wording()
"""English labels, times as written."""


def format_span(seconds: float) -> str:
    """`20m`, `2h`, `90s`: a window as the config writes it."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"
