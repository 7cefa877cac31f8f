"""Prometheus metrics: what rasid does, counted where it happens."""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)


class Metrics:
    """rasid's metrics, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.polls = Counter("rasid_polls", "Polls of sources, by outcome", ["source", "outcome"], registry=r)
        self.poll_seconds = Histogram("rasid_poll_seconds", "Time a poll took", ["kind"], registry=r)
        self.reports = Counter("rasid_reports_seen", "New reports recorded", ["source"], registry=r)
        self.matches = Counter("rasid_matches", "Watch-list matches in new reports", ["watchlist"], registry=r)
        self.dedup_candidates = Histogram(
            "rasid_dedup_candidates", "Stored reports a new report was compared with exactly",
            buckets=(0, 1, 2, 4, 8, 16, 32, 64, 256, 1024), registry=r,
        )  # fmt: skip
        self.alerts = Counter("rasid_alerts", "Alerts queued", ["watchlist"], registry=r)
        self.deliveries = Counter("rasid_deliveries", "Delivery attempts, by outcome", ["notifier", "outcome"], registry=r)
        self.delivery_seconds = Histogram("rasid_delivery_seconds", "Time a delivery attempt took", ["notifier"], registry=r)
        self.outbox_depth = Gauge("rasid_outbox_pending", "Deliveries waiting in the outbox", registry=r)
        self.oldest_pending = Gauge("rasid_outbox_oldest_pending_seconds", "Age of the oldest pending delivery", registry=r)

    def alerts_total(self) -> int:
        return int(sum(s.value for m in self.alerts.collect() for s in m.samples if s.name.endswith("_total")))

    def exposition(self) -> bytes:
        """The metrics in the Prometheus text format."""
        return generate_latest(self.registry)
