"""The archive: replay, diff-config, explain, and watch-lists' own examples."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from dedup_variants import stories
from support import clean_env, rasid

V1 = """
sources: {folders: [{name: inbox, path: ./inbox, settle: 0s}]}
watchlists:
  - {name: south, places: [درعا], keywords: [اغتيال]}
  - {name: weather, keywords: [عاصفة, سيول]}
notifiers: [{name: c, type: console}]
"""
V2 = """
sources: {folders: [{name: inbox, path: ./inbox, settle: 0s}]}
watchlists:
  - name: south
    places: [درعا, {name: جاسم, context: [مدينة, بلدة]}]
    keywords: [اغتيال]
    exclude: [نوى]
  - {name: weather, keywords: [عاصفة]}
notifiers: [{name: c, type: console}]
"""
PERSON = "قال جاسم العلي إن الأسعار ارتفعت\\nوأضاف العلي أن الأسواق شهدت إقبالاً ضعيفاً."


def archive_folder(tmp_path: Path) -> dict[str, str]:
    """Reports into the archive through `rasid once`; returns file name -> title."""
    (tmp_path / "inbox").mkdir()
    docs = {d.story: d for d in stories()}
    titles = {}
    for name in ("daraa-assassination-1", "daraa-assassination-3", "weather-1", "weather-2", "russia-2", "prices-1"):
        (tmp_path / "inbox" / f"{name}.txt").write_text(docs[name].text, encoding="utf-8")
        titles[name] = docs[name].title
    (tmp_path / "inbox" / "person.txt").write_text(PERSON.replace("\\n", "\n"), encoding="utf-8")
    titles["person"] = "قال جاسم العلي إن الأسعار ارتفعت"
    (tmp_path / "v1.yaml").write_text(V1, encoding="utf-8")
    (tmp_path / "v2.yaml").write_text(V2, encoding="utf-8")
    assert rasid("once", "-c", "v1.yaml", cwd=tmp_path).returncode == 0
    return titles


def lines(result: subprocess.CompletedProcess[str]) -> dict[str, dict[str, object]]:
    assert result.returncode == 0, result.stderr
    return {row["watchlist"]: row for row in map(json.loads, result.stdout.splitlines())}


def test_replay_and_diff_config(tmp_path: Path) -> None:
    titles = archive_folder(tmp_path)
    replayed = lines(rasid("replay", "-c", "v1.yaml", "--json", cwd=tmp_path))
    south = {r["title"] for r in replayed["south"]["reports"]}  # type: ignore[union-attr]
    weather = {r["title"] for r in replayed["weather"]["reports"]}  # type: ignore[union-attr]
    assert south == {titles["daraa-assassination-1"], titles["daraa-assassination-3"]}
    assert weather == {titles["weather-1"], titles["weather-2"]}
    only = lines(rasid("replay", "-c", "v1.yaml", "--json", "--watchlist", "weather", cwd=tmp_path))
    assert list(only) == ["weather"]

    changed = lines(rasid("diff-config", "v1.yaml", "v2.yaml", "--json", cwd=tmp_path))
    added = {r["title"] for r in changed["south"]["added"]}  # type: ignore[union-attr]
    dropped = {r["title"] for r in changed["south"]["dropped"]}  # type: ignore[union-attr]
    assert added == set() and dropped == {titles["daraa-assassination-3"]}  # نوى is now excluded
    assert {r["title"] for r in changed["weather"]["dropped"]} == {titles["weather-1"]}  # type: ignore[union-attr]
    assert changed["weather"]["added"] == []
    human = rasid("diff-config", "v1.yaml", "v2.yaml", cwd=tmp_path).stdout
    assert "south: +0 -1 of 7 archived reports" in human and "weather: +0 -1" in human


def test_explain_names_the_missing_context_cue(tmp_path: Path) -> None:
    titles = archive_folder(tmp_path)
    with sqlite3.connect(tmp_path / "state" / "rasid.sqlite3") as db:
        (report_id,) = db.execute("SELECT id FROM reports WHERE title = ?", (titles["person"],)).fetchone()
    out = rasid("explain", "-c", "v2.yaml", str(report_id), cwd=tmp_path).stdout
    assert "south: does not fire (nothing matched)" in out
    assert "جاسم appeared without a context cue (مدينة، بلدة)" in out
    assert rasid("explain", "-c", "v2.yaml", "999", cwd=tmp_path).returncode == 1


def test_archive_can_be_turned_off(tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "a.txt").write_text("اغتيال في درعا\nنص", encoding="utf-8")
    (tmp_path / "config.yaml").write_text(V1 + "archive: false\n", encoding="utf-8")
    assert rasid("once", cwd=tmp_path).returncode == 0
    assert lines(rasid("replay", "--json", cwd=tmp_path))["south"]["fired"] == 0


EXAMPLES = """
sources: {folders: [{name: inbox, path: ./inbox, interval: 1h}]}
watchlists:
  - name: south
    places: [{name: جاسم, context: [مدينة, بلدة]}]
    keywords: [اغتيال]
    tests:
      - {text: "اغتيال قيادي سابق في مدينة جاسم", fires: true}
      - {text: "قال جاسم العلي إن الأسعار ارتفعت", fires: false}
notifiers: [{name: c, type: console}]
"""


def test_failing_examples_block_check_and_reload(tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    (tmp_path / "config.yaml").write_text(EXAMPLES, encoding="utf-8")
    assert rasid("check", cwd=tmp_path).returncode == 0
    broken = EXAMPLES.replace("context: [مدينة, بلدة]", "context: []")
    (tmp_path / "broken.yaml").write_text(broken, encoding="utf-8")
    failed = rasid("check", "-c", "broken.yaml", cwd=tmp_path)
    assert failed.returncode == 1
    assert "broken.yaml:9: watchlists[0].tests[1]: example should not fire but does (matched جاسم)" in failed.stderr

    proc = subprocess.Popen(
        [sys.executable, "-m", "rasid", "run"], cwd=tmp_path, env=clean_env(),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not (tmp_path / "state" / "rasid.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.1)  # the pid file is written once SIGHUP is handled
        (tmp_path / "config.yaml").write_text(broken, encoding="utf-8")
        proc.send_signal(signal.SIGHUP)
        time.sleep(1.5)
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert "reload refused, the running config stays" in err and "tests[1]: example should not fire" in err


def test_explain_takes_the_ids_alerts_carry_and_a_file_s_path(tmp_path: Path) -> None:
    """An alert shows its `alert_…` and `story_…` ids, a folder report its file: each names
    the report to explain, as does the number `replay` prints."""
    titles = archive_folder(tmp_path)
    title = titles["daraa-assassination-1"]
    with sqlite3.connect(tmp_path / "state" / "rasid.sqlite3") as db:
        report_id, story_id = db.execute("SELECT id, story_id FROM reports WHERE title = ?", (title,)).fetchone()
        alert_ids = {row[0] for row in db.execute("SELECT alert_id FROM outbox")}
        (alert_id,) = [a for (a, r) in db.execute("SELECT id, report_id FROM alerts") if r == report_id]
    assert alert_id in alert_ids and story_id.startswith("story_")
    replayed = rasid("replay", "-c", "v1.yaml", "--watchlist", "south", cwd=tmp_path).stdout
    assert any(line.split()[0] == str(report_id) and title in line for line in replayed.splitlines()[1:])
    inbox = tmp_path / "inbox" / "daraa-assassination-1.txt"
    for ref in (str(report_id), alert_id, story_id, str(inbox), "inbox/daraa-assassination-1.txt"):
        out = rasid("explain", "-c", "v1.yaml", ref, cwd=tmp_path)
        assert out.returncode == 0 and out.stdout.startswith(f"report {report_id}: {title}"), (ref, out.stderr)
    missing = rasid("explain", "-c", "v1.yaml", "alert_0000", cwd=tmp_path)
    assert missing.returncode == 1 and "alert_… or story_… id" in missing.stderr


def test_an_alert_raised_before_alerts_were_recorded_is_found_by_its_document(tmp_path: Path) -> None:
    titles = archive_folder(tmp_path)
    with sqlite3.connect(tmp_path / "state" / "rasid.sqlite3") as db:
        (alert_id, document) = db.execute("SELECT alert_id, document FROM outbox LIMIT 1").fetchone()
        db.execute("DELETE FROM alerts")
        db.execute("UPDATE outbox SET document = ?", (json.dumps({**json.loads(document), "report": {"url": "https://127.0.0.1/x"}}),))
        db.execute("UPDATE reports SET url = 'https://127.0.0.1/x' WHERE title = ?", (titles["weather-1"],))
    out = rasid("explain", "-c", "v1.yaml", alert_id, cwd=tmp_path)
    assert out.returncode == 0 and titles["weather-1"] in out.stdout.splitlines()[0], out.stderr
