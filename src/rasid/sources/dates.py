"""Dates as Arabic sites write them: Arabic and Levantine month names, Arabic-Indic digits, ISO."""

from __future__ import annotations

import re
from datetime import datetime, timezone, tzinfo
from email.utils import parsedate_to_datetime

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
MONTHS = {
    # Egyptian and Gulf usage
    "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "ابريل": 4, "إبريل": 4, "مايو": 5, "يونيو": 6, "يونيه": 6,
    "يوليو": 7, "يوليه": 7, "أغسطس": 8, "اغسطس": 8, "سبتمبر": 9, "أكتوبر": 10, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
    # Levantine and Iraqi usage
    "كانون الثاني": 1, "شباط": 2, "آذار": 3, "اذار": 3, "نيسان": 4, "أيار": 5, "ايار": 5, "حزيران": 6, "تموز": 7,
    "آب": 8, "اب": 8, "أيلول": 9, "ايلول": 9, "تشرين الأول": 10, "تشرين الاول": 10, "تشرين الثاني": 11,
    "كانون الأول": 12, "كانون الاول": 12,
    # Maghreb usage
    "جانفي": 1, "فيفري": 2, "أفريل": 4, "افريل": 4, "ماي": 5, "جوان": 6, "جويلية": 7, "أوت": 8, "اوت": 8,
}  # fmt: skip
_MONTH = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_ARABIC_DATE = re.compile(
    rf"(?P<day>\d{{1,2}})\s*(?:من\s+)?(?P<month>{_MONTH})\s*[،,]?\s*(?P<year>\d{{4}})"
    r"(?:\D{0,12}?(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s*(?P<ampm>ص|م|صباحا|صباحاً|مساء|مساءً)?)?"
)
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?")


def parse_date(text: str, default_zone: tzinfo = timezone.utc) -> datetime | None:
    """A moment from an RFC 822, ISO 8601 or Arabic date; zone-less ones are in `default_zone`."""
    if not text or not text.strip():
        return None
    text = text.strip().translate(_DIGITS)
    try:
        parsed = parsedate_to_datetime(text)
        if parsed is not None:
            return _zoned(parsed, default_zone)
    except (TypeError, ValueError, IndexError):
        pass
    iso = _ISO.search(text)
    if iso:
        try:
            return _zoned(datetime.fromisoformat(iso.group(0).replace("Z", "+00:00")), default_zone)
        except ValueError:
            pass
    m = _ARABIC_DATE.search(text)
    if not m:
        return None
    hour = int(m.group("hour") or 0)
    if m.group("ampm") and m.group("ampm").startswith("م") and hour < 12:
        hour += 12
    try:
        moment = datetime(
            int(m.group("year")), MONTHS[m.group("month")], int(m.group("day")),
            hour, int(m.group("minute") or 0), int(m.group("second") or 0),
        )  # fmt: skip
    except ValueError:
        return None
    return moment.replace(tzinfo=default_zone)


def _zoned(moment: datetime, default_zone: tzinfo) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=default_zone)
