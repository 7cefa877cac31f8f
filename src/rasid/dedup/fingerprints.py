"""Near-duplicate fingerprints: word shingles of the normalized text, MinHash, LSH band keys."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np

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
_MASK = np.uint64(0xFFFFFFFF)
_K1, _K2 = np.uint64(0x9E3779B1), np.uint64(0x85EBCA77)
"""Odd multipliers that mix three word hashes into one order-sensitive shingle hash."""


def _permutations(seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The MinHash permutations `h -> a * h + b mod 2**32` (`a` odd, so each is a bijection),
    drawn from NumPy's legacy generator, whose stream never changes: stored band keys depend
    on them. They are those of datasketch's `affine32` scheme with seed 1, which rasid used
    before computing them itself."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, PERMUTATIONS, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, PERMUTATIONS, dtype=np.uint32)
    return a, b


_A, _B = _permutations()
_A_BYTES, _B_BYTES = _A.tobytes(), _B.tobytes()

try:
    from rasid.dedup._shingles import fingerprint as _native
except ImportError:  # built without a C compiler: numpy does it
    _native = None


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, a bijection that spreads structured input across the range."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def minhash(shingles: np.ndarray) -> np.ndarray:
    """The `PERMUTATIONS` minimum permuted values of a non-empty array of 32-bit shingle hashes."""
    mixed = _fmix32(shingles)
    return (mixed[:, None] * _A + _B).min(axis=0)  # uint32 arithmetic wraps: the modulo 2**32


@dataclass(frozen=True)
class Fingerprint:
    """A report's shingles (sorted, distinct 32-bit values) and the LSH keys it is indexed under."""

    shingles: np.ndarray = field(compare=False, repr=False)
    band_keys: tuple[int, ...]

    def pack(self) -> bytes:
        """The shingles, compactly, for the store: `RAW` and the sorted values as 32-bit integers
        (hashes do not compress; zlib made them larger)."""
        return RAW + self.shingles.astype("<u4").tobytes()


RAW = b"\x00"
"""The first byte of packed shingles; states written before hold zlib streams, which never start with it."""


def unpack_shingles(blob: bytes) -> np.ndarray:
    """Shingles as `Fingerprint.pack` stored them."""
    data = blob[1:] if blob[:1] == RAW else zlib.decompress(blob)
    return np.frombuffer(data, dtype="<u4")


def _shingle_array(words: list[str]) -> np.ndarray:
    """Sorted distinct 32-bit hashes of every run of `SHINGLE` words (of all the words if fewer)."""
    hashes = np.fromiter(map(zlib.crc32, map(str.encode, words)), dtype=np.uint64, count=len(words))
    if len(hashes) < SHINGLE:
        return np.array([int(hashes.sum()) & _MASK] if len(hashes) else [], dtype=np.uint32)
    # uint64 arithmetic wraps modulo 2**64, which keeps the low 32 bits of the exact sum
    ordered = np.sort(((hashes[:-2] * _K1 + hashes[1:-1] * _K2 + hashes[2:]) & _MASK).astype(np.uint32))
    distinct = np.empty(len(ordered), dtype=bool)  # np.unique costs five times as much on a report's few hundred
    distinct[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=distinct[1:])
    return ordered[distinct]


def fingerprint(title: str, text: str) -> Fingerprint:
    """The fingerprint of a report with this title and text."""
    return fingerprint_words(report_words(Report("", title, text)).all)


def fingerprint_words(words: list[str]) -> Fingerprint:
    """The fingerprint of a report's normalized words."""
    if _native is None:
        return numpy_fingerprint(words)
    packed, keys = _native(words, _A_BYTES, _B_BYTES)
    return Fingerprint(np.frombuffer(packed, dtype="<u4"), keys)


def numpy_fingerprint(words: list[str]) -> Fingerprint:
    """`fingerprint_words` without the C extension, the same bit for bit."""
    shingles = _shingle_array(words)
    if not len(shingles):
        return Fingerprint(shingles, ())
    rows = minhash(shingles).astype("<u8").tobytes()
    width = ROWS * 8
    keys = tuple((band << 32) | zlib.crc32(rows[band * width : (band + 1) * width]) for band in range(BANDS))
    return Fingerprint(shingles, keys)


def similarity(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Jaccard similarity and containment (overlap over the smaller set) of two shingle sets,
    each sorted and distinct."""
    (jaccard,), (contained,) = similarities(a, [b])
    return jaccard, contained


def similarities(shingles: np.ndarray, others: list[np.ndarray]) -> tuple[list[float], list[float]]:
    """`similarity` of `shingles` with each of `others`, all at once (all sorted and distinct)."""
    if not others:
        return [], []
    sizes = np.array([len(o) for o in others], np.int64)
    if not len(shingles):
        return [0.0] * len(others), [0.0] * len(others)
    together = np.concatenate(others)
    found = shingles[np.minimum(np.searchsorted(shingles, together), len(shingles) - 1)] == together
    running = np.concatenate(([0], np.cumsum(found)))
    ends = np.cumsum(sizes)
    common = running[ends] - running[ends - sizes]
    with np.errstate(invalid="ignore", divide="ignore"):  # an empty set is similar to nothing
        jaccard = np.where(sizes > 0, common / (len(shingles) + sizes - common), 0.0)
        contained = np.where(sizes > 0, common / np.minimum(len(shingles), sizes), 0.0)
    return jaccard.tolist(), contained.tolist()
