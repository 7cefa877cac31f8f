"""Matching throughput at 100, 1,000 and 30,000 terms against the raw scan and a regex baseline.

    python bench/bench_matching.py [--mb 10]

The corpus is the seed report's sentences shuffled into ~4 KB reports until it holds at
least --mb megabytes of UTF-8. Watch-lists come from the bundled gazetteer plus Arabic content
words (wordfreq) as keywords, so hits are plentiful. "match" is the C scanner where it was
built; "python" is the same matcher on its Python path (installs without a C compiler).
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import time
from pathlib import Path

import ahocorasick
from wordfreq import top_n_list

from rasid.config.models import PlaceSet, Term, WatchList
from rasid.match import Matcher
from rasid.match.gazetteer import Gazetteer
from rasid.match.matcher import NATIVE
from rasid.normalize import normalize

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_2c1ebfdfacf94312.txt"


def corpus(megabytes: float) -> list[str]:
    sentences = [s.strip() for s in re.split(r"(?<=[.،])\s+", SEED.read_text(encoding="utf-8")) if s.strip()]
    rnd = random.Random(7)
    docs, size = [], 0
    while size < megabytes * 1e6:
        rnd.shuffle(sentences)
        doc = " ".join(sentences)
        docs.append(doc)
        size += len(doc.encode())
    return docs


CONTENT_WORDS = [w for w in top_n_list("ar", 25_000)[15_000:] if len(w) >= 3]
"""Keywords: specific Arabic words, as watch-list keywords are (wordfreq ranks 15,000 to 25,000)."""


def watchlists(terms: int, gazetteer: Gazetteer) -> list[WatchList]:
    if terms >= 10_000:
        inside = [p for p in gazetteer.places if p.kind != "country" and p.country]  # regions across borders have none
        countries = sorted({p.country for p in inside})
        places: list[object] = [PlaceSet(gazetteer=c) for c in countries]
        count = len(inside)
        keywords = CONTENT_WORDS[: max(0, terms - count)]
    else:
        near = [p for p in gazetteer.places if p.country in ("SY", "LB", "JO", "IQ", "PS") and p.kind != "country"]
        syrian = sorted(near, key=lambda p: (p.country != "SY", -p.population, p.id))
        places = [Term(name=p.name, aliases=p.spellings[1:]) for p in syrian[: terms * 9 // 10]]
        keywords = CONTENT_WORDS[: terms - len(places)]
    return [WatchList(name="bench", places=places, keywords=keywords)]


def throughput(matcher: Matcher, docs: list[str], size: float) -> tuple[float, int]:
    """MB/s over all of `docs`, and the matches found."""
    started = time.perf_counter()
    matches = 0
    for doc in docs:
        for verdict in matcher.verdicts(doc):
            matches += len(verdict.matches)
    return size / (time.perf_counter() - started), matches


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=10.0)
    args = parser.parse_args()
    docs = corpus(args.mb)
    size = sum(len(d.encode()) for d in docs) / 1e6
    gazetteer = Gazetteer.bundled()
    normalized = [normalize(d).text for d in docs]
    print(f"corpus: {len(docs)} reports, {size:.1f} MB UTF-8; gazetteer: {len(gazetteer.places)} places")
    print(f"engine: {'C scanner' if NATIVE else 'Python (the C scanner was not built)'}")
    print(f"{'terms':>7} {'keys':>8} {'compile s':>10} {'match MB/s':>11} {'python MB/s':>12} {'raw scan MB/s':>14} {'ratio':>6} {'regex MB/s':>11} {'speed-up':>9} {'hits/report':>12}")
    for terms in (100, 1_000, 30_000):
        lists = watchlists(terms, gazetteer)
        started = time.perf_counter()
        matcher = Matcher(lists, gazetteer)
        compile_s = time.perf_counter() - started
        entries = matcher.term_count

        match_rate, matches = throughput(matcher, docs, size)
        python_rate, _ = throughput(Matcher(lists, gazetteer, native=False), docs, size) if NATIVE else (match_rate, 0)

        keys = {p.key.strip() for p in matcher.patterns if p.form != "latin"}
        raw = ahocorasick.Automaton()
        for key in keys:
            raw.add_word(key, key)
        raw.make_automaton()
        started = time.perf_counter()
        raw_hits = 0
        for text in normalized:
            for _ in raw.iter(text):
                raw_hits += 1
        raw_rate = size / (time.perf_counter() - started)

        slice_docs = normalized[:2]
        slice_mb = sum(len(d.encode()) for d in docs[:2]) / 1e6
        regexes = [re.compile(r"(?<!\w)" + re.escape(k) + r"(?!\w)") for k in sorted(keys)]
        started = time.perf_counter()
        for text in slice_docs:
            for rx in regexes:
                for _ in rx.finditer(text):
                    pass
        regex_rate = slice_mb / (time.perf_counter() - started)
        print(
            f"{entries:>7} {len(matcher.patterns):>8} {compile_s:>10.2f} {match_rate:>11.1f} {python_rate:>12.1f} {raw_rate:>14.1f}"
            f" {match_rate / raw_rate:>6.2f} {regex_rate:>11.3f} {match_rate / regex_rate:>8.0f}x {matches / len(docs):>12.1f}"
        )
    print(f"peak RSS: {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
