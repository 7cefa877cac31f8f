"""One story, one alert: republished copies through the real `rasid once`, across restarts."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from dedup_variants import Doc, stories, variants
from support import WebhookReceiver, rasid

CONFIG = """
sources:
  folders:
    - {{name: inbox, path: ./inbox}}
    - {{name: outlet-0, path: ./outlet-0}}
    - {{name: outlet-1, path: ./outlet-1}}
    - {{name: outlet-2, path: ./outlet-2}}
    - {{name: outlet-3, path: ./outlet-3}}
    - {{name: outlet-4, path: ./outlet-4}}
watchlists:
  - name: south
    places: [درعا, جاسم, طفس, نوى]
    keywords: [اغتيال, اجتماع]
notifiers:
  - {{name: ops, type: webhook, url: "{url}"}}
dedup: {{on_duplicate: {mode}}}
"""


def write(folder: Path, name: str, doc: Doc) -> None:
    (folder / name).write_text(doc.text, encoding="utf-8")


def setup(tmp_path: Path, url: str, mode: str) -> tuple[Path, Doc, list[Doc]]:
    (tmp_path / "config.yaml").write_text(CONFIG.format(url=url, mode=mode), encoding="utf-8")
    inbox = tmp_path / "inbox"
    for folder in ("inbox", "outlet-0", "outlet-1", "outlet-2", "outlet-3", "outlet-4"):
        (tmp_path / folder).mkdir()
    docs = {d.story: d for d in stories()}
    seed = docs["seed"]
    copies = {v.kind: v for v in variants(seed, [d for d in docs.values() if d is not seed], random.Random(3))}
    write(inbox, "a-seed.txt", seed)
    for i, kind in enumerate(("no-diacritics", "new-headline", "boilerplate", "words-replaced")):
        write(tmp_path / f"outlet-{i}", "copy.txt", copies[kind])
    for story in ("daraa-assassination-1", "daraa-assassination-2", "russia-1"):
        write(inbox, f"{story}.txt", docs[story])
    return tmp_path / "outlet-4", seed, [copies["hamza-alef"], copies["dropped-paragraph"]]


@pytest.mark.parametrize("mode", ["record", "update"])
def test_republished_copies_alert_once(tmp_path: Path, receiver: WebhookReceiver, mode: str) -> None:
    late_outlet, seed, later = setup(tmp_path, receiver.url, mode)
    first = rasid("once", "-c", "config.yaml", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    bodies = [p.json() for p in receiver.posts()]
    alerts = [b for b in bodies if b["type"] == "alert"]
    assert len(alerts) == 4
    others = {d.title for d in stories() if d.story in ("daraa-assassination-1", "daraa-assassination-2", "russia-1")}
    (seed_alert,) = [b for b in alerts if b["report"]["title"] not in others]  # the seed or whichever copy came first
    assert seed_alert["story"]["sources"] == 1
    assert len({b["story"]["id"] for b in alerts}) == 4
    updates = [b for b in bodies if b["type"] == "story.updated"]
    assert sorted(u["story"]["sources"] for u in updates) == ([2, 3, 4, 5] if mode == "update" else [])
    assert all(u["story"]["id"] == seed_alert["story"]["id"] for u in updates)
    seen = len(bodies)

    write(late_outlet, "copy.txt", later[0])
    second = rasid("once", "-c", "config.yaml", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    bodies = [p.json() for p in receiver.posts()][seen:]
    if mode == "record":
        assert bodies == []
    else:
        (update,) = bodies
        assert update["type"] == "story.updated"
        assert update["story"]["id"] == seed_alert["story"]["id"]
        assert update["story"]["sources"] == 6
        assert update["report"]["source"] == "outlet-4" and update["watchlist"] == "south"

    listing = rasid("stories", "-c", "config.yaml", "--json", cwd=tmp_path)
    rows = [json.loads(line) for line in listing.stdout.splitlines()]
    assert sorted(len(r["sources"]) for r in rows) == [1, 1, 1, 6]
    alerted = {r["id"]: r["alerted"] for r in rows}
    assert alerted[seed_alert["story"]["id"]] == ["south"] and sorted(map(tuple, alerted.values())) == [("south",)] * 4
    human = rasid("stories", "-c", "config.yaml", cwd=tmp_path)
    assert f"{seed_alert['story']['id']}  6 sources  alerted south  " in human.stdout


def test_drop_marks_seen_without_listing(tmp_path: Path, receiver: WebhookReceiver) -> None:
    setup(tmp_path, receiver.url, "drop")
    assert rasid("once", "-c", "config.yaml", cwd=tmp_path).returncode == 0
    assert len(receiver.posts()) == 4
    rows = [json.loads(line) for line in rasid("stories", "-c", "config.yaml", "--json", cwd=tmp_path).stdout.splitlines()]
    assert sorted(len(r["sources"]) for r in rows) == [1, 1, 1, 1]
