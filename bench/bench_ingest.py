"""Reports through `rasid once` on a folder: distinct news, and templated reports that look alike.

    python bench/bench_ingest.py [--reports 3000] [--runs 3]
    python bench/bench_ingest.py --growth 30000

Distinct reports are ~250 words drawn from Arabic word frequencies; templated ones repeat the
same background paragraphs with a new date, new figures and one new sentence, as daily
exchange-rate or weather reports do. Each set is written to a folder and read by one `rasid
once` (a subprocess: decode, match, exact keys, fingerprint, story decision, archive, outbox),
timed from start to exit less the time the same command takes on an empty folder. Beside it,
in the same run, the minimal pipeline any such daemon needs: read and decode a file, normalize
it, one keyword scan, compress it, one SQLite transaction (WAL, synchronous=NORMAL, as rasid's).
"""

from __future__ import annotations

import argparse
import itertools
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

from wordfreq import top_n_list

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support import clean_env  # noqa: E402

from rasid.config.models import WatchList  # noqa: E402
from rasid.match import Matcher  # noqa: E402

WORDS = top_n_list("ar", 30_000)
CUMULATIVE = list(itertools.accumulate(1 / (rank + 10) for rank in range(len(WORDS))))
BACKGROUND = [
    " ".join(random.Random(seed).choices(WORDS[:3000], k=70)) for seed in range(4)
]
"""Four background paragraphs every templated report repeats."""


def distinct(rnd: random.Random, n: int) -> str:
    return f"تقرير {n} " + " ".join(rnd.choices(WORDS, cum_weights=CUMULATIVE, k=250))


def templated(rnd: random.Random, n: int) -> str:
    rate = 13_000 + rnd.randint(0, 2_000)
    head = f"أسعار صرف الدولار في دمشق اليوم {n}\nسجل الدولار {rate} ليرة للشراء و{rate + 50} للمبيع."
    news = " ".join(rnd.choices(WORDS, cum_weights=CUMULATIVE, k=15))
    return "\n\n".join([head, *BACKGROUND, news])


def write(folder: Path, texts: list[str]) -> None:
    folder.mkdir()
    for i, text in enumerate(texts):
        (folder / f"{i:06d}.txt").write_text(text, encoding="utf-8")


def once(folder: Path) -> float:
    (folder.parent / "config.yaml").write_text(
        f"sources: {{folders: [{{name: inbox, path: ./{folder.name}, interval: 1h, settle: 0s}}]}}\n"
        "watchlists: [{name: south, places: [درعا, جاسم], keywords: [اغتيال, انفجار]}]\n"
        "notifiers: [{name: log, type: console}]\nlog_level: warning\n",
        encoding="utf-8",
    )
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "rasid", "once", "-c", "config.yaml"], cwd=folder.parent, env=clean_env(),
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - started


def minimal(folder: Path) -> float:
    """The least any daemon must do per file, timed in this process."""
    matcher = Matcher([WatchList(name="m", keywords=["انفجار"])])
    db = sqlite3.connect(folder.parent / "minimal.sqlite3")
    db.execute("PRAGMA journal_mode=WAL")  # as rasid's state
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE reports (id INTEGER PRIMARY KEY, name TEXT, body BLOB, fired INTEGER)")
    started = time.perf_counter()
    for path in sorted(folder.iterdir()):
        text = path.read_bytes().decode("utf-8")
        fired = any(v.fired for v in matcher.verdicts(text))  # normalizes, then scans
        with db:
            db.execute("INSERT INTO reports (name, body, fired) VALUES (?, ?, ?)", (path.name, zlib.compress(text.encode()), fired))
    db.close()
    return time.perf_counter() - started


def run(reports: int, rnd: random.Random) -> dict[str, float]:
    """One run: ms per report of each set through `rasid once`, and of the minimal pipeline."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        runs = {}
        for name, make in (("empty", None), ("distinct", distinct), ("templated", templated)):
            folder = root / name / "inbox"
            folder.parent.mkdir()
            write(folder, [make(rnd, n) for n in range(reports)] if make else [])
            runs[name] = once(folder)
        floor = minimal(root / "distinct" / "inbox")
    per = {k: (runs[k] - runs["empty"]) / reports * 1000 for k in ("distinct", "templated")}
    return {**per, "empty": runs["empty"], "minimal": floor / reports * 1000}


def growth(total: int, step: int = 1_000) -> None:
    """Templated reports into one state, `step` at a time, each step timed: flat, or growing with
    what is stored."""
    rnd = random.Random(4)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "inbox"
        folder.mkdir()
        empty = once(folder)
        print(f"templated reports {step:,} at a time into one state; rasid once on no new file {empty:.2f} s")
        for stored in range(0, total, step):
            for old in folder.iterdir():
                old.unlink()  # read already: only the new step's files are listed
            for i in range(step):
                (folder / f"{stored + i:06d}.txt").write_text(templated(rnd, stored + i), encoding="utf-8")
            spent = once(folder) - empty
            print(f"  {stored:>6,} -> {stored + step:>6,} stored: {spent / step * 1000:.2f} ms per report", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=3_000)
    parser.add_argument("--runs", type=int, default=3, help="figures are the median of this many runs")
    parser.add_argument("--growth", type=int, metavar="N", help="instead: templated reports into one state up to N stored")
    args = parser.parse_args()
    if args.growth:
        growth(args.growth)
        return
    rnd = random.Random(4)
    runs = [run(args.reports, rnd) for _ in range(args.runs)]
    mid = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    ratio = statistics.median(r["minimal"] / r["distinct"] for r in runs)
    print(f"{args.reports:,} reports each, median of {args.runs} runs; rasid once on an empty folder {mid['empty']:.2f} s")
    for k in ("distinct", "templated"):
        spread = ", ".join(f"{r[k]:.2f}" for r in runs)
        print(f"{k + ':':11s}{mid[k]:.2f} ms per report ({1000 / mid[k]:.0f} a second; runs {spread})")
    print(f"minimal pipeline: {mid['minimal']:.2f} ms per report ({1000 / mid['minimal']:.0f} a second);"
          f" distinct reports run at {ratio:.2f} of its rate, templated at {mid['distinct'] / mid['templated']:.2f}"
          " of the distinct rate")  # fmt: skip


if __name__ == "__main__":
    main()
