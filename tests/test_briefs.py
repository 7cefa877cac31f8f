"""Briefs: the day's summary per notifier, at its time on its clock (a fake clock here), queued
once and delivered through the outbox; `rasid brief` prints the same."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone
from pathlib import Path

from support import WebhookReceiver, rasid

from rasid.config import load_config
from rasid.daemon import Daemon
from rasid.store import open_store

REPORTS = {
    "a.txt": "غارة على المخا\nشنت طائرات غارة على ميناء المخا غرب محافظة تعز.",
    "b.txt": "قصف على تعز\nقصف مدفعي على الأحياء الشرقية لمدينة تعز وسقوط ضحايا.",
    "c.txt": "غارة على الحديدة\nغارة جوية على رصيف ميناء الحديدة فجر اليوم.",
}


def setup(tmp_path: Path, receiver: WebhookReceiver) -> None:
    (tmp_path / "inbox").mkdir()
    for name, text in REPORTS.items():
        (tmp_path / "inbox" / name).write_text(text, encoding="utf-8")
    (tmp_path / "config.yaml").write_text(
        "state_dir: ./state\n"
        "sources:\n"
        "  folders: [{name: inbox, path: ./inbox, interval: 1s}]\n"
        "  feeds: [{name: wire, url: 'http://127.0.0.1:9/feed', interval: 1h}]\n"
        "watchlists:\n"
        "  - {name: yemen, places: [{within: تعز}, {within: الحديدة}], keywords: [غارة, قصف]}\n"
        "notifiers:\n"
        f"  - {{name: morning, type: webhook, url: '{receiver.url}/hook', language: ar,\n"
        "     brief: {at: '07:00', timezone: Asia/Aden}}\n",
        encoding="utf-8",
    )


def test_the_morning_brief_counts_the_day_and_comes_once_at_its_time(tmp_path: Path) -> None:
    receiver = WebhookReceiver()
    try:
        setup(tmp_path, receiver)
        assert rasid("once", "-c", "config.yaml", cwd=tmp_path).returncode == 0  # the night's alerts, and a failing feed
        alerts = len(receiver.posts())
        config = load_config(tmp_path / "config.yaml", {})
        before = datetime.now(timezone.utc).timestamp()
        clock = [before + 60]
        seven = config.notifiers[0].brief.latest(clock[0] + 86400)  # type: ignore[union-attr]

        async def day() -> None:
            daemon = Daemon(config, open_store(config.state_dir), clock=lambda: clock[0])
            try:
                clock[0] = seven - 60  # 06:59 in Aden: nothing yet
                await daemon.brief()
                await daemon.deliver()
                assert len(receiver.posts()) == alerts
                for at in (seven + 5, seven + 65, seven + 600):  # 07:00 and the checks after it: one brief
                    clock[0] = at
                    await daemon.brief()
                    await daemon.deliver()
            finally:
                await daemon.close()

        asyncio.run(day())
        (brief,) = [p.json() for p in receiver.posts()[alerts:]]
        assert brief["type"] == "brief" and brief["until"] == datetime.fromtimestamp(seven, timezone.utc).isoformat(timespec="seconds")
        assert brief["alerts"] == 3 and brief["watchlists"] == [{"name": "yemen", "alerts": 3}]
        assert {a["name"]: a["alerts"] for a in brief["areas"]} == {"تعز": 2, "الحديدة": 1}
        assert {k["term"]: k["alerts"] for k in brief["keywords"]} == {"غارة": 2, "قصف": 1}  # as the watch-list writes them
        assert len(brief["stories"]) == 3 and all(s["new"] and s["outlets"] == 1 for s in brief["stories"])
        assert [s["source"] for s in brief["sources"]] == ["wire"]  # the feed that cannot be reached
        printed = rasid("brief", "-c", "config.yaml", "--since", "1d", cwd=tmp_path)
        assert printed.returncode == 0 and "brief" in printed.stdout and "تعز 2" in printed.stdout and "wire" in printed.stdout
        as_json = json.loads(rasid("brief", "-c", "config.yaml", "--json", cwd=tmp_path).stdout)
        assert as_json["alerts"] == 3 and as_json["type"] == "brief"
    finally:
        receiver.close()
