"""Exact duplicates: the same guid, the same canonical URL or the same normalized text."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from rasid.models import Report
from rasid.normalize import normalize

_TRACKING = ("utm_", "fbclid", "gclid", "mc_", "xtor", "at_medium", "at_campaign")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """The same article under the same string: tracking, fragment and host noise removed."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{parts.port}"
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.lower().startswith(_TRACKING)
    )
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https" if scheme in _DEFAULT_PORTS else scheme, host, path, urlencode(query), ""))


def text_fingerprint(title: str, text: str) -> str:
    """A hash of the normalized words, blind to diacritics, letter forms and spacing."""
    words = normalize(f"{title}\n{text}").text.split()
    return hashlib.sha256(" ".join(words).encode()).hexdigest()[:32]


def report_keys(report: Report) -> list[str]:
    """Every key under which this report counts as seen; the first names it."""
    keys = []
    if report.guid:
        keys.append(f"guid:{report.source}:{report.guid}")
    if report.url:
        keys.append(f"url:{canonical_url(report.url)}")
    keys.append(f"text:{text_fingerprint(report.title, report.text)}")
    return keys
