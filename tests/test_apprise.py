"""Apprise through the outbox: a local HTTP endpoint stands in for its targets (its `json://`
scheme POSTs there), a refusal is retried, nothing of the URL's secret reaches the log."""

from __future__ import annotations

from pathlib import Path

from support import Response, WebhookReceiver, rasid, wait_until

TOKEN = "tok3n-never-logged-9f2a"


def test_an_alert_reaches_an_apprise_target_and_a_refusal_is_retried(tmp_path: Path) -> None:
    target = WebhookReceiver([Response(500, b"down")])
    try:
        (tmp_path / "inbox").mkdir()
        (tmp_path / "inbox" / "a.txt").write_text("غارة على تعز\nشنت طائرات غارة على مواقع في مدينة تعز.", encoding="utf-8")
        host, port = target.url.removeprefix("http://").split(":")
        (tmp_path / "config.yaml").write_text(
            "sources: {folders: [{name: inbox, path: ./inbox, interval: 1s}]}\n"
            "watchlists: [{name: yemen, places: [تعز], keywords: [غارة]}]\n"
            "notifiers: [{name: phones, type: apprise, urls: ['${APPRISE_URL}'], language: ar}]\n"
            "delivery: {interval: 200ms, retry: [200ms]}\n",
            encoding="utf-8",
        )
        env = {"APPRISE_URL": f"json://{host}:{port}/{TOKEN}"}
        first = rasid("once", "-c", "config.yaml", cwd=tmp_path, env=env)
        assert first.returncode == 0 and "alert delivery failed notifier=phones" in first.stderr
        assert TOKEN not in first.stderr + first.stdout
        assert wait_until(lambda: rasid("once", "-c", "config.yaml", cwd=tmp_path, env=env).returncode == 0
                          and len(target.posts()) == 2, timeout=20)  # fmt: skip
        sent = target.posts()[-1]
        assert sent.path == f"/{TOKEN}"
        body = sent.json()
        assert body["title"].startswith("yemen: غارة على تعز") and "الأماكن: تعز" in body["message"]
        assert "id: alert_" in body["message"]  # a repeat after a crash names the same alert
    finally:
        target.close()
