"""Dedup: canonical URLs, boilerplate, fingerprints, and the labelled near-duplicate evaluation."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from dedup_variants import Doc, labelled_pairs, stories, stream_grouping

from rasid.config.models import DedupConfig
from rasid.dedup import (
    Candidate,
    best_match,
    canonical_url,
    fingerprint,
    shortlist,
    report_keys,
    similarity,
    similarities,
    unpack_shingles,
)
from rasid.dedup import fingerprints
from rasid.dedup.boilerplate import strip_boilerplate
from rasid.dedup.fingerprints import fingerprint_words, numpy_fingerprint
from rasid.models import Report

DEFAULTS = DedupConfig()


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://www.example.com/news/1/", "https://example.com/news/1"),
        ("http://example.com:80/news/1#xtor=RSS-3", "https://example.com/news/1"),
        ("https://example.com:8443/news/1", "https://example.com:8443/news/1"),
        ("https://example.com/news/1?utm_source=rss&utm_medium=feed&fbclid=x&gclid=y", "https://example.com/news/1"),
        ("https://example.com/a?b=2&a=1&utm_campaign=z", "https://example.com/a?a=1&b=2"),
        ("https://m.example.com/news/1", "https://example.com/news/1"),
        ("https://amp.example.com/news/1/amp", "https://example.com/news/1"),
        ("https://example.com/amp/news/1", "https://example.com/news/1"),
        ("https://EXAMPLE.com/%D8%AF%D8%B1%D8%B9%D8%A7-%D8%A7%D8%AC%D8%AA%D9%85%D8%A7%D8%B9/", "https://example.com/درعا-اجتماع"),
        ("https://example.com/درعا-اجتماع", "https://example.com/درعا-اجتماع"),
        ("https://example.com/news?id=5", "https://example.com/news?id=5"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


def test_decomposed_and_composed_slugs_meet() -> None:
    assert canonical_url("https://x.example/caf%C3%A9") == canonical_url("https://x.example/cafe%CC%81")


def test_boilerplate_is_stripped() -> None:
    text = (
        "درعا (وكالات) - قُتل قيادي سابق في فصائل المعارضة برصاص مجهولين في بلدة المسيفرة.\n"
        "وقال ناشطون إن المسلحين لاذوا بالفرار (سانا).\n"
        "اقرأ أيضاً: مقتل عنصر في الأمن العسكري غربي درعا\n"
        "شارك هذا الخبر على فيسبوك وتويتر"
    )
    assert strip_boilerplate(text) == (
        "قُتل قيادي سابق في فصائل المعارضة برصاص مجهولين في بلدة المسيفرة.\nوقال ناشطون إن المسلحين لاذوا بالفرار  ."
    )
    assert strip_boilerplate("بيروت - أعلنت الحكومة اللبنانية اليوم خطة جديدة للكهرباء") == "أعلنت الحكومة اللبنانية اليوم خطة جديدة للكهرباء"
    kept = "قال وزير الخارجية - في مؤتمر صحفي طويل اليوم - إن المحادثات مستمرة"
    assert strip_boilerplate(kept) == kept


def test_normalizing_first_makes_spelling_variants_identical() -> None:
    (doc, *_) = stories()
    plain = fingerprint(doc.title, doc.text)
    respell = lambda t: t.replace("إ", "ا").replace("ة", "ه").replace("ً", "")  # noqa: E731
    dotted = fingerprint(respell(doc.title), respell(doc.text))
    assert similarity(plain.shingles, dotted.shingles) == (1.0, 1.0)
    assert plain.band_keys == dotted.band_keys


def test_edited_title_keeps_the_body_key() -> None:
    (doc, *_) = stories()
    a = Report("a", doc.title, doc.text)
    b = Report("b", "عنوان جديد تماماً", "عنوان جديد تماماً\n\n" + doc.text[len(doc.title) :].strip())
    assert set(report_keys(a)) & set(report_keys(b))


def _fingerprints(docs: list[Doc]) -> dict[int, object]:
    return {id(d): fingerprint(d.title, d.text) for d in docs}


def _duplicate(fa: object, fb: object) -> bool:
    if not set(fa.band_keys) & set(fb.band_keys):  # type: ignore[attr-defined]
        return False
    return best_match(fa, [Candidate(1, "s", fb.shingles)], DEFAULTS.similarity, DEFAULTS.containment) is not None  # type: ignore[arg-type,attr-defined]


def test_evaluation_pairs_precision_recall_and_hard_negatives() -> None:
    positives, negatives, hard = labelled_pairs()
    assert len({d.story for d in stories()}) >= 31
    docs = {id(d): d for pair in positives + negatives + hard for d in pair}
    fps = _fingerprints(list(docs.values()))
    tp = sum(_duplicate(fps[id(a)], fps[id(b)]) for a, b in positives)
    fp = sum(_duplicate(fps[id(a)], fps[id(b)]) for a, b in negatives)
    precision, recall = tp / (tp + fp), tp / len(positives)
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)
    merged = [(a.story, b.story) for a, b in hard if _duplicate(fps[id(a)], fps[id(b)])]
    assert merged == []


def test_evaluation_as_a_stream_of_reports() -> None:
    """Copies arrive in random order; each joins the story of the most similar earlier copy."""
    tp, fp, fn = stream_grouping(DEFAULTS.similarity, DEFAULTS.containment)
    assert tp / (tp + fp) >= 0.95 and tp / (tp + fn) >= 0.95, (tp, fp, fn)


def test_a_malformed_link_is_its_own_key() -> None:
    """A port out of range or broken IPv6 in a feed's link must not stop the report being recorded."""
    for link in ("http://news.example:99999/2", "http://[::1/x"):
        assert canonical_url(link) == link


def test_band_keys_never_change() -> None:
    """Stored fingerprints are compared with new ones: the shingles, permutations and band
    hashing must give the keys they gave when the state was written (datasketch's `affine32`
    MinHash with seed 1, which rasid first used, gave these)."""
    text = "قالت مصادر محلية إن انفجارا وقع صباح اليوم في مدينة درعا جنوب سوريا وأسفر عن سقوط جرحى"
    assert fingerprint("انفجار في درعا", text).band_keys == (
        151228106, 5662012138, 8673898143, 14084485838, 19636040942, 23988040804, 29163249601,
        32322403568, 34742066398, 41372657166, 45604828934, 47726113203, 54493377138, 58827485216,
        61163547211, 64727265756, 72333351535, 74833000891, 77794268847, 82308227820, 90112146275,
    )  # fmt: skip
    assert fingerprint("", "درعا").band_keys[:3] == (2310508883, 4326186951, 12537971163)


def test_shingles_packed_by_an_earlier_rasid_still_read() -> None:
    fp = fingerprint("", "قالت مصادر محلية إن انفجارا وقع صباح اليوم في مدينة درعا جنوب سوريا")
    assert unpack_shingles(fp.pack()).tolist() == fp.shingles.tolist()
    earlier = zlib.compress(fp.shingles.astype("<u4").tobytes(), 1)  # before the raw form
    assert unpack_shingles(earlier).tolist() == fp.shingles.tolist()


@settings(max_examples=300, deadline=None)
@given(st.sets(st.integers(0, 2**32 - 1), max_size=60), st.sets(st.integers(0, 2**32 - 1), max_size=60), st.integers(0, 40))
def test_similarity_of_sorted_arrays_is_that_of_the_sets(a: set[int], b: set[int], shared: int) -> None:
    b = b | set(list(a)[:shared])  # overlaps of every size, not only the rare chance one
    arrays = [np.array(sorted(x), dtype=np.uint32) for x in (a, b)]
    expected = (0.0, 0.0) if not a or not b else (len(a & b) / len(a | b), len(a & b) / min(len(a), len(b)))
    assert similarity(*arrays) == pytest.approx(expected)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["درعا", "انفجار", "في", "ال", "a", "Ωmega", "١٢", "x" * 40]) | st.text(min_size=1, max_size=12), max_size=80))
def test_the_c_fingerprint_is_the_numpy_one(words: list[str]) -> None:
    if fingerprints._native is None:
        pytest.skip("built without the C extension")
    words = [w.encode("utf-8", "replace").decode("utf-8") for w in words]  # as cleaned text: no lone surrogates
    native, python = fingerprint_words(words), numpy_fingerprint(words)
    assert native.band_keys == python.band_keys
    assert native.shingles.tolist() == python.shingles.tolist()


def test_shortlist_takes_those_sharing_most_bands_then_the_newest() -> None:
    assert shortlist([5, 9, 2], [1, 1, 1], limit=4) == [2, 5, 9]
    assert shortlist([1, 2, 3, 4, 5], [1, 3, 3, 1, 2], limit=2) == [2, 3]
    assert shortlist(list(range(100)), [1] * 100, limit=3) == [97, 98, 99]
    assert shortlist([7, 1 << 39, 3], [2, 1, 2], limit=2) == [3, 7]


@settings(max_examples=200, deadline=None)
@given(st.sets(st.integers(0, 300), max_size=50), st.lists(st.sets(st.integers(0, 300), max_size=50), max_size=6))
def test_similarities_at_once_are_each_pair_s(a: set[int], others: list[set[int]]) -> None:
    def array(x: set[int]) -> np.ndarray:
        return np.array(sorted(x), dtype=np.uint32)

    jaccards, containments = similarities(array(a), [array(o) for o in others])
    assert list(zip(jaccards, containments)) == [similarity(array(a), array(o)) for o in others]
    for o, j in zip(others, jaccards):
        assert j == pytest.approx(len(a & o) / len(a | o) if a and o else 0.0)
