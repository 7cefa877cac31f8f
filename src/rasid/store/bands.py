"""`BandIndex`: LSH band keys -> report ids, in memory, for the single-process SQLite store.

Kept in two sorted numpy arrays (16 bytes per band key) plus a small dict of recent additions,
merged into the arrays in batches.
PostgreSQL keeps band keys as rows instead, where every instance sees them.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Iterable, Sequence

import numpy as np

MERGE_AT = 1 << 17
"""Recent band keys held in the dict before they are merged into the sorted arrays."""
_NONE = np.empty(0, np.int64)
BUCKET_LIMIT = 256
"""The most recent reports read per band key: a key that boilerplate or a story carried by
hundreds of outlets gives to thousands of reports costs no more than this."""


class BandIndex:
    """Which reports share a band key; thread-safe."""

    def __init__(self, merge_at: int = MERGE_AT) -> None:
        self._keys = np.empty(0, np.int64)
        self._ids = np.empty(0, np.int64)
        self._recent: dict[int, array[int]] = {}
        """Recent additions: band key -> report ids, as int64 arrays numpy reads without copying."""
        self._recent_count = 0
        self._merge_at = merge_at
        self._lock = threading.Lock()

    @classmethod
    def sorted_from(cls, keys: np.ndarray, ids: np.ndarray) -> BandIndex:
        """An index of parallel arrays of band keys and report ids (in report order), which it
        sorts in place and keeps; each key's reports stay in report order."""
        order = np.argsort(keys, kind="stable")
        keys[:] = keys[order]  # in place, one copy at a time: 1,000,000 reports make 21 million keys
        ids[:] = ids[order]
        index = cls()
        index._keys, index._ids = keys, ids
        return index

    def __len__(self) -> int:
        return len(self._keys) + self._recent_count

    def add(self, report_id: int, band_keys: Iterable[int]) -> None:
        with self._lock:
            for key in band_keys:
                bucket = self._recent.get(key)
                if bucket is None:
                    self._recent[key] = bucket = array("q")
                bucket.append(report_id)
                self._recent_count += 1
            if self._recent_count >= self._merge_at:
                self._merge()

    def shared(self, band_keys: tuple[int, ...], bucket_limit: int = BUCKET_LIMIT) -> tuple[np.ndarray, np.ndarray]:
        """The reports filed under any of `band_keys` (in id order) and under how many of them each
        is, reading at most the `bucket_limit` most recent reports of each key."""
        pieces: list[np.ndarray] = []
        with self._lock:
            lo = hi = None
            if len(self._keys):
                query = np.array(band_keys, np.int64)
                lo = np.searchsorted(self._keys, query, "left").tolist()
                hi = np.searchsorted(self._keys, query, "right").tolist()
            for n, key in enumerate(band_keys):
                bucket = self._recent.get(key)  # newer than any in the arrays
                # a copy: an array that numpy still views cannot grow
                recent = np.frombuffer(bucket, np.int64)[-bucket_limit:].copy() if bucket else _NONE
                if len(recent):
                    pieces.append(recent)
                room = bucket_limit - len(recent)
                if lo is not None and hi is not None and room > 0 and lo[n] < hi[n]:
                    pieces.append(self._ids[max(lo[n], hi[n] - room) : hi[n]])
        if not pieces:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        found = np.sort(np.concatenate(pieces))
        starts = np.flatnonzero(np.concatenate(([True], found[1:] != found[:-1])))
        return found[starts], np.diff(np.append(starts, len(found)))

    def forget_before(self, report_id: int) -> None:
        """Drop every report numbered below `report_id`."""
        with self._lock:
            self._merge()
            keep = self._ids >= report_id
            if not keep.all():
                self._keys, self._ids = self._keys[keep], self._ids[keep]

    def _merge(self) -> None:
        if not self._recent:
            return
        keys = np.repeat(np.fromiter(self._recent, np.int64, len(self._recent)), [len(b) for b in self._recent.values()])
        ids = np.concatenate([np.frombuffer(b, np.int64) for b in self._recent.values()])
        order = np.argsort(keys, kind="stable")
        keys, ids = keys[order], ids[order]
        at = np.searchsorted(self._keys, keys, "right")
        self._keys = np.insert(self._keys, at, keys)
        self._ids = np.insert(self._ids, at, ids)
        self._recent.clear()
        self._recent_count = 0


def pack_band_keys(band_keys: tuple[int, ...]) -> bytes:
    """Band keys as one blob of the `bands` table (little-endian int64)."""
    return np.array(band_keys, "<i8").tobytes()


def read_band_keys(
    blobs: Iterable[Sequence[tuple[int, bytes]]], blob_keys: int, rows: Iterable[Sequence[tuple[int, int]]], row_count: int
) -> tuple[np.ndarray, np.ndarray]:
    """Parallel arrays of band keys and report ids from batches of `row_count` (band key, report
    id) rows, written before the blobs, then batches of (report id, `pack_band_keys` blob) holding
    `blob_keys` keys in all: in report order when each source is."""
    keys = np.empty(blob_keys + row_count, np.int64)
    ids = np.empty_like(keys)
    at = 0
    for batch in rows:
        pairs = np.array(batch, np.int64).reshape(-1, 2)
        keys[at : at + len(pairs)], ids[at : at + len(pairs)] = pairs[:, 0], pairs[:, 1]
        at += len(pairs)
    for batch in blobs:
        chunk = np.frombuffer(b"".join(blob for _, blob in batch), "<i8")
        keys[at : at + len(chunk)] = chunk
        ids[at : at + len(chunk)] = np.repeat([rid for rid, _ in batch], [len(blob) // 8 for _, blob in batch])
        at += len(chunk)
    return keys[:at], ids[:at]
