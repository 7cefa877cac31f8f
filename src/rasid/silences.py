"""Silences: for a while, alerts of one story, watch-list or place, or whose report says some
words, are recorded and shown as silenced but sent to nobody (as Alertmanager's silences).
Pure: which silence, if any, holds an alert."""

from __future__ import annotations

import secrets
from typing import Any

from rasid.normalize import normalize_term
from rasid.store.alert_index import alert_terms
from rasid.store.base import Silence

def new_silence_id() -> str:
    return "silence_" + secrets.token_hex(6)


def silencing(silences: list[Silence], document: dict[str, Any], text: str, now: float) -> Silence | None:
    """The first active silence that holds this alert (or story update) document, whose report's
    text is `text`."""
    active = [s for s in silences if s.active(now)]
    if not active:
        return None
    watchlists = set(document.get("watchlists") or [document.get("watchlist")])
    story = (document.get("story") or {}).get("id")
    terms: set[tuple[str, str]] | None = None
    folded: str | None = None
    for s in active:
        if s.kind == "story" and story == s.value:
            return s
        if s.kind == "watchlist" and s.value in watchlists:
            return s
        if s.kind == "place":
            terms = terms if terms is not None else alert_terms(document)
            if terms & set(s.keys):
                return s
        if s.kind == "match":
            folded = folded if folded is not None else normalize_term(f"{(document.get('report') or {}).get('title', '')}\n{text}")
            if normalize_term(s.value) in folded:
                return s
    return None
