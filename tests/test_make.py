"""The two commands: `make run` installs what running needs, `make test` the test tools too."""

from __future__ import annotations

import subprocess
from pathlib import Path

from support import ROOT


def planned(target: str, venv: Path) -> list[str]:
    """The commands `make` would run for `target` in a fresh virtual environment."""
    done = subprocess.run(["make", "-n", "--no-print-directory", "-C", str(ROOT), f"VENV={venv}", target], capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


def test_make_run_installs_only_what_running_needs(tmp_path: Path) -> None:
    installs = [line for line in planned("run", tmp_path / "venv") if " install " in line and "--upgrade pip" not in line]
    assert installs == [f"{tmp_path / 'venv'}/bin/pip install --quiet -e ."]
    assert any(line.endswith("rasid run --config config.yaml") for line in planned("run", tmp_path / "venv"))


def test_make_test_adds_the_test_tools(tmp_path: Path) -> None:
    lines = planned("test", tmp_path / "venv")
    assert f"{tmp_path / 'venv'}/bin/pip install --quiet -e '.[test]'" in lines
    assert lines[-1].endswith("python -m pytest -q -n 3 --dist load")
