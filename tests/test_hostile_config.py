"""Hostile configs and inputs: YAML bombs, unmatchable terms, huge or binary `match` inputs,
credentials in URLs and log forging, each against the real `rasid` command line."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from support import MEMORY_LIMIT, clean_env, free_port, limit_memory, rasid
from test_systemd import NotifySocket, get

WATCH = "watchlists: [{name: جنوب, places: [درعا], keywords: [اغتيال]}]\nnotifiers: [{name: c, type: console}]\n"

BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['lol'] * 9)}]\n"
    for prev, name in zip([None, *"abcdefgh"], "abcdefghi")
)
"""Nine lists of nine references to the previous one: 9⁹ (387 million) values from under 1 KB."""


def check(folder: Path, text: str) -> subprocess.CompletedProcess[str]:
    (folder / "config.yaml").write_text(text, encoding="utf-8")
    return rasid("check", "-c", "config.yaml", cwd=folder, memory_limit=MEMORY_LIMIT, timeout=30)


def test_yaml_bombs_are_refused_quickly_with_their_line(tmp_path: Path) -> None:
    assert len(BOMB.encode()) < 1024
    cases = {
        WATCH + BOMB: r"config\.yaml:\d+: [a-i]: the config expands to more than 200,000 values",
        WATCH + "loop: &x [1, *x]\n": r"config\.yaml:3: loop: a YAML alias refers to a mapping or list that contains it",
        WATCH + "deep: " + "[" * 80 + "]" * 80 + "\n": r"config\.yaml:3: deep: YAML nested too deeply",
        WATCH + "deep: " + "[" * 5000 + "]" * 5000 + "\n": r"config\.yaml:3: YAML nested too deeply",
        "x: &s " + "y" * 200_000 + "\n" + "l: [" + ", ".join(["*s"] * 400) + "]\n": r"expands to more than 32 MiB of text",
    }
    for text, expected in cases.items():
        started = time.monotonic()
        result = check(tmp_path, text)
        assert time.monotonic() - started < 15
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
        assert re.search(expected, result.stderr), result.stderr
        assert len(result.stderr.splitlines()) == 1


def test_oversized_config_and_secret_files_are_refused(tmp_path: Path) -> None:
    zero = check(tmp_path, WATCH + "sources: {feeds: [{name: f, url: 'https://x.test/${file:/dev/zero}'}]}\n")
    assert zero.returncode == 1 and "config.yaml:3: sources.feeds[0].url: file /dev/zero is longer than 64 KiB" in zero.stderr
    big = rasid("check", "-c", "/dev/zero", cwd=tmp_path, memory_limit=MEMORY_LIMIT, timeout=30)
    assert big.returncode == 1 and big.stderr.strip() == "/dev/zero: config is larger than 8 MiB"
    (tmp_path / "secret").write_text("s" * 40_000, encoding="utf-8")
    uses = "l: [" + ", ".join(["*s"] * 2000) + "]\n"
    repeated = check(tmp_path, "x: &s '${file:secret}'\n" + uses)
    assert repeated.returncode == 1 and "config.yaml:2: l: the config expands to more than 32 MiB of text" in repeated.stderr
    unset = check(tmp_path, "x: &s '${RASID_NOT_SET}'\n" + uses)
    lines = unset.stderr.splitlines()
    # one variable used 2,001 times, and the two unknown keys: all reported, the first fifty shown
    assert unset.returncode == 1 and len(lines) == 51 and lines[-1] == "... and 1,953 more problems"


def test_sighup_with_a_bomb_keeps_the_daemon_ready_and_answering(tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    port = free_port()
    good = f"sources: {{folders: [{{name: inbox, path: ./inbox, interval: 1h}}]}}\nhttp: {{listen: '127.0.0.1:{port}'}}\n" + WATCH
    (tmp_path / "config.yaml").write_text(good, encoding="utf-8")
    address = str(tmp_path / "notify.sock")
    notify = NotifySocket(address)
    proc = subprocess.Popen(
        [sys.executable, "-m", "rasid", "run", "-c", "config.yaml"], cwd=tmp_path, env=clean_env({"NOTIFY_SOCKET": address}),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, preexec_fn=limit_memory(),
    )  # fmt: skip
    try:
        assert notify.wait_for("READY=1")
        for bad in (good + BOMB, good + "loop: &x [1, *x]\n"):
            (tmp_path / "config.yaml").write_text(bad, encoding="utf-8")
            before = len(notify.messages)
            proc.send_signal(signal.SIGHUP)
            assert notify.wait_for("RELOADING=1", after=before, timeout=10)
            reloading = next(i for i, m in enumerate(notify.messages) if i >= before and "RELOADING=1" in m)
            assert notify.wait_for("READY=1", after=reloading + 1, timeout=10)
            ready = next(m for m in notify.messages[reloading + 1 :] if "READY=1" in m)
            assert "STATUS=reload refused: " in ready and "config.yaml:" in ready
            status, body = get(port, "/healthz")
            assert status == 200 and json.loads(body)["ok"] is True
        # A config whose loading blocks (it names a FIFO no one writes yet): the loop goes on meanwhile.
        os.mkfifo(tmp_path / "slow")
        (tmp_path / "config.yaml").write_text(good.replace("[اغتيال]", "[اغتيال, '${file:slow}']"), encoding="utf-8")
        before = len(notify.messages)
        proc.send_signal(signal.SIGHUP)
        assert notify.wait_for("RELOADING=1", after=before, timeout=10)
        status, body = get(port, "/healthz")
        assert status == 200 and json.loads(body)["ok"] is True
        assert not notify.wait_for("READY=1", after=before, timeout=0.5)
        (tmp_path / "slow").write_text("انفجار\n", encoding="utf-8")
        assert notify.wait_for("READY=1", after=before, timeout=10)
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and "Traceback" not in err
    assert "reload refused, the running config stays" in err and "expands to more than 200,000 values" in err
    assert "reloaded feeds=0 folders=1 watchlists=1" in err
    assert "a YAML alias refers to a mapping or list that contains it" in err


def test_terms_that_can_never_match_are_refused_with_their_line(tmp_path: Path) -> None:
    result = check(
        tmp_path,
        "watchlists:\n"
        "  - name: w\n"
        "    places: [درعا]\n"
        "    keywords:\n"
        "      - اغتيال\n"
        '      - "\\u064E\\u0651"\n'  # fatha and shadda: diacritics only
        "      - ـــ\n"  # tatweel
        '      - {name: اجتماع, aliases: ["\\u200B\\u200F"]}\n'  # zero-width space and RLM
        "      - ا*\n"
        '    exclude: ["\\u202E"]\n'
        "notifiers: [{name: c, type: console}]\n",
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert [line.split(":")[1] for line in lines] == ["6", "7", "8", "9", "10"]
    assert "watchlists[0].keywords[1]: " in lines[0] and "can never match" in lines[0]
    assert "watchlists[0].keywords[3].aliases[0]: " in lines[2] and "can never match" in lines[2]
    assert "watchlists[0].keywords[4]: 'ا*': a wildcard needs at least 3 letters" in lines[3]
    assert "watchlists[0].exclude[0]: " in lines[4]
    ok = check(tmp_path, "watchlists: [{name: w, keywords: [اشتباك*, 'اغتيالٌ']}]\nnotifiers: [{name: c, type: console}]\n")
    assert ok.returncode == 0, ok.stderr


def test_match_reads_a_bounded_amount_and_refuses_binary_input(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(WATCH, encoding="utf-8")
    (tmp_path / "good.txt").write_text("اغتيال في درعا", encoding="utf-8")
    (tmp_path / "binary.bin").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8)
    with open(tmp_path / "sparse.txt", "wb") as f:
        f.truncate(200 * 1024 * 1024)
    inputs = ["/dev/zero", "/dev/urandom", "sparse.txt", "binary.bin", "good.txt", "missing.txt"]
    started = time.monotonic()
    result = rasid("match", "-c", "config.yaml", "--json", *inputs, cwd=tmp_path, memory_limit=MEMORY_LIMIT, timeout=60)
    assert time.monotonic() - started < 30
    assert result.returncode == 1 and "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    assert result.stderr.splitlines() == [
        "/dev/zero: larger than 10,000,000 bytes, not matched",
        "/dev/urandom: larger than 10,000,000 bytes, not matched",
        "sparse.txt: larger than 10,000,000 bytes, not matched",
        "binary.bin: not text (contains NUL bytes), not matched",
        "missing.txt: cannot read: No such file or directory",
    ]
    [row] = [json.loads(line) for line in result.stdout.splitlines()]
    assert row["file"] == "good.txt" and [a["watchlist"] for a in row["alerts"]] == ["جنوب"]


SECRETS = ("feedpass", "feedtoken", "pgpass", "pgquery", "p@ss", "p%40ss")


def test_credentials_in_urls_are_never_shown(tmp_path: Path, postgres_url: str) -> None:
    scheme, _, rest = postgres_url.partition("://")
    user, _, host = rest.partition("@")
    storage = f"{scheme}://{user}:p%40ss@{host}?password=pgquery&application_name=x"
    unreachable = f"postgresql://rasid:pgpass@127.0.0.1:{free_port()}/db?password=pgquery&connect_timeout=2"
    feeds = (
        "sources: {feeds: [{name: a, url: 'https://reader:feedpass@news.example/rss'},"
        " {name: b, url: 'https://news.example/rss?lang=ar&token=feedtoken'}]}\n"
    )
    outputs: dict[tuple[str, str], str] = {}
    for url, commands in ((storage, ("check", "status", "sources")), (unreachable, ("check", "status", "run"))):
        (tmp_path / "config.yaml").write_text(f"{feeds}storage: {{url: '{url}'}}\n{WATCH}", encoding="utf-8")
        for command in commands:
            result = rasid(command, "-c", "config.yaml", cwd=tmp_path, timeout=60)
            assert "Traceback" not in result.stderr, result.stderr
            outputs[url, command] = result.stdout + result.stderr
    shown = "\n".join(outputs.values())
    assert not [s for s in SECRETS if s in shown], shown
    checked = outputs[storage, "check"]
    assert "https://reader:***@news.example/rss" in checked and "lang=ar&token=***" in checked
    assert f"state: {scheme}://{user}:***@{host}?password=***&application_name=x" in checked
    assert "state " in outputs[storage, "status"] and "?password=***" in outputs[storage, "status"]  # on the real server
    for command in ("status", "run"):  # the server is unreachable
        assert "cannot connect" in outputs[unreachable, command] and "rasid:***@" in outputs[unreachable, command]


def test_control_characters_in_logged_values_cannot_forge_lines(tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    forged = "a\n2026-01-01T00:00:00+0000 ERROR rasid.daemon: forged.txt"
    for name in (forged, "b\u2028ERROR rasid: forged\u202e.txt", "c\x85\x1b[31m.txt"):
        (tmp_path / "inbox" / name).write_text("اغتيال في درعا", encoding="utf-8")
    for log_format in ("text", "json"):
        (tmp_path / "config.yaml").write_text(
            f"log_format: {log_format}\nstate_dir: ./state-{log_format}\n"
            "sources: {folders: [{name: inbox, path: ./inbox, settle: 0s}]}\n" + WATCH,
            encoding="utf-8",
        )
        result = rasid("once", "-c", "config.yaml", cwd=tmp_path, timeout=60)
        assert result.returncode == 0, result.stderr
        lines = result.stderr.splitlines()  # splits on \n, \r, U+2028, U+0085 and the like too
        assert len([line for line in lines if "file read" in line]) == 3, result.stderr
        assert not [line for line in lines if "forged" in line and "file read" not in line]
        if log_format == "json":
            files = sorted(json.loads(line)["file"] for line in lines if "file read" in line)
            assert files == sorted([forged, "b\u2028ERROR rasid: forged\u202e.txt", "c\x85\x1b[31m.txt"])
        else:
            assert "file=a\\n2026-01-01" in result.stderr and "\\u2028ERROR rasid: forged\\u202e" in result.stderr
            assert "c\\x85\\x1b[31m.txt" in result.stderr


def test_durations_beyond_a_century_and_sizes_beyond_a_gigabyte_are_refused_at_load(tmp_path: Path) -> None:
    """max_age: 1000000d once passed the check and then stopped `rasid once` at a date before year 1."""
    text = WATCH + "sources: {folders: [{name: inbox, path: ., max_age: 1000000d, max_bytes: 1000000000000000}]}\ndedup: {window: .inf}\n"
    result = check(tmp_path, text)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert re.search(r"config\.yaml:\d+: sources\.folders\[0\]\.max_age: .*at most 36500d", result.stderr), result.stderr
    assert re.search(r"config\.yaml:\d+: dedup\.window: .*at most 36500d", result.stderr), result.stderr
    assert re.search(r"config\.yaml:\d+: sources\.folders\[0\]\.max_bytes: .*less than or equal to 1000000000", result.stderr)
    (tmp_path / "config.yaml").write_text(WATCH + "sources: {folders: [{name: inbox, path: ., max_age: 36500d}]}\n")
    assert rasid("once", "-c", "config.yaml", cwd=tmp_path, timeout=60).returncode == 0
