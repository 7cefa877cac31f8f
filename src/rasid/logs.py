"""Log lines for a daemon: one event per line, `key=value`, no timestamps under journald."""

from __future__ import annotations

import logging
import os
import sys


def configure_logging(level: str = "info") -> None:
    """Send rasid's log to stderr in the form its environment expects."""
    under_journald = bool(os.environ.get("JOURNAL_STREAM"))
    fmt = "%(levelname)s %(name)s: %(message)s" if under_journald else "%(asctime)s %(levelname)s %(name)s: %(message)s"
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(fmt, datefmt="%Y-%m-%dT%H:%M:%S%z"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # "skipped: maximum number of running instances" only says a poll outlasted its interval.
    logging.getLogger("apscheduler").setLevel(max(logging.ERROR, root.level))
