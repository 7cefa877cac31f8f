"""Word frequencies as matching reads them, against wordfreq's own answers."""

from __future__ import annotations

import random

from wordfreq import top_n_list, zipf_frequency

from rasid.match.lexicon import ARTICLE_ZIPF, zipf


def test_plain_words_and_phrases_read_as_wordfreq_gives_them() -> None:
    words = top_n_list("ar", 60_000)
    rnd = random.Random(3)
    sample = rnd.sample(words, 800) + [" ".join(rnd.sample(words[:5000], 2)) for _ in range(200)]
    for word in sample:
        assert zipf(word) == zipf_frequency(word, "ar", wordlist="small"), word


def test_words_with_marks_hyphens_and_brackets_read_as_wordfreq_gives_them() -> None:
    """Harakat, tatweel and separators as names are written in a gazetteer or a watch-list."""
    words = top_n_list("ar", 20_000)
    rnd = random.Random(5)
    marks = "\u064e\u064f\u0650\u0651\u0652\u064b\u0670\u0640"
    for _ in range(400):
        word = "".join(c + (rnd.choice(marks) if rnd.random() < 0.4 else "") for c in rnd.choice(words))
        other = rnd.choice(words)
        for text in (word, f"{word} - {other}", f"{word}-{other}", f"{word} ({other})", f"{word}  {other}"):
            assert zipf(text) == zipf_frequency(text, "ar", wordlist="small"), text


def test_the_small_list_decides_as_the_large_one_above_the_threshold() -> None:
    """Every word the large list puts above the lowest threshold has the same value in the small one."""
    for word in top_n_list("ar", 60_000):
        large = zipf_frequency(word, "ar")
        if large > ARTICLE_ZIPF:
            assert zipf(word) == large, word
        if large < ARTICLE_ZIPF:
            break


def test_the_word_table_read_from_wordfreq_s_file_is_its_own() -> None:
    from math import log10

    from wordfreq import get_frequency_dict

    from rasid.match.lexicon import WORDLIST, _folded, _frequencies
    from rasid.normalize import normalize_term

    frequencies = get_frequency_dict("ar", wordlist=WORDLIST)
    assert _frequencies() == frequencies
    expected: dict[str, float] = {}
    for word in top_n_list("ar", 60_000, wordlist=WORDLIST):
        key = normalize_term(word)
        expected[key] = max(expected.get(key, 0.0), round(log10(frequencies[word]) + 9, 2))
    assert _folded() == expected
