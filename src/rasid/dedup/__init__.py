"""Recognising a report seen before."""

from rasid.dedup.exact import canonical_url, report_keys, text_fingerprint

__all__ = ["canonical_url", "report_keys", "text_fingerprint"]
