"""Near-duplicate fingerprints: word shingles of the normalized text, MinHash, LSH band keys."""

from __future__ import annotations

import array
import struct
import zlib
from dataclasses import dataclass
from functools import lru_cache

from datasketch import MinHash

from rasid.dedup.boilerplate import strip_boilerplate
from rasid.normalize import normalize

SHINGLE = 3
"""Words per shingle."""
BANDS = 21
ROWS = 3
PERMUTATIONS = BANDS * ROWS
"""21 bands of 3 rows: two reports become candidates with probability 1 - (1 - j^3)^21, which is
0.44 at Jaccard 0.3, 0.75 at 0.4 and 0.93 at 0.5 but 0.02 at 0.1 and 0.0002 at 0.02: indexed
below the cut, then confirmed with the exact Jaccard and containment of the stored shingles."""
_SEED = 1


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


def words_for_fingerprint(title: str, text: str) -> list[str]:
    """Normalized words of the title and text, boilerplate removed."""
    body = text[len(title) :] if title and text.startswith(title) else text
    return normalize(f"{title}\n{strip_boilerplate(body)}").text.split()


def shingles(words: list[str]) -> frozenset[int]:
    """32-bit hashes of every run of `SHINGLE` words (the words themselves if fewer)."""
    if len(words) < SHINGLE:
        return frozenset({zlib.crc32(" ".join(words).encode())}) if words else frozenset()
    return frozenset(zlib.crc32(" ".join(words[i : i + SHINGLE]).encode()) for i in range(len(words) - SHINGLE + 1))


def fingerprint(title: str, text: str) -> Fingerprint:
    """The fingerprint of a report."""
    found = shingles(words_for_fingerprint(title, text))
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
