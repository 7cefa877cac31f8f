"""HTTP response bodies read within a byte cap, decompressed as they stream.

httpx decompresses a whole network chunk at once, so a few kilobytes of brotli can become
gigabytes before a caller counts a byte. Here the raw bytes are decoded piece by piece, each
piece no larger than the room left under the cap.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Protocol

import brotli
import httpx

ACCEPT_ENCODING = "gzip, deflate, br"
"""Sent with every request: the encodings `read_capped` can decode within its cap."""


class BodyTooLarge(Exception):
    """The body, once decompressed, is over the cap."""


class UnsupportedEncoding(Exception):
    """A content encoding that is not read: unknown, or one encoding inside another."""


class _Decoder(Protocol):
    def pieces(self, data: bytes, size: int) -> Iterator[bytes]:
        """The decoded form of `data`, in pieces of at most `size` bytes."""
        ...


class _Identity:
    def pieces(self, data: bytes, size: int) -> Iterator[bytes]:
        for start in range(0, len(data), size):
            yield data[start : start + size]


class _Zlib:
    """gzip, or deflate with or without its zlib header (servers send both)."""

    def __init__(self, gzip: bool) -> None:
        self._gzip = gzip
        self._started = False
        self._z = zlib.decompressobj(16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS)

    def pieces(self, data: bytes, size: int) -> Iterator[bytes]:
        while data:
            try:
                out = self._z.decompress(data, size)
            except zlib.error:
                if self._gzip or self._started:
                    raise
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate
                out = self._z.decompress(data, size)
            self._started = True
            if out:
                yield out
            data = self._z.unconsumed_tail
            if self._z.eof:
                return


class _Brotli:
    def __init__(self) -> None:
        self._d = brotli.Decompressor()

    def pieces(self, data: bytes, size: int) -> Iterator[bytes]:
        out = self._d.process(data, output_buffer_limit=size)
        if out:
            yield out
        while not self._d.can_accept_more_data():
            out = self._d.process(b"", output_buffer_limit=size)
            if not out:
                return
            yield out


def decoder(content_encoding: str | None) -> _Decoder:
    """The decoder for a `Content-Encoding` header; raises `UnsupportedEncoding`."""
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if len(codings) > 1:
        raise UnsupportedEncoding(f"nested content encodings ({content_encoding}) are not read")
    coding = codings[0] if codings else ""
    if not coding:
        return _Identity()
    if coding in ("gzip", "x-gzip"):
        return _Zlib(gzip=True)
    if coding == "deflate":
        return _Zlib(gzip=False)
    if coding == "br":
        return _Brotli()
    raise UnsupportedEncoding(f"content encoding {coding!r} is not read")


async def read_capped(response: httpx.Response, limit: int, *, truncate: bool = False) -> bytes:
    """At most `limit` decoded bytes of a streamed response. Over the cap: the first `limit`
    bytes if `truncate`, else `BodyTooLarge`. A body that cannot be decoded raises
    `UnsupportedEncoding`."""
    decode = decoder(response.headers.get("content-encoding"))
    body = bytearray()
    try:
        async for chunk in response.aiter_raw():
            for piece in decode.pieces(chunk, limit - len(body) + 1):
                body += piece
                if len(body) > limit:
                    if truncate:
                        return bytes(body[:limit])
                    raise BodyTooLarge(f"response over {limit} bytes")
    except (zlib.error, brotli.error) as exc:
        raise UnsupportedEncoding(f"body does not decode as {response.headers.get('content-encoding')}: {exc}") from None
    return bytes(body)
