"""Find, read and validate a config file into a `Config`."""

from __future__ import annotations

import copy
import difflib
import os
from collections.abc import Collection
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from rasid.collector import collector_paused
from rasid.config.models import FIELD_NAMES, Config, PlaceSet, did_you_mean
from rasid.config.yamlfile import ConfigError, Loc, YamlDocument, load_yaml

SYSTEM_CONFIG = Path("/etc/rasid/config.yaml")


def default_config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """`--config`, else `$RASID_CONFIG`, else `./config.yaml`, else `/etc/rasid/config.yaml`."""
    if explicit:
        return Path(explicit)
    if os.environ.get("RASID_CONFIG"):
        return Path(os.environ["RASID_CONFIG"])
    local = Path("config.yaml")
    return local if local.exists() else SYSTEM_CONFIG


SENDING = ("notifiers",)
"""The sections only sending alerts needs: a command that sends none loads a config without
their secrets and variables."""


def load_config(
    path: str | os.PathLike[str],
    environ: dict[str, str] | None = None,
    *,
    unneeded: Collection[str] = (),
    outside_unit: bool = False,
) -> Config:
    """Read and validate `path`; raise `ConfigError` naming file, line and key of every problem.

    `unneeded`: top-level sections (`SENDING`, `storage`) whose missing secrets and variables
    are no problem: the entries that need them are left out, as a command that does not use
    them can do without. `outside_unit`: nor are systemd credentials where no unit provides
    them (to check a config by hand; the unit checks them before each start)."""
    with collector_paused():
        return _load(Path(path), environ, frozenset(unneeded), outside_unit)


def _load(path: Path, environ: dict[str, str] | None, unneeded: frozenset[str], outside_unit: bool) -> Config:
    doc = load_yaml(path, environ)
    if not isinstance(doc.data, dict):
        raise ConfigError([*doc.problems, doc.problem((), "the config must be a mapping of keys to values")])
    forgiven = {problem for loc, problem in doc.unresolved.items() if loc[:1] and loc[0] in unneeded}
    forgiven |= doc.outside_unit if outside_unit else set()
    problems = [p for p in doc.problems if p not in forgiven]  # reported with the rest: every problem in one pass
    context = {"base_dir": path.resolve().parent}
    removed: set[str] = set()
    try:
        config = Config.model_validate(doc.data, context=context)
    except ValidationError as exc:
        errors = [err for err in exc.errors() if _data_loc(doc.data, tuple(err["loc"])) not in doc.unresolved]
        problems += [_describe(doc, err) for err in errors]
        rest = _without_errors(doc.data, exc, context)
        if rest is None:
            raise ConfigError(problems) from None
        config, removed = rest  # the later checks, on what is valid
    problems += [doc.problem(loc, message) for loc, message in _later_problems(config, removed)]
    if problems:
        raise ConfigError(problems)
    return config


def _later_problems(config: Config, removed: set[str]) -> list[tuple[Loc, str]]:
    """Cross-references, gazetteer selections and the watch-lists' examples, leaving out what
    names an item `removed` for problems of its own."""
    places = place_problems(config)
    problems = [(loc, m) for loc, m in config.cross_check() if not any(repr(n) in m for n in removed)] + places
    problems += [
        (("sources", "folders", i, "path"), f"no folder {str(f.path)!r}: create it, or correct the path")
        for i, f in enumerate(config.sources.folders)
        if not f.path.is_dir()
    ]
    if any(wl.tests for wl in config.watchlists) and not places:  # examples need the places to resolve
        from rasid.match import build_matcher
        from rasid.match.examples import failing_examples

        matcher = build_matcher(config.watchlists, config.gazetteer.places)
        problems += failing_examples(config.watchlists, matcher)
    return problems


def _without_errors(data: dict[str, Any], exc: ValidationError, context: dict[str, Any]) -> tuple[Config, set[str]] | None:
    """The config with each invalid value left out (its key, or else the list item holding it),
    and the names of the list items left out; None if nothing valid is left to check."""
    data = copy.deepcopy(data)
    removed: set[str] = set()
    for _ in range(3):
        for err in exc.errors():
            loc = _data_loc(data, tuple(err["loc"]))
            item = next((i for i in range(len(loc), 0, -1) if isinstance(loc[i - 1], int)), 0)
            parent = _at(data, loc[: item - 1]) if item else None
            if err["type"] != "missing" and len(loc) > item and isinstance(_at(data, loc[:-1]), dict):
                _at(data, loc[:-1]).pop(loc[-1], None)  # type: ignore[union-attr]
            elif isinstance(parent, list) and loc[item - 1] < len(parent):
                gone = parent[loc[item - 1]]
                parent[loc[item - 1]] = None  # keeps the other items' places; dropped below
                if isinstance(gone, dict) and isinstance(gone.get("name"), str):
                    removed.add(gone["name"])
        _drop_nones(data)
        try:
            return Config.model_validate(data, context=context), removed
        except ValidationError as again:
            exc = again
    return None


def _at(data: Any, loc: Loc) -> Any:
    for part in loc:
        data = data[part] if isinstance(data, (dict, list)) else None
    return data


def _drop_nones(data: Any) -> None:
    if isinstance(data, dict):
        for value in data.values():
            _drop_nones(value)
    elif isinstance(data, list):
        data[:] = [item for item in data if item is not None]
        for item in data:
            _drop_nones(item)


def place_problems(config: Config) -> list[tuple[Loc, str]]:
    """Gazetteer selections the gazetteer cannot satisfy: an unknown country code or `within:`
    name, each with the names it does know that come closest. The gazetteer is loaded only for a
    config that selects from it."""
    selections = [
        (("watchlists", i, "places", j), entry)
        for i, wl in enumerate(config.watchlists)
        for j, entry in enumerate(wl.places)
        if isinstance(entry, PlaceSet)
    ]
    customs = list(enumerate(config.gazetteer.places))
    if not selections and not customs:
        return []
    from rasid.match.gazetteer import Gazetteer

    gazetteer = Gazetteer.bundled()
    countries = {p.country for p in gazetteer.places if p.kind == "country"}
    problems: list[tuple[Loc, str]] = []

    def unknown_country(loc: Loc, code: str) -> None:
        if code.upper() not in countries:
            problems.append((loc, f"{code!r} is no country the gazetteer knows: use an ISO 3166-1 code such as SY, IQ or YE"))

    for loc, entry in selections:
        if entry.gazetteer:
            unknown_country(loc + ("gazetteer",), entry.gazetteer)
        elif entry.within and not gazetteer.within(entry.within):
            problems.append((loc + ("within",), f"the gazetteer knows no country, division or region called {entry.within!r}{_closest(gazetteer, entry.within)}"))
        elif entry.within and (others := gazetteer.other_areas(entry.within)):
            problems.append((loc + ("within",), ambiguous_area(entry.within, [gazetteer.areas(entry.within)[0], *others])))
    for i, custom in customs:
        unknown_country(("gazetteer", "places", i, "country"), custom.country)
        if custom.within and not any(
            a.kind == "governorate" and a.country == custom.country.upper() for a in gazetteer.lookup(custom.within)
        ):
            problems.append((("gazetteer", "places", i, "within"), f"no governorate called {custom.within!r} in {custom.country.upper()}"))
    return problems


def ambiguous_area(name: str, areas: list[Any]) -> str:
    """The message for a `within:` name that stands for several areas, none inside the first."""
    what = " or ".join(f"{a.name} ({a.id.removeprefix('C-')}, {a.kind}{f' in {a.country}' if a.kind != 'country' else ''})" for a in areas)
    return f"{name!r} stands for {what}: write the code of the one you mean"


def _closest(gazetteer: Any, name: str) -> str:
    """`; did you mean …?` with the countries, divisions and regions whose names come closest to `name`."""
    from rasid.normalize import normalize_term

    areas: dict[str, str] = {}
    for place in gazetteer.places:
        if place.kind != "locality":
            for spelling in place.spellings:
                areas.setdefault(normalize_term(spelling), place.name)
    close = difflib.get_close_matches(normalize_term(name), list(areas), n=6, cutoff=0.7)
    names = list(dict.fromkeys(areas[key] for key in close))[:3]
    return f"; did you mean {' or '.join(names)}?" if names else "; `rasid places search NAME` lists what it knows"


def _describe(doc: YamlDocument, err: Any) -> str:
    loc = _data_loc(doc.data, tuple(err["loc"]))
    kind = err["type"]
    if kind == "extra_forbidden":
        return doc.problem(loc[:-1], f"unknown field {loc[-1]!r}{did_you_mean(str(loc[-1]), FIELD_NAMES)}", at_key=loc)
    if kind == "missing":
        return doc.problem(loc[:-1], f"missing required field {loc[-1]!r}")
    if kind == "union_tag_invalid":
        ctx = err["ctx"]
        return doc.problem(loc, f"unknown {ctx['discriminator']} {ctx['tag']!r}, expected one of {ctx['expected_tags']}")
    message = err["msg"].removeprefix("Value error, ")
    return doc.problem(loc, message)


def _data_loc(data: Any, loc: Loc) -> Loc:
    """Drop the parts of a pydantic location that are not in the data (union tags)."""
    out: list[str | int] = []
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(data, dict) and isinstance(part, str) and (part in data or last):
            out.append(part)
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            out.append(part)
            data = data[part]
    return tuple(out)
