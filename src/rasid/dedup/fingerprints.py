"""Near-duplicate fingerprints: word shingles of the normalized text, MinHash, LSH band keys."""

from __future__ import annotations

import array
import struct
import zlib
from dataclasses import dataclass
from functools import lru_cache

from datasketch import MinHash

from rasid.dedup.exact import report_words
from rasid.models import Report

SHINGLE = 3
"""Words per shingle."""
BANDS = 21
ROWS = 3
PERMUTATIONS = BANDS * ROWS
"""21 bands of 3 rows: two reports become candidates with probability 1 - (1 - j^3)^21, which is
0.44 at Jaccard 0.3, 0.75 at 0.4 and 0.93 at 0.5 but 0.02 at 0.1 and 0.0002 at 0.02: indexed
below the cut, then confirmed with the exact Jaccard and containment of the stored shingles."""
_SEED = 1
_MASK = 0xFFFFFFFF
_K1, _K2 = 0x9E3779B1, 0x85EBCA77
"""Odd multipliers that mix three word hashes into one order-sensitive shingle hash."""


@dataclass(frozen=True)
class Fingerprint:
    """A report's shingle set and the LSH keys under which it is indexed."""

    shingles: frozenset[int]
    band_keys: tuple[int, ...]

    def pack(self) -> bytes:
        """The shingles, compactly, for the store."""
        return zlib.compress(array.array("I", sorted(self.shingles)).tobytes())


def unpack_shingles(blob: bytes) -> frozenset[int]:
    values = array.array("I")
    values.frombytes(zlib.decompress(blob))
    return frozenset(values)


def shingles(words: list[str]) -> frozenset[int]:
    """32-bit hashes of every run of `SHINGLE` words (of all the words if fewer)."""
    hashes = [zlib.crc32(w.encode()) for w in words]
    if len(hashes) < SHINGLE:
        return frozenset({sum(hashes) & _MASK}) if hashes else frozenset()
    return frozenset((a * _K1 + b * _K2 + c) & _MASK for a, b, c in zip(hashes, hashes[1:], hashes[2:]))


def fingerprint(title: str, text: str) -> Fingerprint:
    """The fingerprint of a report with this title and text."""
    return fingerprint_words(report_words(Report("", title, text)).all)


def fingerprint_words(words: list[str]) -> Fingerprint:
    """The fingerprint of a report's normalized words."""
    found = shingles(words)
    if not found:
        return Fingerprint(found, ())
    permutations, scheme = _permutations()
    minhash = MinHash(num_perm=PERMUTATIONS, hashfunc=int, permutations=permutations, scheme=scheme)
    minhash.update_batch(list(found))
    values = minhash.hashvalues
    keys = tuple(
        (band << 32) | zlib.crc32(struct.pack(f"<{ROWS}Q", *map(int, values[band * ROWS : (band + 1) * ROWS])))
        for band in range(BANDS)
    )
    return Fingerprint(found, keys)


@lru_cache(maxsize=1)
def _permutations() -> tuple[object, str]:
    base = MinHash(num_perm=PERMUTATIONS, seed=_SEED)
    return base.permutations, base.scheme


def similarity(a: frozenset[int], b: frozenset[int]) -> tuple[float, float]:
    """Jaccard similarity and containment (overlap over the smaller set) of two shingle sets."""
    if not a or not b:
        return 0.0, 0.0
    common = len(a & b)
    return common / len(a | b), common / min(len(a), len(b))
