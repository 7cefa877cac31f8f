"""rasid under systemd: the notify protocol, reloads, health and metrics, and the unit file."""

from __future__ import annotations

import json
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from support import ROOT, WebhookReceiver, clean_env, free_port

LIST_A = "{name: جنوب-سوريا, places: [درعا], keywords: [اغتيال]}"
LIST_B = "{name: الطقس, keywords: [عاصفة]}"




def write_config(folder: Path, hook: str, port: int, lists: str) -> None:
    (folder / "config.yaml").write_text(
        "sources: {folders: [{name: inbox, path: ./inbox, interval: 1h, settle: 100ms}]}\n"
        f"watchlists: [{lists}]\n"
        f'notifiers: [{{name: ops, type: webhook, url: "{hook}"}}]\n'
        f'http: {{listen: "127.0.0.1:{port}"}}\n'
        "delivery: {interval: 200ms}\n",
        encoding="utf-8",
    )


class NotifySocket:
    def __init__(self, address: str) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind("\0" + address[1:] if address.startswith("@") else address)
        self.sock.settimeout(0.2)
        self.messages: list[str] = []

    def wait_for(self, needle: str, timeout: float = 15.0, after: int = 0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(needle in m for m in self.messages[after:]):
                return True
            try:
                self.messages.append(self.sock.recv(65536).decode("utf-8"))
            except TimeoutError:
                pass
        return any(needle in m for m in self.messages[after:])


def get(port: int, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_posts(receiver: WebhookReceiver, count: int, timeout: float = 10.0) -> list[dict[str, object]]:
    deadline = time.monotonic() + timeout
    while len(receiver.posts()) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return [p.json() for p in receiver.posts()]


@pytest.mark.parametrize("address_kind", ["path", "abstract"])
def test_notify_reload_health_metrics_and_stop(tmp_path: Path, receiver: WebhookReceiver, address_kind: str) -> None:
    (tmp_path / "inbox").mkdir()
    port = free_port()
    write_config(tmp_path, receiver.url, port, LIST_A)
    address = str(tmp_path / "notify.sock") if address_kind == "path" else f"@rasid-test-{port}"
    notify = NotifySocket(address)
    proc = subprocess.Popen(
        [sys.executable, "-m", "rasid", "run", "-c", "config.yaml"],
        cwd=tmp_path, env=clean_env({"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "1000000"}),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert notify.wait_for("READY=1")
        ready = next(m for m in notify.messages if "READY=1" in m)
        assert "STATUS=" in ready and "جنوب-سوريا" in ready  # UTF-8 status lines
        seen = len(notify.messages)
        assert notify.wait_for("WATCHDOG=1", timeout=3, after=seen)
        pings = len(notify.messages)
        assert notify.wait_for("WATCHDOG=1", timeout=3, after=pings)  # and again

        status, body = get(port, "/healthz")
        health = json.loads(body)
        assert status == 200 and health["ok"] is True and "inbox" in health["sources"]

        (tmp_path / "inbox" / "a.txt").write_text("اغتيال في درعا\nقتل مسلحون قيادياً", encoding="utf-8")
        assert [p["watchlist"] for p in wait_posts(receiver, 1)] == ["جنوب-سوريا"]
        status, metrics = get(port, "/metrics")
        assert status == 200
        assert re.search(rb'rasid_alerts_total\{watchlist="\xd8\xac[^"]*"\} 1\.0', metrics)
        assert b'rasid_deliveries_total{notifier="ops",outcome="delivered"} 1.0' in metrics
        assert b"rasid_outbox_pending 0.0" in metrics

        # A new watch-list, read on SIGHUP: the next report matches it.
        write_config(tmp_path, receiver.url, port, f"{LIST_A}, {LIST_B}")
        before = len(notify.messages)
        proc.send_signal(signal.SIGHUP)
        assert notify.wait_for("RELOADING=1", after=before)
        reloading = next(m for m in notify.messages[before:] if "RELOADING=1" in m)
        assert re.search(r"MONOTONIC_USEC=\d+", reloading)
        assert notify.wait_for("READY=1", after=before)
        (tmp_path / "inbox" / "b.txt").write_text("عاصفة ثلجية في القلمون\nانقطاع الطرق", encoding="utf-8")
        assert [p["watchlist"] for p in wait_posts(receiver, 2)][1] == "الطقس"

        # A broken config is refused; the running one stays.
        (tmp_path / "config.yaml").write_text("watchlists: [{name: x, contxt: y}]\n", encoding="utf-8")
        proc.send_signal(signal.SIGHUP)
        time.sleep(1.0)
        assert proc.poll() is None
        (tmp_path / "inbox" / "c.txt").write_text("عاصفة رملية في تدمر\nتوقف الحركة", encoding="utf-8")
        assert [p["watchlist"] for p in wait_posts(receiver, 3)][2] == "الطقس"

        before = len(notify.messages)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "reload refused, the running config stays" in err and "unknown field 'contxt'" in err
    assert notify.wait_for("STOPPING=1", timeout=2, after=before)


def test_rasid_reload_signals_the_running_daemon(tmp_path: Path, receiver: WebhookReceiver) -> None:
    (tmp_path / "inbox").mkdir()
    port = free_port()
    write_config(tmp_path, receiver.url, port, LIST_A)
    proc = subprocess.Popen(
        [sys.executable, "-m", "rasid", "run", "-c", "config.yaml"],
        cwd=tmp_path, env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while not (tmp_path / "state" / "rasid.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        write_config(tmp_path, receiver.url, port, f"{LIST_A}, {LIST_B}")
        reloaded = subprocess.run(
            [sys.executable, "-m", "rasid", "reload", "-c", "config.yaml"], cwd=tmp_path, env=clean_env(),
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        assert reloaded.returncode == 0 and f"pid {proc.pid}" in reloaded.stdout
        time.sleep(1.0)
        (tmp_path / "inbox" / "b.txt").write_text("عاصفة ثلجية في القلمون\nانقطاع الطرق", encoding="utf-8")
        assert [p["watchlist"] for p in wait_posts(receiver, 1)] == ["الطقس"]
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0 and "reloaded feeds=0 folders=1 watchlists=2" in err
    assert not (tmp_path / "state" / "rasid.pid").exists()


SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed (.ci/run installs it)")
def test_unit_verifies_cleanly_and_is_hardened(tmp_path: Path) -> None:
    unit = (ROOT / "deploy" / "rasid.service").read_text()
    rasid = Path(sys.executable).parent / "rasid"
    local = tmp_path / "rasid.service"
    local.write_text(unit.replace("/opt/rasid/bin/rasid", str(rasid)))
    verify = subprocess.run([SYSTEMD_ANALYZE, "verify", str(local)], capture_output=True, text=True, timeout=60)
    assert verify.returncode == 0 and verify.stdout == "" and verify.stderr == "", verify.stderr
    security = subprocess.run(
        [SYSTEMD_ANALYZE, "security", "--offline=true", str(ROOT / "deploy" / "rasid.service")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    level = re.search(r"Overall exposure level for rasid\.service: (\d+\.\d)", security.stdout)
    assert level and float(level.group(1)) <= 2.0, security.stdout[-500:]


def test_the_credentials_drop_in_loads_what_the_shipped_config_asks_for() -> None:
    """The unit itself loads no credential (a config without secrets starts without a drop-in);
    the drop-in loads exactly those the shipped config reads."""
    unit = (ROOT / "deploy" / "rasid.service").read_text()
    assert not re.search(r"^LoadCredential=", unit, re.M)
    drop_in = (ROOT / "deploy" / "credentials.conf").read_text()
    assert drop_in.splitlines()[3] == "[Service]"
    loaded = dict(re.findall(r"^LoadCredential=([^:]+):(\S+)$", drop_in, re.M))
    config = "\n".join(line.partition("#")[0] for line in (ROOT / "deploy" / "config.yaml").read_text().splitlines())
    asked = set(re.findall(r"\$\{credential:([^}]+)\}", config))
    assert set(loaded) == asked and all(path == f"/etc/rasid/credentials/{name}" for name, path in loaded.items())


def test_json_logs_carry_the_event_fields(tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "a.txt").write_text("اغتيال في درعا\nنص", encoding="utf-8")
    (tmp_path / "config.yaml").write_text(
        "log_format: json\nsources: {folders: [{name: inbox, path: ./inbox, settle: 0s}]}\n"
        f"watchlists: [{LIST_A}]\nnotifiers: [{{name: c, type: console}}]\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "rasid", "once", "-c", "config.yaml"], cwd=tmp_path, capture_output=True, text=True,
        env=clean_env({"JOURNAL_STREAM": "8:1234"}), timeout=60,
    )  # fmt: skip
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    queued = next(line for line in lines if line["message"].startswith("alert queued"))
    assert queued["watchlist"] == "جنوب-سوريا" and queued["source"] == "inbox" and queued["level"] == "info"
    assert "time" not in queued  # journald stamps its own
