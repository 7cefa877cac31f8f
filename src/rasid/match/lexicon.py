"""Which Arabic forms are everyday words, from wordfreq's offline frequency lists."""

from __future__ import annotations

from functools import lru_cache

ARTICLE_ZIPF = 3.0
"""A name's article-less form this frequent (Zipf scale) is an everyday word: مدينة 5.8, شرق 5.1,
جزيرة 4.9 are; جيدور 1.0 and قنيطرة 1.7 are not."""


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "ar"))


def bare_form_is_word(bare: str) -> bool:
    """Whether a name without its article is a common word, so the article may not be dropped."""
    return zipf(bare) >= ARTICLE_ZIPF
