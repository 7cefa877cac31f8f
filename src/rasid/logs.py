"""Log lines for a daemon: one event per line, `key=value`, no timestamps under journald."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from datetime import datetime, timezone


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (unless journald adds it), level, logger, event, and the key=value pairs."""

    def __init__(self, timestamps: bool) -> None:
        super().__init__()
        self.timestamps = timestamps

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        event, _, rest = message.partition(" ")
        out: dict[str, object] = {}
        if self.timestamps:
            out["time"] = datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")
        out.update({"level": record.levelname.lower(), "logger": record.name, "message": message})
        pairs = dict(_PAIR.findall(rest)) if "=" in rest else {}
        out.update({k: v.strip("'\"") for k, v in pairs.items() if k not in out})
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        del event
        return json.dumps(out, ensure_ascii=False)


_PAIR = re.compile(r"(\w+)=('[^']*'|\"[^\"]*\"|\S+)")


def configure_logging(level: str = "info", fmt: str = "text") -> None:
    """Send rasid's log to stderr in the form its environment expects."""
    under_journald = bool(os.environ.get("JOURNAL_STREAM"))
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter(timestamps=not under_journald))
    else:
        line = "%(levelname)s %(name)s: %(message)s"
        handler.setFormatter(logging.Formatter(line if under_journald else "%(asctime)s " + line, datefmt="%Y-%m-%dT%H:%M:%S%z"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # "skipped: maximum number of running instances" only says a poll outlasted its interval.
    logging.getLogger("apscheduler").setLevel(max(logging.ERROR, root.level))
