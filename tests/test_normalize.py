"""Normalization for matching never loses the way back to the original text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rasid.normalize import normalize

MARKS = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670\u0640"


def test_folds() -> None:
    assert normalize("أَحْمَدُ إِلى آخِرِ ٱلْمَدِينَةِ").text == "احمد الي اخر المدينه"
    assert normalize("كتاب فارسی ک ۀ").text == "كتاب فارسي ك ه"
    assert normalize("عام ٢٠٢٠ و۱۴").text == "عام 2020 و14"
    assert normalize("درعا،جاسم؛ «القنيطرة»\u00a0\n حوران").text == "درعا جاسم القنيطره حوران"
    assert normalize("د\u200cر\u200fع\u202aا").text == "درعا"
    assert normalize("Dar‘ā DARAA Déraa").text == "dara daraa deraa"
    assert normalize("ﻻ ﷲ").text == "لا الله"


def test_spans_point_into_the_original() -> None:
    original = "  عقدَ اجتماعاً ،  في ﻻذقية جاسمٍ"
    nt = normalize(original)
    for word in ("اجتماعا", "جاسم", "لاذقيه"):
        i = nt.text.index(word)
        start, end = nt.span(i, i + len(word))
        assert normalize(original[start:end]).text == word


def test_span_includes_trailing_marks() -> None:
    nt = normalize("في جاسمٍّ.")
    i = nt.text.index("جاسم")
    start, end = nt.span(i, i + 4)
    assert nt.original[start:end] == "جاسمٍّ"


arabic_words = st.lists(
    st.text(alphabet="ابتثجحخدذرزسشصضطظعغفقكلمنهويةىأإآءؤئ", min_size=1, max_size=8), min_size=1, max_size=12
)


@settings(max_examples=200, deadline=None)
@given(arabic_words, st.lists(st.sampled_from(MARKS + "\u200f\u200c،. «»"), max_size=30), st.randoms())
def test_marks_and_tatweel_never_change_meaning(words: list[str], noise: list[str], rnd: object) -> None:
    plain = " ".join(words)
    chars = list(plain)
    for ch in noise:
        chars.insert(rnd.randrange(len(chars) + 1), ch)  # type: ignore[attr-defined]
    noisy = "".join(chars)
    clean, dirty = normalize(plain), normalize(noisy)
    assert dirty.text.split() == clean.text.split() or any(c in "،. «»" for c in noise)
    for k in range(len(dirty.text)):
        o = dirty.to_original(k)
        assert normalize(noisy[o]).text in (dirty.text[k], "") or dirty.text[k] == " "


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_every_normalized_char_maps_into_the_original(text: str) -> None:
    nt = normalize(text)
    last = -1
    for k in range(len(nt.text)):
        o = nt.to_original(k)
        assert 0 <= o < len(text)
        assert o >= last  # equal only where NFKC expanded one character (ﬀ -> ff)
        last = o


def test_the_character_table_says_of_each_code_point_what_python_says() -> None:
    """The native modules' table, against each code point's own lowercase, fold and class."""
    import re
    from array import array

    from rasid.normalize import tables as t

    table = array("I", t.char_table())
    assert len(table) == 0x10000
    deleted = re.compile(f"[{t.DELETED}]")
    trailing = re.compile(f"[{t.TRAILING_MARKS}]")
    expanding = re.compile(f"[{t.EXPANDING}]")
    for cp in range(0x10000):
        ch = chr(cp)
        low = ch.lower()
        if len(low) != 1 or expanding.match(ch) or cp == 0x03A3:
            assert table[cp] == t.SLOW, hex(cp)
            continue
        folded = t.FOLDS.get(low, low)
        flags = (t.TRAILING if trailing.match(ch) else 0) | (t.WORD if ch.isalnum() else 0)
        flags |= (t.BREAK if ch in t.PHRASE_BREAKS else 0) | (t.APOSTROPHE if ch in t.APOSTROPHES else 0)
        expected = t.DELETE | flags if deleted.match(folded) else ord(folded) | flags
        assert table[cp] == expected, hex(cp)
