"""Log lines for a daemon: one event per line, `key=value`, no timestamps under journald."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from datetime import datetime, timezone

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""Control characters, line and paragraph separators and bidi embeddings and overrides: in a
logged value (a file name, a feed's title) they could end the line and forge another, or
reorder what a reader sees."""


def escape_controls(text: str) -> str:
    """`text` with every character of `_UNSAFE` written as a Python-style escape (`\\n`, `\\u202e`)."""
    return _UNSAFE.sub(_escape, text)


def _escape(m: re.Match[str]) -> str:
    char = m.group(0)
    return repr(char)[1:-1] if ord(char) < 0x100 else f"\\u{ord(char):04x}"


class TextFormatter(logging.Formatter):
    """`logging.Formatter` whose line cannot be split or reordered by what a message carries;
    an exception's traceback still follows on lines of its own."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return escape_controls(super().formatMessage(record))


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (unless journald adds it), level, logger, event, and the key=value pairs."""

    def __init__(self, timestamps: bool) -> None:
        super().__init__()
        self.timestamps = timestamps

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        out: dict[str, object] = {}
        if self.timestamps:
            out["time"] = datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")
        out.update({"level": record.levelname.lower(), "logger": record.name, "message": message})
        for key, value in _fields(record, message).items():
            out.setdefault(key, value)
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        # JSON escapes C0 itself; the rest would split the line for readers that split on U+2028 or NEL
        return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", json.dumps(out, ensure_ascii=False))


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_PAIR = re.compile(r"(\w+)=('[^']*'|\"[^\"]*\"|\S+)")
_SPEC = re.compile(r"%(?:\(\w+\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
_KEY_BEFORE = re.compile(r"(\w+)=$")
_UNIT = re.compile(r"[^\s%]*")


def _fields(record: logging.LogRecord, message: str) -> dict[str, str]:
    """The `key=value` pairs of a log call, each value whole as the caller passed it: a value
    holding spaces or `other=...` (a hostile file name, say) stays one value and adds no field."""
    fmt, args = str(record.msg), record.args
    if not isinstance(args, tuple) or not args:
        return _literal_pairs(message)
    out: dict[str, str] = {}
    pos, i = 0, 0
    for spec in _SPEC.finditer(fmt):
        literal = fmt[pos : spec.start()]
        for key, value in _literal_pairs(literal).items():
            out.setdefault(key, value)
        pos = spec.end()
        if spec.group(0) == "%%":
            continue
        if "*" in spec.group(0) or "(" in spec.group(0) or i >= len(args):
            return _literal_pairs(message)
        value = spec.group(0) % (args[i],) + _UNIT.match(fmt, spec.end()).group(0)  # `%.3fs`: "0.250s"
        i += 1
        key = _KEY_BEFORE.search(literal)
        if key:
            out.setdefault(key.group(1), value.strip("'\"") if spec.group(0).endswith("r") else value)
    for key, value in _literal_pairs(fmt[pos:]).items():
        out.setdefault(key, value)
    return out


def _literal_pairs(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in _PAIR.findall(text):
        out.setdefault(key, value.strip("'\""))
    return out


def configure_logging(level: str = "info", fmt: str = "text") -> None:
    """Send rasid's log to stderr in the form its environment expects."""
    under_journald = bool(os.environ.get("JOURNAL_STREAM"))
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter(timestamps=not under_journald))
    else:
        line = "%(levelname)s %(name)s: %(message)s"
        handler.setFormatter(TextFormatter(line if under_journald else "%(asctime)s " + line, datefmt="%Y-%m-%dT%H:%M:%S%z"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "watchfiles", "uvicorn"):  # a line per request, per change seen, per start
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # "skipped: maximum number of running instances" only says a poll outlasted its interval.
    logging.getLogger("apscheduler").setLevel(max(logging.ERROR, root.level))
