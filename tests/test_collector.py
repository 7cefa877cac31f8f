"""The cyclic collector paused while a config loads or watch-lists compile, and resumed after."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

from rasid.collector import collector_paused


def test_the_collector_resumes_after_the_block_even_when_it_fails() -> None:
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        assert not gc.isenabled()
        raise ValueError("a broken config")
    assert gc.isenabled()


def test_a_block_inside_a_paused_one_leaves_the_collector_paused() -> None:
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_kept_objects_are_put_out_of_the_collector_s_sight() -> None:
    """In a process of its own: freezing is for a command that exits after using what it built."""
    code = (
        "import gc\n"
        "from rasid.collector import collector_paused\n"
        "with collector_paused(kept=True):\n"
        "    kept = [[i] for i in range(10_000)]\n"
        "assert gc.isenabled()\n"
        "print(gc.get_freeze_count())\n"
    )
    frozen = int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert frozen >= 10_000
