"""Which Arabic forms are everyday words, from wordfreq's offline frequency lists."""

from __future__ import annotations

import re
from functools import lru_cache
from math import floor, log10

WORDLIST = "small"
"""wordfreq's small Arabic list: every word above Zipf 3.0, with the large list's values, read in
0.04 s where the large one takes 0.5 s. rasid's thresholds start at 3.0, so what it lacks (words
at exactly 3.00, and rarer ones) would decide nothing here but the few hundred words at 3.00."""
ARTICLE_ZIPF = 3.0
"""A name's article-less form this frequent (Zipf scale) is an everyday word: مدينة 5.8, شرق 5.1,
جزيرة 4.9 are; جيدور 1.0 and قنيطرة 1.7 are not."""


_PLAIN_ARABIC = re.compile("[\u0621-\u063a\u0641-\u064a]+( [\u0621-\u063a\u0641-\u064a]+)*")
"""Letters and single spaces only: wordfreq's tokenizer would give back its words unchanged."""


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """wordfreq's Zipf frequency of `word` in Arabic. Plain words and phrases are read straight
    from its frequency table and combined as it combines them (1/f = 1/f1 + 1/f2 + ..., three
    significant digits): it would tokenize each one again, a millisecond or more each."""
    if not _PLAIN_ARABIC.fullmatch(word):
        from wordfreq import zipf_frequency

        return float(zipf_frequency(word, "ar", wordlist=WORDLIST))
    frequencies = _frequencies()
    inverse = 0.0
    for token in word.split(" "):
        frequency = frequencies.get(token)
        if not frequency:
            return 0.0
        inverse += 1.0 / frequency
    frequency = 1.0 / inverse
    frequency = round(frequency, floor(-log10(frequency)) + 3)
    return round(log10(frequency) + 9, 2)


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    from wordfreq import get_frequency_dict

    return get_frequency_dict("ar", wordlist=WORDLIST)


def bare_form_is_word(bare: str) -> bool:
    """Whether a name without its article is a common word, so the article may not be dropped."""
    return zipf(bare) >= ARTICLE_ZIPF


FOLDED_WORDS = 60_000
"""How many of wordfreq's most frequent Arabic words `folded_zipf` knows (all of `WORDLIST`'s)."""


@lru_cache(maxsize=1)
def _folded() -> dict[str, float]:
    from wordfreq import top_n_list

    from rasid.normalize import normalize_term

    # the list's words are single tokens: their Zipf value is read straight from the frequency
    # table, as zipf_frequency would after tokenizing each one again (a second per 60,000 words)
    frequencies = _frequencies()
    out: dict[str, float] = {}
    for word in top_n_list("ar", FOLDED_WORDS, wordlist=WORDLIST):
        key = normalize_term(word)
        out[key] = max(out.get(key, 0.0), round(log10(frequencies[word]) + 9, 2))
    return out


def folded_zipf(key: str) -> float:
    """The frequency of the most frequent word whose matching form is `key` (دوله: دولة 5.4);
    0 below the `FOLDED_WORDS` most frequent."""
    return _folded().get(key, 0.0)
