"""`Pipeline`: a report in; its keys, verdicts, story and alerts out. Pure: no I/O, no clock."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rasid.config.models import CustomPlace, DedupConfig, WatchList
from rasid.dedup import (
    Candidate,
    Fingerprint,
    StoryMatch,
    best_match,
    fingerprint_words,
    report_keys,
    report_words,
)
from rasid.delivery.payload import alert_document, alert_id, combined_document, story_update_document
from rasid.match import build_matcher
from rasid.models import Alert, Report, Verdict
from rasid.silences import silencing
from rasid.store.base import QueuedAlert, Silence, StoryEntry, StoryInfo


@dataclass(frozen=True)
class Examined:
    """What a report is, before it meets the state: dedup keys, verdicts, fingerprint."""

    report: Report
    keys: list[str]
    verdicts: list[Verdict]
    fingerprint: Fingerprint


@dataclass(frozen=True)
class Plan:
    """What to record and send for a new report, ready for one store transaction."""

    story: StoryEntry
    alerts: list[Alert]
    queued: list[QueuedAlert]
    updates: list[str]
    """Watch-lists told of a new source by a `story.updated` event."""
    documents: list[dict[str, Any]]
    """Each alert's own document (as the alerts list and API keep it)."""
    edit: bool = False
    """The plan of an edited report (`Pipeline.plan`'s `edit`)."""


class Pipeline:
    """Matches reports against watch-lists, groups them into stories and routes alerts."""

    def __init__(
        self,
        watchlists: list[WatchList],
        notifiers: list[str],
        custom_places: list[CustomPlace] = (),  # type: ignore[assignment]
        dedup: DedupConfig = DedupConfig(),
        per_watchlist: frozenset[str] = frozenset(),
    ) -> None:
        self.matcher = build_matcher(watchlists, list(custom_places))
        self.dedup = dedup
        self.per_watchlist = per_watchlist
        """Notifiers that take one message per watch-list; the others one per report."""
        self.bursts = {wl.name: wl.burst for wl in watchlists if wl.burst is not None}
        """The watch-lists that watch for bursts, and how."""
        self.routes = {
            wl.name: tuple(n for n in (wl.notify if wl.notify is not None else notifiers) if n in notifiers)
            for wl in watchlists
        }

    def examine(self, report: Report) -> Examined:
        words = report_words(report)
        return Examined(report, report_keys(report, words), self.matcher.fired(report.text), fingerprint_words(words.all))

    def newly_fired(self, examined: Examined, before: str) -> list[Verdict]:
        """The verdicts of watch-lists the report fires that its text `before` an edit did not."""
        fired_before = {v.watchlist for v in self.matcher.fired(before)}
        return [v for v in examined.verdicts if v.watchlist not in fired_before]

    def same_story(self, examined: Examined, candidates: list[Candidate]) -> StoryMatch | None:
        """The story this report repeats, among stored reports sharing an LSH band with it."""
        return best_match(examined.fingerprint, candidates, self.dedup.similarity, self.dedup.containment)

    def plan(
        self, examined: Examined, match: StoryMatch | None, story: StoryInfo, now: datetime, alerting: bool = True,
        silences: list[Silence] = (),  # type: ignore[assignment]
        urgent: frozenset[str] = frozenset(),
        edit: bool = False,
    ) -> Plan:  # fmt: skip
        """Alerts for watch-lists this story has not alerted yet; for the others, per `on_duplicate`.
        With `alerting` false (a backlog item) the report is recorded and nobody is told; an
        alert a silence holds is recorded as silenced and sent to nobody; those of the `urgent`
        watch-lists (bursting) are marked urgent. An `edit` of a report of the story (`match`)
        is no other source of it: not listed, and no `story.updated` event."""
        report, fp = examined.report, examined.fingerprint
        story_id = match.story_id if match else "story_" + hashlib.sha256(examined.keys[0].encode()).hexdigest()[:20]
        listed = not edit and (match is None or self.dedup.on_duplicate != "drop")
        sources = story.sources + (1 if listed else 0) if match else 1
        alerts: list[Alert] = []
        documents: dict[str, dict[str, Any]] = {}
        queued: list[QueuedAlert] = []
        updates: list[str] = []
        for v in examined.verdicts if alerting else ():
            notifiers = self.routes[v.watchlist]
            if match is None or v.watchlist not in story.alerted:
                alert = Alert(alert_id(examined.keys[0], v.watchlist), v.watchlist, report, v.matches, notifiers, story_id, sources)
                alerts.append(alert)
                documents[alert.id] = document = alert_document(alert, now)
                if v.watchlist in urgent:
                    document["urgent"] = True
                held = silencing(silences, document, report.text, now.timestamp())
                if held is not None:
                    document["silenced"] = {"id": held.id, "until": datetime.fromtimestamp(held.ends, now.tzinfo).isoformat(timespec="seconds")}
            elif self.dedup.on_duplicate == "update" and not edit:
                document = story_update_document(examined.keys[0], v.watchlist, report, story_id, sources, match.jaccard, now)
                if silencing(silences, document, report.text, now.timestamp()) is not None:
                    continue
                updates.append(v.watchlist)
                queued.extend(QueuedAlert(document["id"], n, document) for n in notifiers)
        queued = self._routed(alerts, documents) + queued
        entry = StoryEntry(
            story_id=story_id,
            new_story=match is None,
            listed=listed,
            similarity=round(match.jaccard, 3) if match else None,
            shingles=fp.pack() if fp.band_keys else None,
            band_keys=fp.band_keys,
            alerted=tuple(a.watchlist for a in alerts),
        )
        return Plan(entry, alerts, queued, updates, list(documents.values()), edit)

    def _routed(self, alerts: list[Alert], documents: dict[str, dict[str, Any]]) -> list[QueuedAlert]:
        """The outbox rows of a report's alerts: to each notifier one message naming every
        watch-list it was fired for, or one per watch-list where the notifier asks for that."""
        out: list[QueuedAlert] = []
        notifiers = dict.fromkeys(n for a in alerts for n in a.notifiers)
        for n in notifiers:
            mine = [documents[a.id] for a in alerts if n in a.notifiers and "silenced" not in documents[a.id]]
            if not mine:
                continue
            if len(mine) == 1 or n in self.per_watchlist:
                out += [QueuedAlert(d["id"], n, d) for d in mine]
            else:
                out.append(QueuedAlert(mine[0]["id"], n, combined_document(mine)))
        return out
