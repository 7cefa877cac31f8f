"""Normalization of text for matching; the original text and its offsets stay intact."""

from rasid.normalize.text import NormalizedText, normalize, normalize_term

__all__ = ["NormalizedText", "normalize", "normalize_term"]
