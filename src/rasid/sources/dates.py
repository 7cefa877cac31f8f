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


EMAIL_ZONES = frozenset({"UT", "UTC", "GMT", "Z", "AST", "ADT", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT"})
"""The zone names Python's RFC 822 parser knows; it reads any other name as UTC."""
ZONES = {
    "MET": "+0100", "CET": "+0100", "MEZ": "+0100", "WAT": "+0100", "BST": "+0100", "WEST": "+0100",
    "MEST": "+0200", "CEST": "+0200", "MESZ": "+0200", "EET": "+0200", "CAT": "+0200", "SAST": "+0200",
    "EEST": "+0300", "MSK": "+0300", "EAT": "+0300", "TRT": "+0300", "IRST": "+0330", "GST": "+0400",
    "PT": "-0800", "MT": "-0700", "CT": "-0600", "ET": "-0500", "WET": "+0000",
}  # fmt: skip
"""Other zone names feeds write, as feedparser reads them where it knows them."""
_NAMED_ZONE = re.compile(r"(?<=\d)\s+([A-Za-z]{1,5})\s*$")
_COLON_OFFSET = re.compile(r"([+-]\d{2}):(\d{2})\s*$")
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b", re.IGNORECASE)
_NUMERIC = re.compile(
    r"^(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<year>\d{4})"
    r"(?:[ T]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s*(?P<ampm>[AaPp][Mm])?)?$"
)


def parse_date(text: str, default_zone: tzinfo = timezone.utc) -> datetime | None:
    """A moment from an RFC 822, ISO 8601, numeric or Arabic date; zone-less ones are in
    `default_zone`. None for a zone name it does not know (rather than a date hours off) and for
    a numeric date that reads both ways (03/04/2024: March or April)."""
    if not text or not text.strip():
        return None
    text = _ORDINAL.sub(r"\1", text.strip().translate(_DIGITS))  # 16th Nov
    named = _zone_name(text)
    if named:
        if named.group(1).upper() not in ZONES:
            return None
        text = text[: named.start(1)] + ZONES[named.group(1).upper()]
    if not _ISO.match(text):
        text = _COLON_OFFSET.sub(r"\1\2", text)  # RFC 822 writes -0101, feeds write -01:01 too
    try:
        parsed = parsedate_to_datetime(text)
        if parsed is not None:
            return _zoned(parsed, default_zone)
    except (TypeError, ValueError, IndexError):
        pass
    numeric = _NUMERIC.match(text)
    if numeric:
        return _numeric(numeric, default_zone)
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


def unknown_zone(text: str) -> bool:
    """Whether a date ends in a zone name neither rasid nor Python's RFC 822 parser knows (any
    parser would have to guess its offset)."""
    named = _zone_name(text.strip())
    return bool(named) and named.group(1).upper() not in ZONES  # type: ignore[union-attr]


def _zone_name(text: str) -> re.Match[str] | None:
    """The zone name a date ends in, when Python's RFC 822 parser would not read it right."""
    named = _NAMED_ZONE.search(text)
    if named and named.group(1).upper() not in EMAIL_ZONES and named.group(1).upper() not in ("AM", "PM"):
        return named
    return None


def _numeric(m: re.Match[str], default_zone: tzinfo) -> datetime | None:
    """11/16/2009 (the US order) or 16/11/2009 (the order Arab sites use), when only one reads as a date."""
    a, b = int(m.group("a")), int(m.group("b"))
    if a <= 12 and b <= 12 and a != b:
        return None
    month, day = (a, b) if a <= 12 else (b, a)
    hour = int(m.group("hour") or 0)
    ampm = (m.group("ampm") or "").upper()
    if ampm == "PM" and hour < 12:
        hour += 12
    elif ampm == "AM" and hour == 12:
        hour = 0
    try:
        moment = datetime(int(m.group("year")), month, day, hour, int(m.group("minute") or 0), int(m.group("second") or 0))
    except ValueError:
        return None
    return moment.replace(tzinfo=default_zone)
