"""Which Arabic forms are everyday words, from wordfreq's offline frequency lists."""

from __future__ import annotations

import gzip
import importlib.util
import re
from functools import lru_cache
from itertools import islice
from math import floor, log10
from pathlib import Path

WORDLIST = "small"
"""wordfreq's small Arabic list: every word above Zipf 3.0, with the large list's values, read in
0.04 s where the large one takes 0.5 s. rasid's thresholds start at 3.0, so what it lacks (words
at exactly 3.00, and rarer ones) would decide nothing here but the few hundred words at 3.00."""
ARTICLE_ZIPF = 3.0
"""A name's article-less form this frequent (Zipf scale) is an everyday word: مدينة 5.8, شرق 5.1,
جزيرة 4.9 are; جيدور 1.0 and قنيطرة 1.7 are not."""


_LETTERS = "[\u0621-\u063a\u0641-\u064a]+"
_PLAIN_ARABIC = re.compile(f"[ ()-]*{_LETTERS}([ ()-]+{_LETTERS})*[ ()-]*")
"""Letters between spaces, hyphens and brackets: wordfreq's tokenizer would give back the runs
of letters as its words."""
_MARKS = re.compile("[\u064b-\u0652\u0670\u0640]")
"""Harakat, the superscript alef and tatweel, which wordfreq's tokenizer removes first."""
_WORD = re.compile(_LETTERS)


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """wordfreq's Zipf frequency of `word` in Arabic. Words and phrases of plain letters are
    read straight from its frequency table and combined as it combines them (1/f = 1/f1 + 1/f2
    + ..., three significant digits): it would tokenize each one again, a millisecond or more
    each, and importing it costs a tenth of a second."""
    letters = _MARKS.sub("", word)
    if not _PLAIN_ARABIC.fullmatch(letters):
        from wordfreq import zipf_frequency

        return float(zipf_frequency(word, "ar", wordlist=WORDLIST))
    frequencies = _frequencies()
    inverse = 0.0
    for token in _WORD.findall(letters):
        frequency = frequencies.get(token)
        if not frequency:
            return 0.0
        inverse += 1.0 / frequency
    frequency = 1.0 / inverse
    frequency = round(frequency, floor(-log10(frequency)) + 3)
    return round(log10(frequency) + 9, 2)


@lru_cache(maxsize=1)
def _buckets() -> list[list[str]]:
    """wordfreq's Arabic words as it stores them: bucket i holds the words of frequency
    10^(-i/100). Read straight from its data file when that is in the format this knows
    ("cBpack" version 1): importing wordfreq itself costs a tenth of a second."""
    spec = importlib.util.find_spec("wordfreq")
    folder = Path(spec.submodule_search_locations[0]) / "data" if spec and spec.submodule_search_locations else None
    try:
        import msgpack

        with gzip.open(folder / f"{WORDLIST}_ar.msgpack.gz", "rb") as f:  # type: ignore[operator]
            data = msgpack.load(f, raw=False)
        if data[0] == {"format": "cB", "version": 1}:
            return list(data[1:])
    except (ImportError, OSError, TypeError, ValueError):
        pass
    from wordfreq import get_frequency_list

    return get_frequency_list("ar", WORDLIST)


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    """Each word's frequency, as wordfreq's `get_frequency_dict` gives it."""
    out: dict[str, float] = {}
    for index, bucket in enumerate(_buckets()):
        out.update(dict.fromkeys(bucket, 10 ** (-index / 100)))
    return out


def bare_form_is_word(bare: str) -> bool:
    """Whether a name without its article is a common word, so the article may not be dropped."""
    return zipf(bare) >= ARTICLE_ZIPF


FOLDED_WORDS = 60_000
"""How many of wordfreq's most frequent Arabic words `folded_zipf` knows (all of `WORDLIST`'s)."""


@lru_cache(maxsize=1)
def _folded() -> dict[str, float]:
    from rasid.normalize import normalize_term

    # wordfreq's top_n_list, most frequent first and without digit runs; the words are single
    # tokens: their Zipf value is read straight from the frequency table, as zipf_frequency would
    # after tokenizing each one again (a second per 60,000 words)
    frequencies = _frequencies()
    top = (w for bucket in _buckets() for w in bucket if not _DIGITS.match(w))
    out: dict[str, float] = {}
    for word in islice(top, FOLDED_WORDS):
        key = normalize_term(word)
        out[key] = max(out.get(key, 0.0), round(log10(frequencies[word]) + 9, 2))
    return out


_DIGITS = re.compile(r"\d[\d.,]+")
"""A run of digits, which wordfreq's lists of words leave out (it estimates numbers otherwise)."""


def folded_zipf(key: str) -> float:
    """The frequency of the most frequent word whose matching form is `key` (دوله: دولة 5.4);
    0 below the `FOLDED_WORDS` most frequent."""
    return _folded().get(key, 0.0)
