"""A labelled set for near-duplicate detection: stories, republished variants, hard negatives.

Variants are what republishers do to a story: strip or add diacritics, drop or reorder a
paragraph, write a new headline, add a dateline, agency tag and "read also" footer, change
hamza and alef forms, replace about a tenth of the words, or several of these at once.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data" / "dedup" / "stories.yaml"
SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_2c1ebfdfacf94312.txt"
HARAKAT = "\u064e\u064f\u0650\u064b\u064c\u064d\u0651\u0652"
_DIACRITICS = re.compile("[\u064b-\u0652\u0670\u0640]")


@dataclass(frozen=True)
class Doc:
    story: str
    topic: str
    kind: str
    title: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return self.title + "\n\n" + "\n".join(self.paragraphs)


def stories() -> list[Doc]:
    out = []
    for item in yaml.safe_load(DATA.read_text(encoding="utf-8")):
        if item.get("from_seed"):
            title, _, body = SEED.read_text(encoding="utf-8").partition("\n")
        else:
            title, body = item["title"], item["body"]
        paragraphs = tuple(p.strip() for p in body.strip().splitlines() if p.strip())
        out.append(Doc(item["id"], item["topic"], "original", title, paragraphs))
    return out


def _words(docs: list[Doc]) -> list[str]:
    return sorted({w for d in docs for p in d.paragraphs for w in p.split() if len(w) > 3})


def _diacritize(text: str, rnd: random.Random) -> str:
    return "".join(ch + (rnd.choice(HARAKAT) if "\u0621" <= ch <= "\u064a" and rnd.random() < 0.3 else "") for ch in text)


def _respell(text: str) -> str:
    return text.replace("أ", "ا").replace("إ", "ا").replace("آ", "ا").replace("ة", "ه").replace("ى", "ي")


def _replace_words(text: str, share: float, vocabulary: list[str], rnd: random.Random) -> str:
    words = text.split(" ")
    for i in rnd.sample(range(len(words)), k=max(1, int(len(words) * share))):
        words[i] = rnd.choice(vocabulary)
    return " ".join(words)


def variants(doc: Doc, others: list[Doc], rnd: random.Random) -> list[Doc]:
    """What republishers make of `doc`."""
    vocabulary = _words(others)
    p = doc.paragraphs
    other = rnd.choice(others)

    def v(kind: str, title: str, paragraphs: list[str] | tuple[str, ...]) -> Doc:
        return Doc(doc.story, doc.topic, kind, title, tuple(paragraphs))

    first_sentence = " ".join(p[0].split()[:9])
    boilerplate = [f"درعا (وكالات) - {p[0]} (سانا)", *p[1:], f"اقرأ أيضاً: {other.title}", "شارك هذا الخبر على فيسبوك وتويتر"]
    out = [
        v("no-diacritics", _DIACRITICS.sub("", doc.title), [_DIACRITICS.sub("", x) for x in p]),
        v("diacritized", _diacritize(doc.title, rnd), [_diacritize(x, rnd) for x in p]),
        v("new-headline", f"عاجل | {first_sentence}", p),
        v("boilerplate", doc.title, boilerplate),
        v("hamza-alef", _respell(doc.title), [_respell(x) for x in p]),
        v("words-replaced", doc.title, [_replace_words(x, 0.10, vocabulary, rnd) for x in p]),
        v("combined", f"مصادر: {first_sentence}", [_replace_words(_respell(x), 0.05, vocabulary, rnd) for x in boilerplate]),
    ]
    if len(p) >= 3:
        out.append(v("dropped-paragraph", doc.title, p[:-1]))
        out.append(v("reordered", doc.title, [p[0], *p[2:], p[1]]))
    return out


def shared_background(docs: list[Doc]) -> list[tuple[Doc, Doc]]:
    """Different stories of one topic that share their closing background paragraph."""
    pairs = []
    by_topic: dict[str, list[Doc]] = {}
    for d in docs:
        by_topic.setdefault(d.topic, []).append(d)
    for group in by_topic.values():
        for a, b in combinations(group, 2):
            if len(a.paragraphs) >= 3 and len(b.paragraphs) >= 3:
                b2 = Doc(b.story, b.topic, "shared-background", b.title, (*b.paragraphs[:-1], a.paragraphs[-1]))
                pairs.append((a, b2))
    return pairs


def labelled_pairs(seed: int = 11) -> tuple[list[tuple[Doc, Doc]], list[tuple[Doc, Doc]], list[tuple[Doc, Doc]]]:
    """(duplicate pairs, different-story pairs, hard negatives: same topic or shared background)."""
    rnd = random.Random(seed)
    docs = stories()
    positives: list[tuple[Doc, Doc]] = []
    all_docs: list[Doc] = []
    for doc in docs:
        copies = [doc, *variants(doc, [d for d in docs if d is not doc], rnd)]
        positives += list(combinations(copies, 2))
        all_docs += copies
    negatives = [(a, b) for a, b in combinations(docs, 2)]
    negatives += [(a, b) for a, b in combinations(all_docs, 2) if a.story != b.story and rnd.random() < 0.02]
    hard = [(a, b) for a, b in combinations(docs, 2) if a.topic == b.topic] + shared_background(docs)
    return positives, negatives, hard


def stream_grouping(threshold: float, containment: float, seed: int = 5) -> tuple[int, int, int]:
    """Every copy in random order through an LSH index as the daemon runs it (the shortlist of
    those sharing the most bands, each band read from its most recent reports), each joining the
    story of its best earlier match; returns pair counts (true positives, false positives, misses)."""
    from rasid.dedup import Candidate, best_match, fingerprint, shortlist
    from rasid.store.bands import BUCKET_LIMIT

    rnd = random.Random(seed)
    docs = stories()
    items = [c for d in docs for c in (d, *variants(d, [x for x in docs if x is not d], rnd))]
    items += [b for _, b in shared_background(docs)]
    rnd.shuffle(items)
    index: dict[int, list[int]] = {}
    fps, assigned = [], []
    for i, doc in enumerate(items):
        fp = fingerprint(doc.title, doc.text)
        shared: dict[int, int] = {}
        for key in fp.band_keys:
            for j in index.get(key, [])[-BUCKET_LIMIT:]:
                shared[j] = shared.get(j, 0) + 1
        ids = shortlist(list(shared), list(shared.values()))
        match = best_match(fp, [Candidate(j, assigned[j], fps[j].shingles) for j in ids], threshold, containment)
        assigned.append(match.story_id if match else f"{doc.story}#{i}")
        fps.append(fp)
        for key in fp.band_keys:
            index.setdefault(key, []).append(i)
    tp = fp_ = fn = 0
    for i, j in combinations(range(len(items)), 2):
        same, grouped = items[i].story == items[j].story, assigned[i] == assigned[j]
        tp += same and grouped
        fp_ += grouped and not same
        fn += same and not grouped
    return tp, fp_, fn
