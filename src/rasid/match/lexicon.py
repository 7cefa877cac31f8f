"""Which Arabic forms are everyday words, from wordfreq's offline frequency lists."""

from __future__ import annotations

from functools import lru_cache
from math import log10

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


FOLDED_WORDS = 60_000
"""How many of wordfreq's most frequent Arabic words `folded_zipf` knows (down to Zipf ~3.0)."""


@lru_cache(maxsize=1)
def _folded() -> dict[str, float]:
    from wordfreq import get_frequency_dict, top_n_list

    from rasid.normalize import normalize_term

    # the list's words are single tokens: their Zipf value is read straight from the frequency
    # table, as zipf_frequency would after tokenizing each one again (a second per 60,000 words)
    frequencies = get_frequency_dict("ar")
    out: dict[str, float] = {}
    for word in top_n_list("ar", FOLDED_WORDS):
        key = normalize_term(word)
        out[key] = max(out.get(key, 0.0), round(log10(frequencies[word]) + 9, 2))
    return out


def folded_zipf(key: str) -> float:
    """The frequency of the most frequent word whose matching form is `key` (دوله: دولة 5.4);
    0 below the `FOLDED_WORDS` most frequent."""
    return _folded().get(key, 0.0)
