"""Read YAML into plain data while remembering the line of every key and value."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Loc = tuple[str | int, ...]

_ENV_REF = re.compile(r"\$\$|\$\{(?:(file|credential):([^}]+)|([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?)\}")


class ConfigError(Exception):
    """A config file that cannot be used; every problem names file, line and key."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class YamlDocument:
    """Plain data from a YAML file plus the line of each location in it."""

    path: Path
    data: Any
    value_lines: dict[Loc, int] = field(default_factory=dict)
    key_lines: dict[Loc, int] = field(default_factory=dict)

    def line_of(self, loc: Loc, *, key: bool = False) -> int:
        """The line of `loc`, falling back to its nearest known parent."""
        lines = self.key_lines if key else self.value_lines
        if loc in lines:
            return lines[loc]
        while loc:
            loc = loc[:-1]
            if loc in self.value_lines:
                return self.value_lines[loc]
        return 1

    def problem(self, loc: Loc, message: str, *, at_key: Loc | None = None) -> str:
        """One error line: `file:line: path: message`, the line of `at_key` if given."""
        where = format_loc(loc)
        line = self.line_of(at_key, key=True) if at_key is not None else self.line_of(loc)
        prefix = f"{self.path}:{line}:"
        return f"{prefix} {where}: {message}" if where else f"{prefix} {message}"


def format_loc(loc: Loc) -> str:
    """`('watchlists', 0, 'places')` -> `watchlists[0].places`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def load_yaml(path: Path, environ: dict[str, str] | None = None) -> YamlDocument:
    """Parse `path`, substituting `${VAR}` and `${VAR:-default}` in string values."""
    env = os.environ if environ is None else environ
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read config: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError([f"{path}: config is not UTF-8 ({exc.reason})"]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise ConfigError([f"{path}:{line}: YAML syntax error: {exc.problem or exc.context}"]) from None
    doc = YamlDocument(path=path, data=None)
    problems: list[str] = []
    doc.data = _build(node, (), doc, env, problems) if node is not None else {}
    if problems:
        raise ConfigError(problems)
    return doc


_scalar_constructor = yaml.SafeLoader("")


def _build(node: yaml.Node, loc: Loc, doc: YamlDocument, env: dict[str, str], problems: list[str]) -> Any:
    doc.value_lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar_constructor.construct_object(key_node)
            if not isinstance(key, (str, int)):
                problems.append(doc.problem(loc, f"unsupported key {key!r}"))
                continue
            key = str(key)
            child = loc + (key,)
            doc.key_lines[child] = key_node.start_mark.line + 1
            if key in out:
                problems.append(doc.problem(child, "duplicate key", at_key=child))
            out[key] = _build(value_node, child, doc, env, problems)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, loc + (i,), doc, env, problems) for i, item in enumerate(node.value)]
    value = _scalar_constructor.construct_object(node)
    if isinstance(value, str):
        return _substitute(value, loc, doc, env, problems)
    return value


def _substitute(value: str, loc: Loc, doc: YamlDocument, env: dict[str, str], problems: list[str]) -> str:
    def replace(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        if m.group(1):
            return _read_secret(m.group(1), m.group(2).strip(), loc, doc, env, problems)
        name, default = m.group(3), m.group(4)
        if name in env:
            return env[name]
        if default is not None:
            return default
        problems.append(doc.problem(loc, f"environment variable {name} is not set"))
        return ""

    return _ENV_REF.sub(replace, value)


def _read_secret(kind: str, name: str, loc: Loc, doc: YamlDocument, env: dict[str, str], problems: list[str]) -> str:
    """The content of `${file:PATH}` or `${credential:NAME}` (systemd's `$CREDENTIALS_DIRECTORY`)."""
    if kind == "credential":
        folder = env.get("CREDENTIALS_DIRECTORY")
        if not folder:
            problems.append(doc.problem(loc, f"credential {name} asked for, but CREDENTIALS_DIRECTORY is not set"))
            return ""
        path = Path(folder) / name
    else:
        path = Path(name).expanduser()
        if not path.is_absolute():
            path = doc.path.resolve().parent / path
    try:
        return path.read_text(encoding="utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        problems.append(doc.problem(loc, f"cannot read {kind} {name}: {reason}"))
        return ""
