"""Is a report a near-duplicate of one already seen? Pure: candidates in, verdict out."""

from __future__ import annotations

from dataclasses import dataclass

from rasid.dedup.fingerprints import Fingerprint, similarity

MIN_SHINGLES_FOR_CONTAINMENT = 20
"""Containment only counts between texts long enough for it to mean a shared passage."""
CANDIDATES = 16
"""How many stored reports a new one is compared with exactly: those sharing the most LSH bands
with it (the most similar, as MinHash estimates), the newest first among equals."""


def shortlist(shared: dict[int, int], limit: int = CANDIDATES) -> list[int]:
    """The report ids of `shared` (report id -> band keys in common) worth an exact comparison."""
    if len(shared) <= limit:
        return sorted(shared)
    return sorted(sorted(shared, key=lambda rid: (shared[rid], rid), reverse=True)[:limit])


@dataclass(frozen=True)
class Candidate:
    """A stored report that shares an LSH band with the new one."""

    report_id: int
    story_id: str
    shingles: frozenset[int]


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
    for c in candidates:
        jaccard, contained = similarity(fp.shingles, c.shingles)
        long_enough = min(len(fp.shingles), len(c.shingles)) >= MIN_SHINGLES_FOR_CONTAINMENT
        if jaccard >= threshold or (long_enough and contained >= containment):
            if best is None or (jaccard, contained) > (best.jaccard, best.containment):
                best = StoryMatch(c.story_id, c.report_id, jaccard, contained)
    return best
