"""`Pipeline`: a report in, its dedup keys and alerts out. Pure: no I/O, no clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rasid.config.models import CustomPlace, WatchList
from rasid.dedup import report_keys
from rasid.delivery.payload import alert_document, alert_id
from rasid.match import build_matcher
from rasid.models import Alert, Report, Verdict
from rasid.store.base import QueuedAlert


@dataclass(frozen=True)
class Outcome:
    """What a report leads to, ready for one store transaction."""

    keys: list[str]
    verdicts: list[Verdict]
    alerts: list[Alert]
    queued: list[QueuedAlert]


class Pipeline:
    """Matches reports against watch-lists and routes alerts to notifiers."""

    def __init__(
        self, watchlists: list[WatchList], notifiers: list[str], custom_places: list[CustomPlace] = ()  # type: ignore[assignment]
    ) -> None:
        self.matcher = build_matcher(watchlists, list(custom_places))
        self.routes = {
            wl.name: tuple(n for n in (wl.notify if wl.notify is not None else notifiers) if n in notifiers)
            for wl in watchlists
        }

    def process(self, report: Report, now: datetime) -> Outcome:
        keys = report_keys(report)
        verdicts = self.matcher.fired(report.text)
        alerts = [
            Alert(alert_id(keys[0], v.watchlist), v.watchlist, report, v.matches, self.routes[v.watchlist])
            for v in verdicts
        ]
        queued = []
        for alert in alerts:
            document = alert_document(alert, now)
            queued.extend(QueuedAlert(alert.id, n, document) for n in alert.notifiers)
        return Outcome(keys, verdicts, alerts, queued)
