"""Which characters normalization deletes, folds or expands."""

from __future__ import annotations

import re
import sys
import unicodedata
from array import array
from functools import lru_cache

# Harakat, tanween, shadda, sukun, superscript alef, Quranic marks, tatweel,
# zero-width and bidi controls, soft hyphen, combining Latin accents and the
# apostrophe family (so Dar'a and Dar‘ā meet Dara).
DELETED = (
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed\u08d3-\u08e1\u08e3-\u08ff"
    "\u0640"
    "\u200b-\u200f\u061c\u202a-\u202e\u2066-\u2069\ufeff\u00ad"
    "\u0300-\u036f"
    "'\u2018\u2019\u02bc\u02be\u02bf"
)

# Marks that belong to the letter before them: a match's span grows over them.
TRAILING_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed\u08d3-\u08ff\u0640\u0300-\u036f"

# Text with any of these goes through NFKC character by character (ﻻ -> لا, ﬁ -> fi).
EXPANDING = "\ufb00-\ufb06\ufb50-\ufdff\ufe70-\ufefe\uff01-\uffef\u0130"

_LETTER_FOLDS = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ى": "ي", "ی": "ي", "ې": "ي",
    "ة": "ه", "ۀ": "ه", "ۃ": "ه", "ھ": "ه",
    "ک": "ك", "ڪ": "ك",
}  # fmt: skip

PUNCTUATION = "،؛؟۔«»“”„‟‹›.,;:!?()[]{}<>\"/\\|-‐‑‒–—―…•·*#@%&+=~^_`"
PHRASE_BREAKS = "،؛؟۔«»“”„‟‹›.,;:!?()[]{}\""
"""Punctuation a multi-word term may not span (a hyphen may: Deir ez-Zor)."""
_SPACES = "\t\n\r\f\v\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def _latin_folds() -> dict[str, str]:
    folds = {}
    for cp in list(range(0x00C0, 0x0250)) + list(range(0x1E00, 0x1F00)):
        ch = chr(cp)
        base = unicodedata.normalize("NFD", ch)[0].lower()
        if base.isascii() and base.isalpha() and base != ch:
            folds[ch] = base
    folds.update({"ß": "s", "æ": "a", "ø": "o", "đ": "d", "ł": "l", "ı": "i"})
    return folds


def _fold_map() -> dict[str, str]:
    folds: dict[str, str] = {}
    folds.update(_latin_folds())
    folds.update(_LETTER_FOLDS)
    for i in range(10):
        folds[chr(0x0660 + i)] = str(i)
        folds[chr(0x06F0 + i)] = str(i)
    for ch in PUNCTUATION + _SPACES:
        folds[ch] = " "
    assert all(len(v) == 1 for v in folds.values())
    return folds


FOLDS = _fold_map()
"""One character to one character: offsets survive folding unchanged."""

COMMON_FOLDS = [(ch, FOLDS[ch]) for ch in "أإآٱىةکی\n،.“”«»():؛؟!\"-,\u00a0"]
"""The folds frequent in Arabic news, done with `str.replace` (far faster than `str.translate`)."""
RARE_FOLDS = {ch: to for ch, to in FOLDS.items() if (ch, to) not in COMMON_FOLDS}

FOLD_HAMZA_SEATS = (("ؤ", "و"), ("ئ", "ي"))
"""Lossy, so only for watch-lists that ask for it."""

APOSTROPHES = "'\u2019\u02bc"
"""Before a Latin alias's possessive s (Daraa's)."""

# Bits of a `char_table()` entry above the folded code point (the native modules read them).
DELETE, SLOW, TRAILING, BREAK, APOSTROPHE, WORD = (1 << bit for bit in range(24, 30))


@lru_cache(maxsize=1)
def char_table() -> bytes:
    """For each BMP code point, as uint32: its folded code point and the flags above.

    SLOW marks what `str.lower` or NFKC would lengthen or decide from context (final sigma),
    for which normalization takes its character-by-character path.
    """
    order = f"utf-32-{sys.byteorder[0]}e"  # the machine's, as the native modules read it
    every = array("I", range(0x10000)).tobytes().decode(order, "surrogatepass")
    lowered, slow = _lowered(every)
    slow |= {m.start() for m in re.finditer(f"[{EXPANDING}]", every)} | {0x03A3}  # final sigma: from context
    folded = lowered.translate(str.maketrans(FOLDS))
    # whole-table passes run in C: the code points as uint32, then the byte that holds the
    # flags, starting from WORD (letters and digits: \w less the underscore)
    entries = bytearray(folded.encode(order, "surrogatepass"))
    words = re.sub(r"[^\W_]", chr(WORD >> 24), re.sub(r"[\W_]", "\0", every))
    flags = bytearray(words.encode("latin-1"))
    for m in re.finditer(f"[{TRAILING_MARKS}]", every):
        flags[m.start()] |= TRAILING >> 24
    for chars, flag in ((PHRASE_BREAKS, BREAK), (APOSTROPHES, APOSTROPHE)):
        for ch in chars:
            flags[ord(ch)] |= flag >> 24
    for m in re.finditer(f"[{DELETED}]", folded):  # no code point of its own
        entries[4 * m.start() : 4 * m.start() + 4] = bytes(4)
        flags[m.start()] |= DELETE >> 24
    for cp in slow:  # only the flag
        entries[4 * cp : 4 * cp + 4] = bytes(4)
        flags[cp] = SLOW >> 24
    entries[3 if sys.byteorder == "little" else 0 :: 4] = flags
    return bytes(entries)


def _lowered(every: str) -> tuple[str, set[int]]:
    """`every` lowercased one character for one (a space where lowering lengthens a character),
    and where it did: in blocks, each lowered at once unless its length changes."""
    out, longer = [], set()
    for start in range(0, len(every), 1024):
        block = every[start : start + 1024]
        low = block.lower()
        if len(low) == len(block):
            out.append(low)
            continue
        for cp, ch in enumerate(block, start):
            low = ch.lower()
            out.append(low if len(low) == 1 else " ")
            if len(low) != 1:
                longer.add(cp)
    return "".join(out), longer
