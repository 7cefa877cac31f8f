"""Is a source healthy? Failing too long, its items failing too long, empty, or silent far beyond its usual cadence."""

from __future__ import annotations

import dataclasses
from statistics import median

from rasid.models import ItemFailure, clean_text
from rasid.store.base import FeedState

SILENCE_FACTOR = 4.0
"""Silent for this many times its usual gap between new items is unusual..."""
MIN_SILENCE = 24 * 3600.0
"""...but never before a day has passed."""
MIN_HISTORY = 5
MAX_ITEM_ERROR = 300
"""Characters of the latest item failure kept for `rasid sources` and /healthz."""


def assess(state: FeedState, alert_after: float, first_seen: list[float], now: float) -> str | None:
    """Why the source is unhealthy, or None. `first_seen` lists when its recent reports arrived."""
    if state.disabled:
        return f"disabled: {state.disabled}"
    if state.errors and state.last_success is not None and now - state.last_success >= alert_after:
        return f"failing since {int((now - state.last_success) // 60)} min: {state.last_status}"
    if state.errors and state.last_success is None and state.last_poll is not None and state.errors >= 3:
        return f"never polled successfully: {state.last_status}"
    if state.items_failing_since is not None and now - state.items_failing_since >= alert_after:
        minutes = int((now - state.items_failing_since) // 60)
        return f"items failing since {minutes} min ({state.item_errors} failed): {state.last_item_error}"
    if state.last_status not in (None, "304") and not state.errors and state.new_items == 0 and state.last_status.isdigit():
        return "the feed lists no items"
    if len(first_seen) >= MIN_HISTORY:
        times = sorted(first_seen)
        gaps = [b - a for a, b in zip(times, times[1:]) if b > a]
        if gaps:
            usual = median(gaps)
            silent = now - times[-1]
            if silent >= max(MIN_SILENCE, SILENCE_FACTOR * usual):
                return f"silent for {silent / 3600:.0f} h (it usually has news every {usual / 3600:.1f} h)"
    return None


def with_item_outcome(state: FeedState, failures: list[ItemFailure], read: bool, now: float) -> FeedState:
    """`state` after a poll or scan in which `failures` items failed and, if `read`, others were
    read. A poll that reads items without a failure ends a run of failures; one that reads
    nothing (a 304, no new file) changes nothing."""
    if failures:
        return dataclasses.replace(
            state,
            item_errors=state.item_errors + len(failures),
            last_item_error=clean_text(str(failures[-1])[:MAX_ITEM_ERROR]),
            items_failing_since=state.items_failing_since or now,
        )
    if read:
        return dataclasses.replace(state, item_errors=0, items_failing_since=None)
    return state
