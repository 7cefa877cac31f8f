"""How long `rasid match` takes to start with a large watch-list of gazetteer names.

    python bench/bench_startup.py [--names 26500] [--runs 5]

Writes a config whose one watch-list names that many places (every place's name in the
gazetteer, then other spellings), and times `rasid match` on a one-line report as a new
process, to its first verdict printed and to its exit, and the CPU time it used (the median of
`--runs`, bytecode cached as an install has it), beside the same with three names (what any command costs: imports, the
config's validators) and the bare interpreter. Then, in this process, the phases: importing
the CLI, loading and validating the config, compiling the watch-lists.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support import clean_env  # noqa: E402


def names(count: int) -> list[str]:
    from rasid.match.gazetteer.places import Gazetteer

    places = Gazetteer.bundled().places
    chosen = list(dict.fromkeys(p.name for p in places))
    for spelling in (s for p in places for s in p.spellings):
        if len(chosen) >= count:
            break
        if spelling not in chosen:
            chosen.append(spelling)
    return chosen[:count]


def timed(command: list[str], cwd: Path, runs: int) -> tuple[float, float, float]:
    """The median times of `runs` runs to the command's first byte of output (for `rasid
    match`: its first verdict printed) and to its exit, and its CPU time (user and system: less
    swayed than wall time by what else the machine runs), after one run that leaves the bytecode
    cached (as an install does; PYTHONDONTWRITEBYTECODE would have each run compile rasid's
    modules again)."""
    env = {k: v for k, v in clean_env().items() if k != "PYTHONDONTWRITEBYTECODE"}
    first, done, cpu = [], [], []
    for _ in range(runs + 1):
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)  # fmt: skip
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write("انفجار في درعا".encode())
        proc.stdin.close()
        proc.stdout.read(1)
        first.append(time.perf_counter() - started)
        proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"{command} failed")
        done.append(time.perf_counter() - started)
        cpu.append(usage.ru_utime + usage.ru_stime)
    return statistics.median(first[1:]), statistics.median(done[1:]), statistics.median(cpu[1:])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--names", type=int, default=26_500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    listed = names(args.names)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        config = root / "config.yaml"
        config.write_text(
            "watchlists:\n  - name: places\n    places:\n" + "".join(f'      - "{n}"\n' for n in listed), encoding="utf-8"
        )
        small = root / "small.yaml"
        small.write_text("watchlists:\n  - name: places\n    places: [درعا, جاسم, حوران]\n", encoding="utf-8")
        _, bare, _ = timed([sys.executable, "-c", "print()"], root, args.runs)
        matching, match, match_cpu = timed([sys.executable, "-m", "rasid", "match", "-c", str(config), "-"], root, args.runs)
        fixed, _, fixed_cpu = timed([sys.executable, "-m", "rasid", "match", "-c", str(small), "-"], root, args.runs)
        print(
            f"rasid match with {len(listed):,} names: its first verdict printed after {matching:.2f} s, exits after"
            f" {match:.2f} s, {match_cpu:.2f} s of CPU (with 3 names: first verdict after {fixed:.2f} s,"
            f" {fixed_cpu:.2f} s of CPU; the bare interpreter {bare:.2f} s), median of {args.runs}"
        )
        started = time.perf_counter()
        from rasid.cli import main as _cli  # noqa: F401
        from rasid.config import load_config
        from rasid.match import build_matcher

        imported = time.perf_counter()
        loaded = load_config(config, {})
        configured = time.perf_counter()
        matcher = build_matcher(loaded.watchlists, list(loaded.gazetteer.places))
        compiled = time.perf_counter()
        matcher.verdicts("انفجار في درعا")
        done = time.perf_counter()
    print(
        f"  in one process: imports {imported - started:.2f} s, config {configured - imported:.2f} s,"
        f" compiling {compiled - configured:.2f} s, the first report {done - compiled:.3f} s"
    )


if __name__ == "__main__":
    main()
