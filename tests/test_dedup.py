"""Dedup: canonical URLs, boilerplate, fingerprints, and the labelled near-duplicate evaluation."""

from __future__ import annotations

import pytest
from dedup_variants import Doc, labelled_pairs, stories, stream_grouping

from rasid.config.models import DedupConfig
from rasid.dedup import (
    Candidate,
    best_match,
    canonical_url,
    fingerprint,
    report_keys,
    similarity,
)
from rasid.dedup.boilerplate import strip_boilerplate
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
