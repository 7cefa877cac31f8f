"""Is a source healthy? Failing too long, empty, or silent far beyond its usual cadence."""

from __future__ import annotations

from statistics import median

from rasid.store.base import FeedState

SILENCE_FACTOR = 4.0
"""Silent for this many times its usual gap between new items is unusual..."""
MIN_SILENCE = 24 * 3600.0
"""...but never before a day has passed."""
MIN_HISTORY = 5


def assess(state: FeedState, alert_after: float, first_seen: list[float], now: float) -> str | None:
    """Why the source is unhealthy, or None. `first_seen` lists when its recent reports arrived."""
    if state.disabled:
        return f"disabled: {state.disabled}"
    if state.errors and state.last_success is not None and now - state.last_success >= alert_after:
        return f"failing since {int((now - state.last_success) // 60)} min: {state.last_status}"
    if state.errors and state.last_success is None and state.last_poll is not None and state.errors >= 3:
        return f"never polled successfully: {state.last_status}"
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
