"""Exact duplicates: the same guid, the same canonical URL or the same normalized text."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from rasid.dedup.boilerplate import strip_boilerplate
from rasid.models import Report
from rasid.normalize import normalize

_TRACKING_PREFIXES = ("utm_", "mc_", "at_", "pk_", "mtm_", "hsa_", "oly_", "__hs")
_TRACKING = frozenset(
    {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "twclid", "xtor",
     "ref", "ref_src", "ref_url", "cmpid", "ocid", "amp", "outputtype", "ito", "_ga"}
)  # fmt: skip
_MOBILE_HOSTS = ("m.", "mobile.", "amp.", "www.")
_AMP_PATH = re.compile(r"(?:/amp|/amp\.html|\.amp)$|/amp/(?=.)")
_DEFAULT_PORTS = {"http": 80, "https": 443}
MIN_BODY_WORDS = 50
"""A body this long is identified by itself too, so an edited headline is still the same report."""


def canonical_url(url: str) -> str:
    """The same article under the same string: tracking, fragment, host and AMP noise removed,
    percent-encoded Arabic slugs decoded and NFC-normalized."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # a malformed link (a port out of range, broken IPv6) is its own key
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    while host.startswith(_MOBILE_HOSTS) and host.count(".") > 1:
        host = host.split(".", 1)[1]
    if port and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(_TRACKING_PREFIXES) and k.lower() not in _TRACKING
    )
    path = unicodedata.normalize("NFC", unquote(parts.path))
    path = _AMP_PATH.sub("/", path)
    path = re.sub(r"/{2,}", "/", path).rstrip("/") or "/"
    path = path.replace(" ", "%20")
    return urlunsplit(("https" if scheme in _DEFAULT_PORTS else scheme, host, path, urlencode(query), ""))


@dataclass(frozen=True)
class ReportWords:
    """A report's normalized words, boilerplate removed: what every dedup key is made of."""

    title: list[str]
    body: list[str]

    @property
    def all(self) -> list[str]:
        return self.title + self.body


def report_words(report: Report) -> ReportWords:
    """The normalized words of a report's title and of its body (the text after the title)."""
    body = report.text[len(report.title) :] if report.title and report.text.startswith(report.title) else report.text
    return ReportWords(normalize(report.title).text.split(), normalize(strip_boilerplate(body)).text.split())


def _digest(words: list[str]) -> str:
    return hashlib.sha256(" ".join(words).encode()).hexdigest()[:32]


def guid_key(report: Report) -> str:
    """The key of a report's guid, which names it within its source only."""
    return f"guid:{report.source}:{report.guid}"


def revision_key(report: Report) -> str:
    """The key of an item's guid with its title and text as given: another one under the same
    guid is the item edited since."""
    given = "\x00".join((guid_key(report), report.title, report.text))
    return "rev:" + hashlib.sha256(given.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def report_keys(report: Report, words: ReportWords | None = None) -> list[str]:
    """Every key under which this report counts as seen; the first names it."""
    words = words or report_words(report)
    keys = []
    if report.guid:
        keys.append(guid_key(report))
    if report.url:
        keys.append(f"url:{canonical_url(report.url)}")
    keys.append(f"text:{_digest(words.all)}")
    if len(words.body) >= MIN_BODY_WORDS:
        keys.append(f"body:{_digest(words.body)}")
    if report.guid:
        keys.append(revision_key(report))
    return keys
