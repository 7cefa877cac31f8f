"""Recognising a report seen before: exactly (keys) or nearly (fingerprints)."""

from rasid.dedup.exact import canonical_url, report_keys, text_fingerprint
from rasid.dedup.fingerprints import Fingerprint, fingerprint, similarity, unpack_shingles
from rasid.dedup.near import Candidate, StoryMatch, best_match

__all__ = [
    "Candidate",
    "Fingerprint",
    "StoryMatch",
    "best_match",
    "canonical_url",
    "fingerprint",
    "report_keys",
    "similarity",
    "text_fingerprint",
    "unpack_shingles",
]
