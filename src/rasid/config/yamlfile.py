"""Read YAML into plain data while remembering the line of every key and value."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Loc = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_ENV_REF = re.compile(r"\$\$|\$\{(?:(file|credential):([^}]+)|([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?)\}")


MAX_PROBLEMS = 50
"""Problems reported at most (one mistake repeated through YAML aliases could make thousands)."""


class ConfigError(Exception):
    """A config file that cannot be used; every problem names file, line and key."""

    def __init__(self, problems: list[str]) -> None:
        if len(problems) > MAX_PROBLEMS:
            problems = [*problems[:MAX_PROBLEMS], f"... and {len(problems) - MAX_PROBLEMS:,} more problems"]
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class YamlDocument:
    """Plain data from a YAML file plus the line of each location in it."""

    path: Path
    data: Any
    value_lines: dict[Loc, int] = field(default_factory=dict)
    key_lines: dict[Loc, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    """What could not be read (a duplicate key, a variable or secret missing), reported with the
    rest of the config's problems."""
    outside_unit: set[str] = field(default_factory=set)
    """Problems of `${credential:...}` read where no systemd unit provides them (no
    `$CREDENTIALS_DIRECTORY`)."""
    unresolved: dict[Loc, str] = field(default_factory=dict)
    """Values a missing variable or secret left empty, with that problem (also in `problems`):
    their other problems follow from it."""

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


MAX_CONFIG_BYTES = 8 * 1024 * 1024
"""A larger config file is refused: a watch-list of 30,000 keywords is well under 1 MB."""
MAX_VALUES = 200_000
"""Keys, values and list items a config may expand to, each use of a YAML alias counted again."""
MAX_TEXT = 32 * 1024 * 1024
"""Characters of keys and values a config may expand to, aliases counted again."""
MAX_DEPTH = 64
"""Nesting of mappings and lists."""
COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's composer where PyYAML was built with it (ten times faster on a large watch-list);
its nodes keep their lines for the error messages as the pure-Python one's do."""
MAX_SECRET_BYTES = 64 * 1024
"""A longer `${file:...}` or `${credential:...}` is refused."""


def load_yaml(path: Path, environ: dict[str, str] | None = None) -> YamlDocument:
    """Parse `path`, substituting `${VAR}` and `${VAR:-default}` in string values, within the limits above."""
    env = os.environ if environ is None else environ
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read config: {exc.strerror or exc}"]) from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError([f"{path}: config is larger than {MAX_CONFIG_BYTES // (1024 * 1024)} MiB"])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError([f"{path}: config is not UTF-8 ({exc.reason})"]) from None
    try:
        node = yaml.compose(text, Loader=COMPOSER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        if "nesting depth" in str(exc.problem):  # libyaml's own limit, far above ours
            raise ConfigError([f"{path}:{line}: YAML nested too deeply (at most {MAX_DEPTH} levels)"]) from None
        raise ConfigError([f"{path}:{line}: YAML syntax error: {exc.problem or exc.context}"]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([f"{path}: YAML error: {exc}"]) from None
    except RecursionError:
        raise ConfigError([f"{path}: YAML nested too deeply (at most {MAX_DEPTH} levels)"]) from None
    doc = YamlDocument(path=path, data=None)
    builder = _Builder(doc, env)
    try:
        doc.data = builder.build(node, ()) if node is not None else {}
    except _TooLarge as exc:
        raise ConfigError([str(exc)]) from None
    doc.problems = builder.problems
    return doc


class _TooLarge(Exception):
    """The document breaks one of the limits: building stops at once."""


class _Builder:
    """Plain data from a composed node tree, aliases expanded within the limits."""

    def __init__(self, doc: YamlDocument, env: Mapping[str, str]) -> None:
        self.doc = doc
        self.env = env
        self.problems: list[str] = []
        self.values = 0
        self.text = 0
        self.open: set[int] = set()
        """The mappings and lists being built, to catch one that contains itself through an alias."""
        self.scalars = yaml.SafeLoader("")

    def fail(self, node: yaml.Node, loc: Loc, message: str) -> _TooLarge:
        """Where the limit broke: inside an alias every node carries its anchor's line, so the
        top-level key being built is named too."""
        where = f" {loc[0]}:" if loc else ""
        line = self.doc.key_lines.get(loc[:1], node.start_mark.line + 1)
        return _TooLarge(f"{self.doc.path}:{line}:{where} {message}")

    def count(self, node: yaml.Node, loc: Loc, text: int = 0) -> None:
        self.values += 1
        self.text += text
        if self.values > MAX_VALUES:
            raise self.fail(node, loc, f"the config expands to more than {MAX_VALUES:,} values (YAML aliases used too often?)")
        if self.text > MAX_TEXT:
            raise self.fail(node, loc, f"the config expands to more than {MAX_TEXT // (1024 * 1024)} MiB of text (YAML aliases used too often?)")

    def scalar(self, node: yaml.Node, loc: Loc, substitute: bool = False) -> Any:
        """The value of a scalar node, counted after any `${...}` in it is replaced."""
        if node.tag == _STR:  # most values: quoted, or plain text no other type claims
            value = node.value
        else:
            value = self.scalars.construct_object(node)
        if substitute and isinstance(value, str) and "$" in value:
            value = _substitute(value, loc, self.doc, self.env, self.problems)
        self.count(node, loc, len(value) if isinstance(value, str) else 0)
        return value

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        doc = self.doc
        doc.value_lines[loc] = node.start_mark.line + 1
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, loc, substitute=True)
        if id(node) in self.open:
            raise self.fail(node, loc, "a YAML alias refers to a mapping or list that contains it")
        if len(self.open) >= MAX_DEPTH:
            raise self.fail(node, loc, f"YAML nested too deeply (at most {MAX_DEPTH} levels)")
        self.count(node, loc)
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.build(item, loc + (i,)) for i, item in enumerate(node.value)]
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.scalar(key_node, loc) if isinstance(key_node, yaml.ScalarNode) else None
                if not isinstance(key, (str, int)):
                    self.problems.append(doc.problem(loc, f"unsupported key {key!r}" if key is not None else "unsupported key"))
                    continue
                key = str(key)
                child = loc + (key,)
                doc.key_lines[child] = key_node.start_mark.line + 1
                if key in out:
                    self.problems.append(doc.problem(child, "duplicate key", at_key=child))
                out[key] = self.build(value_node, child)
            return out
        finally:
            self.open.discard(id(node))


def _substitute(value: str, loc: Loc, doc: YamlDocument, env: Mapping[str, str], problems: list[str]) -> str:
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
        _unresolved(doc, loc, f"environment variable {name} is not set", problems)
        return ""

    return _ENV_REF.sub(replace, value)


def _read_secret(kind: str, name: str, loc: Loc, doc: YamlDocument, env: Mapping[str, str], problems: list[str]) -> str:
    """The content of `${file:PATH}` or `${credential:NAME}` (systemd's `$CREDENTIALS_DIRECTORY`)."""
    if kind == "credential":
        folder = env.get("CREDENTIALS_DIRECTORY")
        if not folder:
            _unresolved(doc, loc, f"credential {name} asked for, but CREDENTIALS_DIRECTORY is not set", problems)
            doc.outside_unit.add(doc.unresolved[loc])
            return ""
        path = Path(folder) / name
    else:
        path = Path(name).expanduser()
        if not path.is_absolute():
            path = doc.path.resolve().parent / path
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_SECRET_BYTES + 1)
        if len(raw) > MAX_SECRET_BYTES:
            _unresolved(doc, loc, f"{kind} {name} is longer than {MAX_SECRET_BYTES // 1024} KiB", problems)
            return ""
        return raw.decode("utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        _unresolved(doc, loc, f"cannot read {kind} {name}: {reason}", problems)
        return ""


def _unresolved(doc: YamlDocument, loc: Loc, message: str, problems: list[str]) -> None:
    problem = doc.problem(loc, message)
    problems.append(problem)
    doc.unresolved[loc] = problem
