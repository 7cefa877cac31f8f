"""Is a report a near-duplicate of one already seen? Pure: candidates in, verdict out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from rasid.dedup.fingerprints import Fingerprint, similarities

MIN_SHINGLES_FOR_CONTAINMENT = 20
"""Containment only counts between texts long enough for it to mean a shared passage."""
CANDIDATES = 16
"""How many stored reports a new one is compared with exactly: those sharing the most LSH bands
with it (the most similar, as MinHash estimates), the newest first among equals."""


def shortlist(ids: Sequence[int], counts: Sequence[int], limit: int = CANDIDATES) -> list[int]:
    """Of the reports `ids`, sharing `counts` band keys each with a new one, those worth an exact
    comparison, in id order: the `limit` sharing the most, the newest (highest id) among equals."""
    if len(ids) <= limit:
        return sorted(int(i) for i in ids)
    # one number ranks them: ids stay below 2**40 (a trillion reports), counts below 2**23
    rank = np.asarray(counts, np.int64) << 40 | np.asarray(ids, np.int64)
    best = np.argpartition(rank, len(rank) - limit)[-limit:]
    return sorted(np.asarray(ids, np.int64)[best].tolist())


@dataclass(frozen=True)
class Candidate:
    """A stored report that shares an LSH band with the new one."""

    report_id: int
    story_id: str
    shingles: np.ndarray = field(compare=False, repr=False)
    """Sorted and distinct, as `unpack_shingles` gives them."""


@dataclass(frozen=True)
class StoryMatch:
    """The story a report belongs to, and how close it came."""

    story_id: str
    report_id: int
    jaccard: float
    containment: float


def best_match(
    fp: Fingerprint, candidates: list[Candidate], threshold: float, containment: float
) -> StoryMatch | None:
    """The most similar candidate at or above `threshold` (Jaccard) or `containment`, if any."""
    best: StoryMatch | None = None
    jaccards, containments = similarities(fp.shingles, [c.shingles for c in candidates])
    for c, jaccard, contained in zip(candidates, jaccards, containments):
        long_enough = min(len(fp.shingles), len(c.shingles)) >= MIN_SHINGLES_FOR_CONTAINMENT
        if jaccard >= threshold or (long_enough and contained >= containment):
            if best is None or (jaccard, contained) > (best.jaccard, best.containment):
                best = StoryMatch(c.story_id, c.report_id, jaccard, contained)
    return best
