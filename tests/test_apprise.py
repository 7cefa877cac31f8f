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


def test_sigkill_during_apprise_delivery_loses_nothing_and_a_repeat_names_the_same_alert(tmp_path: Path) -> None:
    import re
    import signal
    import subprocess
    import sys

    from dedup_variants import stories
    from support import clean_env

    target = WebhookReceiver([Response(200, delay=0.4)] * 100)
    try:
        (tmp_path / "inbox").mkdir()
        for i, doc in enumerate([d for d in stories() if d.story != "seed"][:5]):
            (tmp_path / "inbox" / f"{i:02d}.txt").write_text(doc.text, encoding="utf-8")
        host, port = target.url.removeprefix("http://").split(":")
        (tmp_path / "config.yaml").write_text(
            "sources: {folders: [{name: inbox, path: ./inbox, interval: 1s}]}\n"
            "watchlists: [{name: all-news, keywords: [في]}]\n"
            f"notifiers: [{{name: phones, type: apprise, urls: ['json://{host}:{port}/{TOKEN}']}}]\n"
            "delivery: {interval: 200ms, retry: [200ms]}\n",
            encoding="utf-8",
        )

        def start() -> subprocess.Popen[bytes]:
            return subprocess.Popen([sys.executable, "-m", "rasid", "run", "-c", "config.yaml"], cwd=tmp_path, env=clean_env(),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip

        def alert_ids() -> list[str]:
            return [re.search(r"id: (alert_\w+)", p.json()["message"]).group(1) for p in target.posts()]  # type: ignore[union-attr]

        proc = start()
        assert wait_until(lambda: len(target.posts()) >= 2)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert len(set(alert_ids())) < 5
        proc = start()
        try:
            assert wait_until(lambda: len(set(alert_ids())) >= 5, timeout=30)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=15)
        assert len(set(alert_ids())) == 5 and len(alert_ids()) <= 6  # at most the one in flight at the kill, again
    finally:
        target.close()
