"""Near-duplicate fingerprints: word shingles of the normalized text, MinHash, LSH band keys."""

from __future__ import annotations

import copy
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from rasid.dedup.exact import report_words
from rasid.models import Report

if TYPE_CHECKING:
    from datasketch import MinHash

SHINGLE = 3
"""Words per shingle."""
BANDS = 21
ROWS = 3
PERMUTATIONS = BANDS * ROWS
"""21 bands of 3 rows: two reports become candidates with probability 1 - (1 - j^3)^21, which is
0.44 at Jaccard 0.3, 0.75 at 0.4 and 0.93 at 0.5 but 0.02 at 0.1 and 0.0002 at 0.02: indexed
below the cut, then confirmed with the exact Jaccard and containment of the stored shingles."""
_SEED = 1
_SCHEME = "affine32"
_MASK = np.uint64(0xFFFFFFFF)
_K1, _K2 = np.uint64(0x9E3779B1), np.uint64(0x85EBCA77)
"""Odd multipliers that mix three word hashes into one order-sensitive shingle hash."""


@dataclass(frozen=True)
class Fingerprint:
    """A report's shingle set and the LSH keys under which it is indexed."""

    shingles: frozenset[int]
    band_keys: tuple[int, ...]
    ordered: np.ndarray | None = field(default=None, compare=False, repr=False)
    """The same shingles as a sorted array, when computed here."""

    def pack(self) -> bytes:
        """The shingles, compactly, for the store: sorted 32-bit values, zlib-compressed."""
        ordered = self.ordered if self.ordered is not None else np.array(sorted(self.shingles), dtype=np.uint64)
        return zlib.compress(ordered.astype("<u4").tobytes(), 1)


def unpack_shingles(blob: bytes) -> frozenset[int]:
    return frozenset(np.frombuffer(zlib.decompress(blob), dtype="<u4").tolist())


def _shingle_array(words: list[str]) -> np.ndarray:
    """Sorted distinct 32-bit hashes of every run of `SHINGLE` words (of all the words if fewer)."""
    hashes = np.fromiter(map(zlib.crc32, map(str.encode, words)), dtype=np.uint64, count=len(words))
    if len(hashes) < SHINGLE:
        return np.array([int(hashes.sum()) & _MASK] if len(hashes) else [], dtype=np.uint64)
    # uint64 arithmetic wraps modulo 2**64, which keeps the low 32 bits of the exact sum
    return np.unique((hashes[:-2] * _K1 + hashes[1:-1] * _K2 + hashes[2:]) & _MASK)


def fingerprint(title: str, text: str) -> Fingerprint:
    """The fingerprint of a report with this title and text."""
    return fingerprint_words(report_words(Report("", title, text)).all)


def fingerprint_words(words: list[str]) -> Fingerprint:
    """The fingerprint of a report's normalized words."""
    ordered = _shingle_array(words)
    found = frozenset(ordered.tolist())
    if not found:
        return Fingerprint(found, ())
    minhash = copy.copy(_template())
    minhash.hashvalues = minhash.hashvalues.copy()
    minhash.update_batch(found)
    rows = minhash.hashvalues.astype("<u8").tobytes()
    width = ROWS * 8
    keys = tuple((band << 32) | zlib.crc32(rows[band * width : (band + 1) * width]) for band in range(BANDS))
    return Fingerprint(found, keys, ordered)


@lru_cache(maxsize=1)
def _template() -> MinHash:
    """An empty MinHash with fixed permutations and scheme: stored band keys must not change
    with a datasketch release whose defaults differ. (datasketch, and SciPy through it, is
    imported here: commands that never fingerprint, such as `rasid match`, start without it.)"""
    from datasketch import MinHash

    base = MinHash(num_perm=PERMUTATIONS, seed=_SEED, scheme=_SCHEME)
    return MinHash(num_perm=PERMUTATIONS, hashfunc=int, permutations=base.permutations, scheme=_SCHEME)


def similarity(a: frozenset[int], b: frozenset[int]) -> tuple[float, float]:
    """Jaccard similarity and containment (overlap over the smaller set) of two shingle sets."""
    if not a or not b:
        return 0.0, 0.0
    common = len(a & b)
    return common / len(a | b), common / min(len(a), len(b))
