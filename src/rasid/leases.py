"""`Leases`: which feeds this instance polls when several share one PostgreSQL state."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from rasid.store import Store

log = logging.getLogger("rasid.daemon")

LEASE_ROUND = 0.25
"""Leases are renewed every quarter of `lease_ttl` and granted for the other three quarters, so
that a dead instance's feeds are taken over within `lease_ttl`."""


class Leases:
    """The feeds this instance holds on a shared store; on a private one it polls every feed."""

    def __init__(self, store: Store, clock: Callable[[], float]) -> None:
        self.store = store
        self.clock = clock
        self.held: set[str] = set()

    def polls(self, feed: str) -> bool:
        return not self.store.shared or feed in self.held

    async def round(self, feeds: list[str], ttl: float) -> set[str]:
        """Say this instance is alive, keep its outbox claims, and renew, give back and take
        leases so that live instances share `feeds`; a lease outlives a dead instance by at most
        `ttl`. Returns the feeds just gained (to be polled when they are due)."""
        if not self.store.shared:
            return set()
        now = self.clock()
        try:
            await asyncio.to_thread(self.store.heartbeat, now)
            held = await asyncio.to_thread(self.store.claim_leases, feeds, now, ttl * (1 - LEASE_ROUND))
        except Exception:
            self.held = set()  # cut off from the shared state: poll nothing until leases are had again
            raise
        gained, lost = held - self.held, self.held - held
        self.held = held
        if gained or lost:
            log.info("leases changed held=%d gained=%d given_back=%d", len(held), len(gained), len(lost))
        return gained
