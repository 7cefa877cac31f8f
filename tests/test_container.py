"""The container image's steps, checked here without a container engine: what the build copies
builds the C extensions, the shipped config starts with no secret, and the health check answers
for a running daemon and fails for a stopped one."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import yaml
from support import ROOT, clean_env, free_port, rasid

DOCKERFILE = (ROOT / "deploy" / "Dockerfile").read_text()


def instructions(name: str) -> list[str]:
    """The arguments of every `name` instruction, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.startswith(name + " ")]


def container_env(state: Path, **more: str) -> dict[str, str]:
    """The environment the image sets (its ENV lines), the state directory moved to `state`."""
    env = dict(re.findall(r"(\w+)=(\S+)", " ".join(instructions("ENV"))))
    env.update(STATE_DIRECTORY=str(state), RASID_CONFIG=str(ROOT / "deploy" / "container.yaml"), **more)
    return env


def test_the_build_stage_copies_what_builds_the_c_extensions(tmp_path: Path) -> None:
    build = DOCKERFILE.split("\nFROM ")[1]  # the first stage
    copied = [part for line in re.findall(r"^COPY (.+)$", build, re.M) for part in line.split()[:-1]]
    assert "setup.py" in copied and "src" in copied and "pyproject.toml" in copied
    context = tmp_path / "context"
    context.mkdir()
    for part in copied:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, context / part, ignore=shutil.ignore_patterns("*.so", "__pycache__", "*.egg-info"))
        else:
            shutil.copy(source, context / part)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", str(tmp_path / "wheels"), str(context)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = (tmp_path / "wheels").glob("rasid-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for extension in ("rasid/normalize/_fold", "rasid/match/_scan", "rasid/dedup/_shingles"):
        assert any(n.startswith(extension) and n.endswith(".so") for n in names), extension


def test_the_shipped_config_loads_without_any_secret_and_listens_where_exposed(tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    checked = rasid("check", cwd=tmp_path, env=container_env(tmp_path))
    assert checked.returncode == 0, checked.stderr
    assert "ops                  webhook  disabled (url is empty)" in checked.stdout
    (port,) = instructions("EXPOSE")
    config = yaml.safe_load((ROOT / "deploy" / "container.yaml").read_text(encoding="utf-8"))
    assert config["http"]["listen"] == f"${{RASID_LISTEN:-0.0.0.0:{port}}}"  # every address: the port is published
    assert "mkdir -p /var/lib/rasid/inbox" in DOCKERFILE  # the folder the shipped config reads


def test_the_health_check_answers_for_a_running_daemon_only(tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    (health,) = instructions("HEALTHCHECK")
    command = json.loads(health.split("CMD", 1)[1])
    (port,) = instructions("EXPOSE")
    mine = free_port()
    probe = [sys.executable if part == "python" else part.replace(f":{port}/", f":{mine}/") for part in command]
    env = container_env(tmp_path, RASID_LISTEN=f"127.0.0.1:{mine}")
    proc = subprocess.Popen([sys.executable, "-m", "rasid", "run"], cwd=tmp_path, env=clean_env(env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while subprocess.run(probe, capture_output=True, timeout=10).returncode != 0:
            assert time.monotonic() < deadline and proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert subprocess.run(probe, capture_output=True, timeout=10).returncode != 0  # stopped: unhealthy


def test_the_compose_example_runs_the_daemon_on_postgresql() -> None:
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
    daemon, db = compose["services"]["rasid"], compose["services"]["db"]
    assert daemon["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    assert daemon["depends_on"] == {"db": {"condition": "service_healthy"}} and "healthcheck" in db
    assert daemon["environment"]["RASID_DATABASE_URL"].startswith("postgresql://rasid:")
    assert daemon["environment"]["RASID_DATABASE_URL"].endswith("@db:5432/rasid")
