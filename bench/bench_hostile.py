"""Peak memory and time of `rasid` under hostile input: each attack run in a fresh subprocess.

    python bench/bench_hostile.py [--cap-gb 2.5]

Attacks, all served or written on this machine (feeds on 127.0.0.1): a brotli bomb and gzip
inside gzip as a feed's body, one 13 MB entry, 40 files of 9.5 MB dropped into a folder at
once, a 1 KB YAML alias bomb through `rasid check`, and `rasid match` on /dev/zero. Each runs
under an address-space cap (default 2.5 GB) so that a regression costs the run, not the
machine; the table prints the exit status, wall time and peak resident memory of each.
"""

from __future__ import annotations

import argparse
import gzip
import resource
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import brotli

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support import FeedServer, Response, clean_env, rss  # noqa: E402

WATCH = "watchlists: [{name: جنوب, places: [درعا], keywords: [اغتيال]}]\nnotifiers: [{name: c, type: console}]\n"
BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['lol'] * 9)}]\n"
    for prev, name in zip([None, *"abcdefgh"], "abcdefghi")
)
PARAGRAPH = "اغتيال قيادي سابق في ريف درعا الغربي برصاص مجهولين قرب مدينة جاسم. "
MEASURE = (
    "import resource, subprocess, sys; r = subprocess.run(sys.argv[2:], preexec_fn=lambda: "
    "resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]),) * 2), capture_output=True); "
    "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)
"""Runs a command under the cap and prints its exit status and peak RSS (KB): a process of its
own, so that each figure is one command's."""


def brotli_bomb(size: int) -> bytes:
    """`size` zero bytes, brotli-compressed a mebibyte at a time."""
    compressor, chunk = brotli.Compressor(quality=5), b"\0" * (1 << 20)
    return b"".join(compressor.process(chunk) for _ in range(size >> 20)) + compressor.finish()


def gzip_bomb(size: int) -> bytes:
    """`size` zero bytes, gzip-compressed a mebibyte at a time."""
    compressor, chunk = zlib.compressobj(9, zlib.DEFLATED, 31), b"\0" * (1 << 20)
    return b"".join(compressor.compress(chunk) for _ in range(size >> 20)) + compressor.flush()


def measure(args: list[str], cwd: Path, cap: int) -> tuple[int, float, float]:
    """Exit status, seconds and peak RSS in MB of `rasid ARGS` run in `cwd` under `cap` bytes."""
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(cap), sys.executable, "-m", "rasid", *args],
        cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    code, kb = out.stdout.split()
    return int(code), time.monotonic() - started, int(kb) / 1024


def feed_config(folder: Path, url: str) -> None:
    """One feed, allowed 20 MB so that the 13 MB entry is read rather than refused."""
    feed = f'{{name: f, url: "{url}", max_bytes: 20000000}}'
    (folder / "config.yaml").write_text(f"sources: {{feeds: [{feed}]}}\n{WATCH}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cap-gb", type=float, default=2.5)
    cap = int(parser.parse_args().cap_gb * 1024**3)
    server = FeedServer()
    server.httpd.handle_error = lambda *args: None  # rasid hangs up on bombs mid-body: expected
    server.routes["/brotli"] = Response(200, brotli_bomb(2 << 30), {"Content-Encoding": "br"})
    server.routes["/nested"] = Response(200, gzip.compress(gzip_bomb(1 << 30), 9), {"Content-Encoding": "gzip, gzip"})
    big = PARAGRAPH * (13_000_000 // len(PARAGRAPH.encode()))
    server.routes["/entry"] = Response(200, rss([{"title": "اغتيال في درعا", "description": big, "link": "https://n.example/1"}]))
    rows = []
    try:
        for name in ("brotli", "nested", "entry"):
            with tempfile.TemporaryDirectory() as tmp:
                feed_config(Path(tmp), f"{server.url}/{name}")
                rows.append((f"feed: {name}", *measure(["once", "-c", "config.yaml"], Path(tmp), cap)))
        with tempfile.TemporaryDirectory() as tmp:
            inbox = Path(tmp) / "inbox"
            inbox.mkdir()
            (Path(tmp) / "config.yaml").write_text(f"sources: {{folders: [{{name: inbox, path: ./inbox}}]}}\n{WATCH}", encoding="utf-8")
            text = PARAGRAPH * (9_500_000 // len(PARAGRAPH.encode()))
            for i in range(40):
                (inbox / f"{i:02}.txt").write_text(f"تقرير {i}\n{text}", encoding="utf-8")
            rows.append(("folder: 40 files of 9.5 MB", *measure(["once", "-c", "config.yaml"], Path(tmp), cap)))
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "config.yaml").write_text(WATCH + BOMB, encoding="utf-8")
            rows.append(("check: 1 KB YAML alias bomb", *measure(["check", "-c", "config.yaml"], Path(tmp), cap)))
            (Path(tmp) / "config.yaml").write_text(WATCH, encoding="utf-8")
            rows.append(("match /dev/zero", *measure(["match", "-c", "config.yaml", "/dev/zero"], Path(tmp), cap)))
    finally:
        server.close()
    print(f"address-space cap {cap / 1024**3:.1f} GB; own RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(f"{'attack':<30} {'exit':>4} {'seconds':>8} {'peak RSS':>10}")
    for name, code, seconds, mb in rows:
        print(f"{name:<30} {code:>4} {seconds:>8.1f} {mb:>7.0f} MB")


if __name__ == "__main__":
    main()
