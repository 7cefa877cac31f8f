"""What the archive costs on disk: reports through `rasid once` with the archive on and off.

    python bench/bench_archive.py [--reports 2000]

Each report is the seed's sentences shuffled plus a few hundred words drawn from Arabic word
frequencies, about as long as a full news article, so zlib compresses it as it would real news.
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from wordfreq import top_n_list

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_2c1ebfdfacf94312.txt"


def database_size(folder: Path, archive: bool, texts: list[str]) -> int:
    (folder / "inbox").mkdir()
    for i, text in enumerate(texts):
        (folder / "inbox" / f"{i:05d}.txt").write_text(text, encoding="utf-8")
    (folder / "config.yaml").write_text(
        "log_level: warning\nsources: {folders: [{name: inbox, path: ./inbox, settle: 0s}]}\n"
        f"watchlists: [{{name: quiet, places: [أتلانتس]}}]\narchive: {str(archive).lower()}\n",
        encoding="utf-8",
    )
    subprocess.run([sys.executable, "-m", "rasid", "once"], cwd=folder, check=True)
    db = folder / "state" / "rasid.sqlite3"
    subprocess.run([sys.executable, "-c", f"import sqlite3; c = sqlite3.connect({str(db)!r}); c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); c.execute('VACUUM')"], check=True)
    return db.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=2000)
    args = parser.parse_args()
    rnd = random.Random(3)
    sentences = [s for s in re.split(r"(?<=[.،])\s+", SEED.read_text(encoding="utf-8")) if s.strip()]
    words = top_n_list("ar", 20_000)
    texts = []
    for _ in range(args.reports):
        rnd.shuffle(sentences)
        texts.append(" ".join(sentences[:6]) + "\n" + " ".join(rnd.choices(words, k=300)))
    raw = sum(len(t.encode()) for t in texts) / len(texts)
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        on, off = database_size(Path(a), True, texts), database_size(Path(b), False, texts)
    per_report = (on - off) / args.reports
    month = 2000 * 20 * 30
    print(f"{args.reports} reports of {raw / 1000:.1f} kB UTF-8 on average")
    print(f"database with archive {on / 1e6:.1f} MB, without {off / 1e6:.1f} MB: {per_report / 1000:.2f} kB per archived report")
    print(f"a month of 2,000 feeds at 20 new reports a day each ({month:,} reports): {per_report * month / 1e9:.1f} GB of archive")


if __name__ == "__main__":
    main()
