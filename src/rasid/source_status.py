"""Each configured source's state, as `rasid sources` and the console's sources page show it."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from rasid.config import Config
from rasid.redact import redact_url

if TYPE_CHECKING:
    from rasid.store import FeedState


def source_rows(config: Config, states: dict[str, FeedState]) -> list[dict[str, Any]]:
    """One row per source in `config`, in its order: where it reads, its last poll and success,
    status, items, errors, next poll, why it is disabled or unhealthy (URLs with their
    credentials masked)."""
    configured = [("feed", f.name, f.url) for f in config.sources.feeds]
    configured += [("telegram", t.name, t.url) for t in config.sources.telegram]
    configured += [("sitemap", m.name, m.url) for m in config.sources.sitemaps]
    configured += [("page", g.name, g.url) for g in config.sources.pages]
    configured += [("folder", f.name, str(f.path)) for f in config.sources.folders]
    rows = []
    for kind, name, where in configured:
        st = states.get(name)
        disabled = st.disabled if st and st.disabled and (kind == "folder" or st.url == where) else None
        moved = st.url if st and st.url and not st.disabled and st.url != where else None
        rows.append({
            "source": name, "kind": kind, "url": redact_url(moved or where) if kind != "folder" else where,
            "last_poll": when(st.last_poll if st else None), "last_success": when(st.last_success if st else None),
            "status": (st.last_status if st else None) or "-", "new_items": st.new_items if st else 0,
            "errors": st.errors if st else 0, "next_poll": "-" if disabled else when(st.next_poll if st else None),
            "disabled": disabled, "unhealthy": st.unhealthy if st else None,
            "item_errors": st.item_errors if st else 0, "last_item_error": st.last_item_error if st else None,
        })  # fmt: skip
    return rows


def when(t: float | None) -> str:
    """A Unix time as UTC ISO 8601 to the second, or `-`."""
    return datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="seconds") if t else "-"
