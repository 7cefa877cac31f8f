"""Near-duplicate detection at scale: insert and query synthetic reports in a real SQLite store.

    python bench/bench_dedup.py [--sizes 10000 100000 1000000] [--story 5000]

Each report is ~250 words drawn from Arabic word frequencies, and one in ten is a copy of an
earlier report with a tenth of its words replaced. Per report: exact-key lookup, fingerprint
(normalize, shingles, MinHash), LSH candidate query, exact Jaccard on the candidates, and the
transaction that records report, keys, story and fingerprint, as the daemon does it. First, a
story of 5,000 copies: the time to file the 5,001st, which shares its bands with all of them.
"""

from __future__ import annotations

import argparse
import itertools
import random
import resource
import tempfile
import time
from pathlib import Path

from wordfreq import top_n_list

from rasid.config.models import DedupConfig
from rasid.dedup import (
    Candidate,
    best_match,
    fingerprint,
    fingerprint_words,
    report_keys,
    report_words,
    unpack_shingles,
)
from rasid.models import Report
from rasid.store import SQLiteStore, StoryEntry

WORDS = top_n_list("ar", 30_000)
CUMULATIVE = list(itertools.accumulate(1 / (rank + 10) for rank in range(len(WORDS))))


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic(rnd: random.Random, earlier: list[str]) -> str:
    if earlier and rnd.random() < 0.1:
        return synthetic_copy(rnd, rnd.choice(earlier))
    return " ".join(rnd.choices(WORDS, cum_weights=CUMULATIVE, k=250))


def synthetic_copy(rnd: random.Random, original: str) -> str:
    words = original.split()
    for i in rnd.sample(range(len(words)), k=len(words) // 10):
        words[i] = rnd.choices(WORDS, cum_weights=CUMULATIVE)[0]
    return " ".join(words)


def run(size: int, folder: Path) -> None:
    rnd = random.Random(size)
    config = DedupConfig()
    store = SQLiteStore(folder / f"bench-{size}.sqlite3")
    recent: list[str] = []
    duplicates = 0
    total = window = 0.0
    for i in range(size):
        text = synthetic(rnd, recent)
        recent.append(text)
        if len(recent) > 1000:
            recent.pop(0)
        started = time.perf_counter()
        report = Report("bench", f"r{i}", text, guid=str(i))
        words = report_words(report)
        keys = report_keys(report, words)
        if store.find_reports(keys):
            duplicates += 1
            total += time.perf_counter() - started
            continue
        fp = fingerprint_words(words.all)
        rows = store.similar_reports(fp.band_keys, 0.0)
        match = best_match(fp, [Candidate(r, s, unpack_shingles(b)) for r, s, b in rows], config.similarity, config.containment)
        duplicates += match is not None
        story = StoryEntry(match.story_id if match else f"s{i}", match is None, shingles=fp.pack(), band_keys=fp.band_keys)
        store.record_report(report, keys, [], float(i), story)
        spent = time.perf_counter() - started
        total += spent
        window += spent
        if (i + 1) % (size // 10) == 0:
            print(f"  {i + 1:>9,} reports  {window / (size // 10) * 1000:.3f} ms/report (last tenth)  RSS {rss_mb():.0f} MB", flush=True)
            window = 0.0
    store.close()
    reopen = time.perf_counter()
    store = SQLiteStore(folder / f"bench-{size}.sqlite3")
    fp = fingerprint("", synthetic(rnd, recent))
    store.similar_reports(fp.band_keys, 0.0)
    first_query = time.perf_counter() - reopen
    size_mb = (folder / f"bench-{size}.sqlite3").stat().st_size / 1e6
    print(
        f"{size:>9,} reports: {total / size * 1000:.3f} ms/report insert+query, {duplicates:,} near-duplicates found,"
        f" peak RSS {rss_mb():.0f} MB, database {size_mb:,.0f} MB, reopen to first query {first_query * 1000:.0f} ms",
        flush=True,
    )
    store.close()


def one_story(copies: int, folder: Path) -> None:
    """A story carried `copies` times (each copy a tenth of its words replaced): the time to file
    the next copy, whose bands every stored copy shares."""
    rnd = random.Random(copies)
    config = DedupConfig()
    store = SQLiteStore(folder / f"story-{copies}.sqlite3")
    original = synthetic(rnd, [])

    def file_copy(i: int) -> float:
        started = time.perf_counter()
        report = Report("bench", f"c{i}", synthetic_copy(rnd, original), guid=f"c{i}")
        words = report_words(report)
        keys = report_keys(report, words)
        fp = fingerprint_words(words.all)
        rows = store.similar_reports(fp.band_keys, 0.0)
        match = best_match(fp, [Candidate(r, s, unpack_shingles(b)) for r, s, b in rows], config.similarity, config.containment)
        story = StoryEntry(match.story_id if match else "story", match is None, shingles=fp.pack(), band_keys=fp.band_keys)
        store.record_report(report, keys, [], float(i), story)
        return time.perf_counter() - started

    for i in range(copies):
        file_copy(i)
    last = min(file_copy(copies + k) for k in range(5))
    print(f"a story of {copies:,} copies: the next copy filed in {last * 1000:.2f} ms (best of 5)", flush=True)
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--story", type=int, default=5_000, help="copies of one story before the timed one (0: skip)")
    parser.add_argument("--dir", type=Path, default=None, help="where the databases go (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.dir or Path(tmp)
        if args.story:
            one_story(args.story, folder)
        for size in args.sizes:
            run(size, folder)


if __name__ == "__main__":
    main()
