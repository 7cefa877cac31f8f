"""Bytes to text for the encodings Arabic publishers actually use."""

from __future__ import annotations

import codecs

FALLBACK = "windows-1256"
"""Still the commonest legacy encoding on Arabic sites."""


class BinaryContent(ValueError):
    """The bytes are not text."""


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Decode `data` honouring a BOM, then a declared charset, then UTF-8, then windows-1256."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    if b"\x00" in data[:8192]:
        raise BinaryContent("contains NUL bytes")
    candidates = [declared] if declared else []
    candidates += ["utf-8", FALLBACK]
    for encoding in candidates:
        try:
            return data.decode(_known(encoding))
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("utf-8", errors="replace")


def _known(encoding: str) -> str:
    return codecs.lookup(encoding.strip().lower()).name
