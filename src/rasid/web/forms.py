"""The console's forms as they arrive: small and urlencoded (it sends no other kind)."""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.requests import Request


async def read_form(request: Request, limit: int = 16_384) -> dict[str, str] | None:
    """The fields of an urlencoded form of at most `limit` bytes, or None."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return {key: values[0] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}
