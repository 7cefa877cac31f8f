"""Bytes to text for the encodings Arabic publishers actually use."""

from __future__ import annotations

import codecs
import logging
import re

log = logging.getLogger("rasid.sources.decode")

FALLBACK = "windows-1256"
"""Still the commonest legacy encoding on Arabic sites."""
REPAIRABLE = 20
"""UTF-8 with at most one bad sequence per this many good multi-byte characters is read as UTF-8,
each bad sequence becoming U+FFFD (a character cut in half by a byte-counting `substr`, say);
windows-1256 text read as UTF-8 has far more bad sequences than good ones."""


WIDE_NULS = 0.05
"""UTF-16 without a BOM is told by its NUL bytes: at least this share of its characters (one in
twenty: spaces alone are more in Arabic news) have one, always in the same half."""


class BinaryContent(ValueError):
    """The bytes are not text."""


_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16's, which it starts with
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_XML_STARTS = ((b"<\x00\x00\x00", "utf-32-le"), (b"\x00\x00\x00<", "utf-32-be"), (b"<\x00?\x00", "utf-16-le"), (b"\x00<\x00?", "utf-16-be"))
"""How `<?xml` or `<` begins in each wide encoding without a BOM (the XML spec's appendix F)."""


def wide_encoding(data: bytes) -> str | None:
    """The UTF-16 or UTF-32 of text that has a BOM, begins as XML does, or has NUL bytes only in
    the odd or only in the even places (UTF-16 without a BOM); None for anything else."""
    for bom, encoding in _BOMS[1:]:
        if data.startswith(bom):
            return encoding
    for start, encoding in _XML_STARTS:
        if data.startswith(start):
            return encoding
    sample = data[:8192]
    if len(data) % 2 or b"\x00" not in sample:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    guess = "utf-16-le" if even == 0 else "utf-16-be" if odd == 0 else None
    # text has NULs in a good share of its characters (spaces, digits, Latin); binary, rarely
    if guess is None or max(even, odd) < len(sample) // 2 * WIDE_NULS:
        return None
    try:
        codecs.getincrementaldecoder(guess)().decode(sample)
    except UnicodeDecodeError:
        return None
    return guess


def is_binary(data: bytes) -> bool:
    """Whether bytes hold NULs that no text encoding rasid reads would."""
    return b"\x00" in data[:8192] and wide_encoding(data) is None


def decode_text(data: bytes, declared: str | None = None, where: str = "") -> str:
    """Decode `data` honouring a BOM or a UTF-16 or UTF-32 layout, then a declared charset, then
    UTF-8 (repaired when only a few bytes are bad, see `REPAIRABLE`), then windows-1256. `where`
    names the source in logs."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    wide = wide_encoding(data)
    if wide is not None:
        bom = next((b for b, e in _BOMS if e == wide and data.startswith(b)), b"")
        try:
            return data[len(bom) :].decode(wide, errors="replace" if bom else "strict")
        except UnicodeDecodeError:
            raise BinaryContent(f"contains NUL bytes and does not read as {wide.upper()}") from None
    if b"\x00" in data[:8192]:
        raise BinaryContent("contains NUL bytes")
    for encoding in [declared] if declared else []:
        try:
            return data.decode(_known(encoding))
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    repaired = repaired_utf8(data, where)
    if repaired is not None:
        return repaired
    try:
        return data.decode(FALLBACK)
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace")


def repaired_utf8(data: bytes, where: str = "") -> str | None:
    """`data` read as UTF-8 with its few bad sequences replaced by U+FFFD (logged), or None when
    too much of it is not UTF-8 to be UTF-8."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    good = len(text) - len(text.encode("ascii", errors="ignore")) - bad - data.count(b"\xef\xbf\xbd")
    if bad > 0 and good >= REPAIRABLE * bad:
        log.warning("text repaired %s bad_utf8_sequences=%d", where or "source=-", bad)
        return text
    return None


def _known(encoding: str) -> str:
    return codecs.lookup(encoding.strip().lower()).name


_CHARSET = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._-]+)", re.IGNORECASE)
_LATIN_GUESSES = frozenset({"iso8859-1", "latin-1", "cp1252", "ascii"})
_ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")


def declared_charsets(body: bytes, content_type: str | None) -> list[str]:
    """Charsets the HTTP header and the XML prolog claim, in that order."""
    out = []
    m = _HEADER_CHARSET.search(content_type or "")
    if m:
        out.append(m.group(1))
    m = _CHARSET.match(body[:200])
    if m:
        out.append(m.group(1).decode("ascii"))
    return out


def decode_document(body: bytes, content_type: str | None = None, where: str = "") -> str:
    """A web document's text: BOM, then header and prolog charsets, then UTF-8 (repaired if need
    be), then windows-1256. A Latin charset that turns out to hide Arabic (a common
    misdeclaration) is read as windows-1256. `where` names the source in logs."""
    if wide_encoding(body):  # its prolog's charset is written in it, not in ASCII
        return decode_text(body, where=where)
    for candidate in declared_charsets(body, content_type):
        try:
            encoding = _known(candidate)
            text = body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
        if encoding in _LATIN_GUESSES and not _ARABIC_LETTER.search(text) and re.search(r"[\u00c0-\u00ff]{3}", text):
            try:
                arabic = body.decode(FALLBACK)
            except UnicodeDecodeError:
                return text
            if len(_ARABIC_LETTER.findall(arabic)) > len(text) // 20:
                return arabic
        return text
    try:
        return decode_text(body, where=where)
    except BinaryContent:
        return body.decode("utf-8", errors="replace")
