"""The documentation: the site builds strictly, its config snippets load, the outputs it shows
are what the commands print, and the module map names every module."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support import ROOT, rasid

from rasid.config import ConfigError, load_config

PAGES = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]


def blocks(path: Path, language: str) -> list[str]:
    """The fenced code blocks of `path` in `language` ("" for those without one)."""
    found: list[str] = []
    current: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if current is None and line.startswith("```"):
            current, tag = [], line[3:].strip()
        elif current is not None and line.startswith("```"):
            if tag == language:
                found.append("\n".join(current) + "\n")
            current = None
        elif current is not None:
            current.append(line)
    return found


def test_the_site_builds_without_a_warning(tmp_path: Path) -> None:
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "site" / "watchlists" / "index.html").exists()
    nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    listed = {page for entry in nav for page in entry.values()}
    assert listed == {p.name for p in (ROOT / "docs").glob("*.md")}  # every page is in the navigation


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_whole_config_shown_loads(page: Path, tmp_path: Path) -> None:
    """Each YAML block that is a whole config (it has watch-lists) loads as shown, with its
    variables set and its folders present; fragments of one are parsed as YAML."""
    for n, block in enumerate(blocks(page, "yaml")):
        data = yaml.safe_load(block)
        if not isinstance(data, dict) or "watchlists" not in data:
            continue
        folder = tmp_path / str(n)
        folder.mkdir()
        for source in (data.get("sources") or {}).get("folders") or []:
            (folder / source["path"]).mkdir(parents=True, exist_ok=True)
        (folder / "config.yaml").write_text(block, encoding="utf-8")
        names = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", block))
        try:
            load_config(folder / "config.yaml", {name: "https://127.0.0.1:9/x" for name in names}, outside_unit=True)
        except ConfigError as exc:
            raise AssertionError(f"{page.name}, YAML block {n}:\n" + "\n".join(exc.problems)) from None


def test_the_first_alert_shown_is_the_one_make_run_prints(tmp_path: Path) -> None:
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    printed = rasid("once", "-c", "config.yaml", cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    real = printed.stdout.replace(f"{tmp_path}/seeds/", "…/seeds/").strip()
    for page in (ROOT / "README.md", ROOT / "docs" / "getting-started.md"):
        (shown,) = [b for b in blocks(page, "") if b.startswith("[south-syria]")]
        assert shown.strip() == real, page.name


def test_the_worked_watch_list_checks_and_explains_itself_as_shown(tmp_path: Path) -> None:
    page = ROOT / "docs" / "watchlists.md"
    (config,) = blocks(page, "yaml")
    (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    (tmp_path / "inbox").mkdir()
    checked = rasid("check", "-c", "config.yaml", cwd=tmp_path)
    assert checked.returncode == 0 and checked.stdout.startswith("config.yaml: OK"), checked.stderr
    for shown in blocks(page, ""):
        command, _, expected = shown.partition("\n")
        if not command.startswith("$ ") or "rasid match" not in command:
            continue
        if "echo '" in command:
            text = command.split("echo '", 1)[1].split("'", 1)[0]
            args = ["match", "-c", "config.yaml", "-"]
        else:
            text = None
            report = expected.split(":", 1)[0]
            (tmp_path / report).write_text(REPORT, encoding="utf-8")
            args = ["match", "-c", "config.yaml", report]
        out = rasid(*args, cwd=tmp_path, input_text=text)
        assert [line.rstrip() for line in out.stdout.strip().splitlines()] == expected.strip().splitlines(), command


REPORT = (
    "اشتباكات عنيفة في مديرية الدريهمي جنوب الحديدة\n"
    "قالت مصادر محلية إن القوات استهدفت مواقع قرب الدريهمي، وإن عشرات الأسر نزحت نحو زبيد."
)
"""The report the watch-lists page runs `rasid match` on, as saved in `report.txt`."""


def module_map(page: Path) -> str:
    text = page.read_text(encoding="utf-8")
    return text[text.index("| module | one job |") :].split("\n\n", 1)[0]


def test_the_module_map_is_one_and_names_every_module() -> None:
    shown = module_map(ROOT / "README.md")
    assert shown == module_map(ROOT / "docs" / "design.md")
    package = ROOT / "src" / "rasid"
    for path in sorted(package.rglob("*.py")) + sorted(package.rglob("*.c")):
        relative = path.relative_to(package)
        if relative.name in ("__init__.py", "__main__.py"):
            continue
        if len(relative.parts) > 2 and f"`{relative.parts[1]}/`" in shown:
            continue  # inside a sub-package the map names as a whole (`gazetteer/`, `formats/`)
        assert f"`{relative.name}`" in shown, f"{relative} is not in the module map"
