"""Recognising a report seen before: exactly (keys) or nearly (fingerprints)."""

from rasid.dedup.exact import (
    ReportWords,
    canonical_url,
    guid_key,
    report_keys,
    report_words,
    revision_key,
)
from rasid.dedup.fingerprints import (
    Fingerprint,
    fingerprint,
    fingerprint_words,
    similarities,
    similarity,
    unpack_shingles,
)
from rasid.dedup.near import CANDIDATES, Candidate, StoryMatch, best_match, shortlist

__all__ = [
    "CANDIDATES",
    "Candidate",
    "Fingerprint",
    "ReportWords",
    "StoryMatch",
    "best_match",
    "canonical_url",
    "fingerprint",
    "fingerprint_words",
    "guid_key",
    "report_keys",
    "report_words",
    "revision_key",
    "shortlist",
    "similarities",
    "similarity",
    "unpack_shingles",
]
