"""A test alert: a document every format and notifier takes like a real one, marked as a test in
its watch-list, title and id, to check a notifier end to end (`rasid notify-test`)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

TEXT = "رسالة اختبار من راصد: قصف على درعا. لا حاجة لأي إجراء."
TITLE = "[اختبار · TEST] رسالة اختبار من راصد"


def test_alert(now: datetime) -> dict[str, Any]:
    """A fresh test alert document (its own id each time, so a receiver never drops it as a repeat)."""
    start = TEXT.index("درعا")
    return {
        "type": "alert",
        "id": "test_" + secrets.token_hex(12),
        "test": True,
        "watchlist": "rasid-test",
        "created_at": now.isoformat(timespec="seconds"),
        "story": {"id": "story_test", "sources": 1},
        "report": {"title": TITLE, "url": None, "source": "rasid notify-test", "published": None},
        "matches": [{"kind": "place", "term": "درعا", "surface": "درعا", "start": start, "end": start + 4}],
        "snippet": TEXT,
    }
