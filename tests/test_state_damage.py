"""A SQLite state that is damaged, truncated, vanished or read-only: `rasid` says so in one clear
message and never starts over silently, which would alert again on every file in a folder."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import rasid

CONFIG = (
    "sources: {folders: [{name: inbox, path: ./inbox, settle: 0s}]}\n"
    "watchlists: [{name: جنوب, places: [درعا], keywords: [اغتيال]}]\n"
    "notifiers: [{name: c, type: console}]\n"
)
TEXTS = ["اغتيال في درعا", "اغتيال قيادي في ريف درعا الغربي", "اغتيال مختار في بصرى الشام بريف درعا"]


def make_state(folder: Path) -> Path:
    """A config, a folder of three reports and the state `rasid once` keeps of them."""
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (folder / "inbox").mkdir()
    for i, text in enumerate(TEXTS):
        (folder / "inbox" / f"{i}.txt").write_text(f"{text}\nنص الخبر رقم {i} " * 40, encoding="utf-8")
    first = rasid("once", "-c", "config.yaml", cwd=folder)
    assert first.returncode == 0 and first.stdout.count("[جنوب]") == 3, first.stderr
    return folder / "state" / "rasid.sqlite3"


def refused(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    """The message of a command that had to refuse: exit 1, no traceback, nothing alerted."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "[جنوب]" not in result.stdout, result.stderr
    assert result.stderr.startswith("state: ") and all(n in result.stderr for n in needles), result.stderr
    return result.stderr


@pytest.mark.parametrize("damage", ["random third", "header", "half truncated"])
def test_a_damaged_database_is_refused_with_recovery_steps(tmp_path: Path, damage: str) -> None:
    db = make_state(tmp_path)
    size = db.stat().st_size
    with open(db, "r+b") as f:
        if damage == "random third":
            f.seek(size // 3)
            f.write(random.Random(7).randbytes(size // 3))
        elif damage == "header":
            f.write(random.Random(7).randbytes(100))
        else:
            f.truncate(size // 2)
    for command in ("once", *(("run", "migrate") if damage == "random third" else ())):
        message = refused(rasid(command, "-c", "config.yaml", cwd=tmp_path), str(db), "the state database is damaged")
        assert ".recover" in message and "restore a backup" in message
    # Commands that only look check nothing first (a check reads the whole file): they work while
    # the pages they read are sound, and say the same as soon as one is not.
    for command in ("status", "stories"):
        looked = rasid(command, "-c", "config.yaml", cwd=tmp_path)
        if looked.returncode:
            refused(looked, str(db), "the state database is damaged")
        assert "Traceback" not in looked.stderr


@pytest.mark.parametrize("loss", ["emptied", "deleted"])
def test_a_vanished_database_is_not_silently_started_afresh(tmp_path: Path, loss: str) -> None:
    db = make_state(tmp_path)
    marker = db.with_name("rasid.sqlite3.created")
    if loss == "emptied":
        db.write_bytes(b"")
    else:
        for path in db.parent.glob("rasid.sqlite3*"):
            if path != marker:
                path.unlink()
    for command in ("once", "status", *(("run",) if loss == "deleted" else ())):
        message = refused(rasid(command, "-c", "config.yaml", cwd=tmp_path), str(db), "--new-state", str(marker))
        assert "every file in watched folders would alert again" in message
    assert db.exists() == (loss == "emptied")  # refusing created nothing

    if loss == "emptied":  # starting afresh on purpose, either way: all alert again, as it said
        again = rasid("once", "--new-state", "-c", "config.yaml", cwd=tmp_path)
    else:
        marker.unlink()
        again = rasid("once", "-c", "config.yaml", cwd=tmp_path)
    assert again.returncode == 0 and again.stdout.count("[جنوب]") == 3, again.stderr
    assert marker.exists()
    quiet = rasid("once", "-c", "config.yaml", cwd=tmp_path)
    assert quiet.returncode == 0 and "[جنوب]" not in quiet.stdout, quiet.stderr


@pytest.fixture
def read_only_state(tmp_path: Path) -> Iterator[Path]:
    """A state whose database and folder cannot be written: immutable (`chattr +i`) as root, who
    writes any file whatever its mode, as on a read-only file system; else by their modes."""
    db = make_state(tmp_path)
    locked = [db, db.parent]
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        if chattr is None or subprocess.run([chattr, "+i", *map(str, locked)], capture_output=True).returncode:
            pytest.skip("cannot make files immutable here (chattr)")
    else:
        db.chmod(0o444)
        db.parent.chmod(0o555)
    yield db
    if os.geteuid() == 0:
        subprocess.run([str(shutil.which("chattr")), "-i", *map(str, locked)], check=True)
    else:
        db.parent.chmod(0o755)


def test_a_read_only_database_can_be_looked_at_but_not_run_on(read_only_state: Path) -> None:
    db, folder = read_only_state, read_only_state.parent.parent
    status = rasid("status", "-c", "config.yaml", cwd=folder)
    assert status.returncode == 0 and "Traceback" not in status.stderr, status.stderr
    assert f"state {db}" in status.stdout and "stories in the last day: 3" in status.stdout
    for looking in (("stories",), ("outbox", "list")):
        result = rasid(*looking, "-c", "config.yaml", cwd=folder)
        assert result.returncode == 0 and result.stderr == "", result.stderr
    for writing in (("once",), ("outbox", "purge", "--older", "1s")):
        message = refused(rasid(*writing, "-c", "config.yaml", cwd=folder), str(db), "read-only")
        assert len(message.splitlines()) == 1
