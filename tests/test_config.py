"""Config loading: values, defaults, and errors that name file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import ROOT, rasid

from rasid.config import ConfigError, WebhookNotifier, load_config, parse_duration
from rasid.config.models import as_term

GOOD = """\
state_dir: ./var
sources:
  feeds:
    - {name: enab-baladi, url: "https://example.org/feed", interval: 5m}
  folders:
    - {name: inbox, path: ./inbox, interval: 30s}
watchlists:
  - name: south
    places:
      - درعا
      - {name: جاسم, aliases: [Jasim, Jassem]}
    keywords:
      - اغتيال
      - {name: داعش, aliases: [تنظيم الدولة]}
    match: any
    exclude: [مباراة]
    notify: [ops]
notifiers:
  - {name: ops, type: webhook, url: "${HOOK}", secret: "${SECRET:-}"}
  - {name: console, type: console}
"""


def write(tmp_path: Path, text: str) -> Path:
    """The config file, beside the folder GOOD watches."""
    (tmp_path / "inbox").mkdir(exist_ok=True)
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(path: Path, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(path, env or {})
    return info.value.problems


def test_valid_config_values(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD), {"HOOK": "https://hooks.example/x", "SECRET": "s3"})
    assert config.state_dir == tmp_path / "var"
    assert config.sources.folders[0].path == tmp_path / "inbox"
    assert config.sources.feeds[0].interval == 300
    assert config.sources.folders[0].interval == 30
    south = config.watchlists[0]
    assert south.places[0] == "درعا"  # plain text stays text
    assert [as_term(t).name for t in south.places] == ["درعا", "جاسم"]
    assert south.places[1].aliases == ["Jasim", "Jassem"]
    assert south.keywords[1].aliases == ["تنظيم الدولة"]
    hook = config.notifiers[0]
    assert isinstance(hook, WebhookNotifier) and hook.url == "https://hooks.example/x"
    assert hook.secret is not None and hook.secret.get_secret_value() == "s3"
    assert "s3" not in repr(config)


def test_default_value_syntax_and_empty_webhook_is_disabled(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD), {"HOOK": ""})
    hook = config.notifiers[0]
    assert isinstance(hook, WebhookNotifier) and not hook.enabled


def test_unknown_key_names_line_and_path(tmp_path: Path) -> None:
    text = GOOD.replace("      - {name: جاسم, aliases: [Jasim, Jassem]}", "      - {name: جاسم, contxt: [مدينة]}")
    (problem,) = errors_of(write(tmp_path, text), {"HOOK": ""})
    assert problem == f"{tmp_path / 'config.yaml'}:11: watchlists[0].places[1]: unknown field 'contxt'; did you mean 'context'?"


def test_wrong_type_names_line_and_path(tmp_path: Path) -> None:
    text = GOOD.replace("interval: 30s", "interval: soon").replace("match: any", "match: [any]")
    problems = errors_of(write(tmp_path, text), {"HOOK": ""})
    assert any(p.startswith(f"{tmp_path / 'config.yaml'}:6: sources.folders[0].interval: invalid duration 'soon'") for p in problems)
    assert any(":15: watchlists[0].match:" in p for p in problems)


def test_missing_environment_variable_is_named(tmp_path: Path) -> None:
    (problem,) = errors_of(write(tmp_path, GOOD), {})
    assert problem == f"{tmp_path / 'config.yaml'}:19: notifiers[0].url: environment variable HOOK is not set"


def test_cross_references_and_duplicates(tmp_path: Path) -> None:
    text = GOOD.replace("notify: [ops]", "notify: [pager]").replace("name: inbox", "name: enab-baladi")
    problems = errors_of(write(tmp_path, text), {"HOOK": ""})
    assert any(":6: sources.folders[0].name: duplicate source name 'enab-baladi'" in p for p in problems)
    assert any(":17: watchlists[0].notify[0]: no notifier named 'pager'" in p for p in problems)


def test_every_problem_is_reported_in_one_pass(tmp_path: Path) -> None:
    """Eight mistakes of four kinds, once reported in four rounds: variables, the schema, the
    cross-references and a failing example, with a suggestion for each misspelt name."""
    text = """sources:
  feeds:
    - {name: a, url: "${MISSING_URL}"}
    - {name: b, url: "http://127.0.0.1/f", interval: 5x}
    - {name: b, url: "http://127.0.0.1/g"}
watchlists:
  - name: south
    keyowrds: [اغتيال]
    places: [درعا]
    notify: [slak]
    tests: [{text: "انفجار في حمص", fires: true}]
notifiers:
  - {name: slack, type: webhook, url: "http://127.0.0.1/hook", intervl: 5s}
  - {name: ops, type: webhook, url: "${ALSO_MISSING}"}
"""
    problems = errors_of(write(tmp_path, text), {})
    expected = [
        ":3: sources.feeds[0].url: environment variable MISSING_URL is not set",
        ":14: notifiers[1].url: environment variable ALSO_MISSING is not set",
        ":4: sources.feeds[1].interval: invalid duration '5x'",
        ":8: watchlists[0]: unknown field 'keyowrds'; did you mean 'keywords'?",
        ":13: notifiers[0]: unknown field 'intervl'; did you mean 'interval'?",
        ":5: sources.feeds[2].name: duplicate source name 'b'",
        ":10: watchlists[0].notify[0]: no notifier named 'slak'; did you mean 'slack'?",
        ":11: watchlists[0].tests[0]",
    ]
    for line in expected:
        assert sum(line in p for p in problems) == 1, (line, problems)
    assert len(problems) == len(expected)  # nothing twice, nothing that only follows from another


def test_a_folder_that_does_not_exist_is_named(tmp_path: Path) -> None:
    text = GOOD.replace("path: ./inbox", "path: ./inbx")
    problems = errors_of(write(tmp_path, text), {"HOOK": "https://hooks.example/x", "SECRET": "s3"})
    assert problems == [f"{tmp_path / 'config.yaml'}:6: sources.folders[0].path: no folder '{tmp_path / 'inbx'}': create it, or correct the path"]


def test_yaml_syntax_error_and_duplicate_key(tmp_path: Path) -> None:
    (problem,) = errors_of(write(tmp_path, "watchlists:\n  - name: [unclosed\n"))
    assert problem.startswith(f"{tmp_path / 'config.yaml'}:3: YAML syntax error")
    problems = errors_of(write(tmp_path, "state_dir: a\nstate_dir: b\nwatchlists: [{name: w, places: [درعا]}]\n"))
    assert len(problems) == 1 and problems[0].endswith(":2: state_dir: duplicate key")


def test_missing_field_and_empty_watchlist(tmp_path: Path) -> None:
    problems = errors_of(write(tmp_path, "watchlists:\n  - name: x\n  - places: [درعا]\n"))
    assert any(":2: watchlists[0]: a watch-list needs at least one place or keyword" in p for p in problems)
    assert any(":3: watchlists[1]: missing required field 'name'" in p for p in problems)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("5m", 300), ("1h", 3600), ("1h30m", 5400), ("2d", 172800), (45, 45), ("250ms", 0.25)],
)
def test_durations(text: str | int, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5", "m5", "5 minutes", "-5s", "5s junk"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_check_command_summary_and_exit_codes(tmp_path: Path) -> None:
    ok = rasid("check", "--config", str(ROOT / "config.yaml"), cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "south-syria" in ok.stdout and "places 5" in ok.stdout and "keywords 3" in ok.stdout
    assert "disabled (url is empty)" in ok.stdout

    signed = rasid(
        "check", "-c", str(ROOT / "config.yaml"), cwd=tmp_path,
        env={"RASID_WEBHOOK_URL": "https://hooks.example/T0KEN/abc", "RASID_WEBHOOK_SECRET": "whsec_c2VjcmV0"},
    )  # fmt: skip
    assert "https://hooks.example/…, signed" in signed.stdout
    assert "T0KEN" not in signed.stdout and "whsec_" not in signed.stdout

    bad = write(tmp_path, GOOD.replace("match: any", "match: any\n    contxt: x"))
    failed = rasid("check", "--config", str(bad), cwd=tmp_path, env={"HOOK": ""})
    assert failed.returncode == 1
    assert f"{bad}:16: watchlists[0]: unknown field 'contxt'" in failed.stderr


def test_config_path_from_environment(tmp_path: Path) -> None:
    result = rasid("check", cwd=tmp_path, env={"RASID_CONFIG": str(ROOT / "config.yaml")})
    assert result.returncode == 0 and "south-syria" in result.stdout
    local = rasid("check", cwd=ROOT)
    assert local.returncode == 0 and local.stdout.startswith("config.yaml: OK")


def test_default_state_dir_is_beside_the_config(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "watchlists: [{name: x, places: [درعا]}]\n"), {})
    assert config.state_dir == tmp_path / "state"


def test_the_documented_reference_matches_the_models() -> None:
    from rasid.config.reference import reference_markdown

    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    section = page.split("<!-- reference:start -->\n", 1)[1].split("<!-- reference:end -->", 1)[0]
    assert section == reference_markdown(), "run `make reference` to regenerate the configuration reference"


def test_secrets_from_files_and_systemd_credentials(tmp_path: Path) -> None:
    (tmp_path / "hook.secret").write_text("whsec_ZmlsZS1zZWNyZXQ=\n", encoding="utf-8")
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / "token").write_text("Bearer cr3d", encoding="utf-8")
    text = (
        "watchlists: [{name: x, places: [درعا]}]\n"
        "notifiers:\n"
        "  - name: ops\n"
        "    type: webhook\n"
        "    url: https://hooks.example/abc\n"
        "    secret: ${file:hook.secret}\n"
        "    headers: {Authorization: '${credential:token}'}\n"
    )
    path = write(tmp_path, text)
    config = load_config(path, {"CREDENTIALS_DIRECTORY": str(creds)})
    hook = config.notifiers[0]
    assert isinstance(hook, WebhookNotifier)
    assert hook.secret is not None and hook.secret.get_secret_value() == "whsec_ZmlsZS1zZWNyZXQ="
    assert hook.headers["Authorization"].get_secret_value() == "Bearer cr3d"
    shown = rasid("check", "-c", str(path), cwd=tmp_path, env={"CREDENTIALS_DIRECTORY": str(creds)})
    assert shown.returncode == 0 and "cr3d" not in shown.stdout and "ZmlsZS1zZWNyZXQ" not in shown.stdout
    (problem,) = errors_of(path, {})
    assert problem.endswith(":7: notifiers[0].headers.Authorization: credential token asked for, but CREDENTIALS_DIRECTORY is not set")
    (tmp_path / "hook.secret").unlink()
    problems = errors_of(path, {"CREDENTIALS_DIRECTORY": str(creds)})
    assert problems == [f"{path}:6: notifiers[0].secret: cannot read file hook.secret: No such file or directory"]


PLACE_SETS = """\
watchlists:
  - name: region
    places:
      - {gazetteer: NO}
      - {gazetteer: XX}
      - {within: حلبب}
      - {within: ريف دمشق}
    keywords: [قصف]
gazetteer:
  places:
    - {name: تل الزعتر, country: XY}
    - {name: قرية, country: SY, within: حمصص}
"""


def test_gazetteer_selections_are_checked_when_the_config_loads(tmp_path: Path) -> None:
    """A country code or `within:` name the gazetteer does not know is a config error with its
    line, not a failure when the daemon starts; YAML's `NO` is Norway."""
    path = write(tmp_path, PLACE_SETS)
    with pytest.raises(ConfigError) as err:
        load_config(path, {})
    assert err.value.problems == [
        f"{path}:5: watchlists[0].places[1].gazetteer: 'XX' is no country the gazetteer knows: use an ISO 3166-1 code such as SY, IQ or YE",
        f"{path}:6: watchlists[0].places[2].within: the gazetteer knows no country, division or region called 'حلبب'; did you mean حلب?",
        f"{path}:11: gazetteer.places[0].country: 'XY' is no country the gazetteer knows: use an ISO 3166-1 code such as SY, IQ or YE",
        f"{path}:12: gazetteer.places[1].within: no governorate called 'حمصص' in SY",
    ]
    fixed = "\n".join(
        line for line in PLACE_SETS.splitlines() if "XX" not in line and "حلبب" not in line and "XY" not in line
    ).replace("حمصص", "حمص")
    config = load_config(write(tmp_path, fixed), {})
    assert config.watchlists[0].places[0].gazetteer == "NO"  # type: ignore[union-attr]


def test_a_within_name_that_stands_for_several_areas_asks_for_a_code(tmp_path: Path) -> None:
    """الجوف is Yemen's governorate and Saudi Arabia's region: taking the first would watch the
    wrong one without a word."""
    text = PLACE_SETS.replace("{within: حلبب}", "{within: الجوف}")
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text), {})
    (problem,) = [p for p in err.value.problems if "الجوف" in p]
    assert ":6: watchlists[0].places[2].within: 'الجوف' stands for " in problem
    assert "(SA-12, governorate in SA)" in problem and "(YE-JA, governorate in YE)" in problem
    coded = load_config(write(tmp_path, "\n".join(
        line for line in text.splitlines() if "XX" not in line and "XY" not in line
    ).replace("حمصص", "حمص").replace("{within: الجوف}", "{within: YE-JA}")), {})  # fmt: skip
    assert coded.watchlists[0].places[1].within == "YE-JA"  # type: ignore[union-attr]
    listed = rasid("places", "list", "--within", "الجوف", cwd=tmp_path)
    assert listed.returncode == 0 and "stands for" in listed.stderr and "listing the first" in listed.stderr


def test_a_term_holding_an_arabic_comma_is_refused(tmp_path: Path) -> None:
    """An Arabic keyboard types «،» in a flow list, which YAML does not split: one term of three."""
    text = GOOD.replace("    exclude: [مباراة]", "    exclude: [مباراة، دوري، كأس]")
    result = rasid("check", "-c", str(write(tmp_path, text)), cwd=tmp_path, env={"HOOK": "https://h.example/x"})
    assert result.returncode == 1
    assert (
        "config.yaml:16: watchlists[0].exclude[0]: 'مباراة، دوري، كأس' holds the Arabic comma or semicolon '،'"
        in result.stderr
    )
