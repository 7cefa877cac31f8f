"""URLs made safe to show: every credential they may carry replaced by `***`."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"
SECRET_PARAMETERS = frozenset(
    {
        "password", "passwd", "pwd", "pass", "secret", "token", "access_token", "api_key", "apikey", "key",
        "auth", "sig", "signature", "client_secret", "sslpassword", "private_token",
    }
)  # fmt: skip
"""Query parameters whose value is a credential (compared case-insensitively)."""


def redact_url(url: str) -> str:
    """`url` with its user-info password and secret query parameters masked."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return MASK
    netloc = parts.netloc
    if password is not None or "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user = userinfo.partition(":")[0]
        # a bare user-info is often a token (https://TOKEN@host): masked whole
        netloc = f"{user}:{MASK}@{host}" if password is not None else f"{MASK}@{host}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(k.lower() in SECRET_PARAMETERS for k, _ in pairs):
            query = urlencode([(k, MASK if k.lower() in SECRET_PARAMETERS else v) for k, v in pairs], safe="*")
    return urlunsplit(parts._replace(netloc=netloc, query=query))
